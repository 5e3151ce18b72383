// AwsError: an expected failure of an AWS operation, as the client will see it. Codecs turn it
// into each protocol's error body; the audit record copies `code` and `message`.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace sagetrail::aws {

struct AwsError {
  std::string code;  // e.g. "ValidationException"
  std::string message;
  int http_status = 400;
  bool sender_fault = true;  // query protocol <Type>Sender</Type> vs Receiver
  // Extra elements some protocols add to the error body (S3: <StringToSign>, <Region>, ...).
  std::vector<std::pair<std::string, std::string>> extra;

  static AwsError Validation(std::string message) {
    return {"ValidationException", std::move(message), 400, true};
  }
  static AwsError Serialization(std::string message) {
    return {"SerializationException", std::move(message), 400, true};
  }
  static AwsError UnknownOperation(std::string message) {
    return {"UnknownOperationException", std::move(message), 400, true};
  }
  static AwsError NotImplemented(std::string message) {
    return {"NotImplemented", std::move(message), 501, false};
  }
  static AwsError InternalFailure(std::string message) {
    return {"InternalFailure", std::move(message), 500, false};
  }
  static AwsError ServiceUnavailable(std::string message) {
    return {"ServiceUnavailable", std::move(message), 503, false};
  }
};

}  // namespace sagetrail::aws
