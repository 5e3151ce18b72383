// ProtocolCodec: one AWS wire protocol (awsJson, query, rest-json, rest-xml). It finds the
// operation a request calls, reads its input into the generic form (see generic_value.h) and
// writes outputs and errors. Codecs are stateless and thread-safe; one instance serves every
// service that speaks the protocol.
#pragma once

#include <boost/json/value.hpp>
#include <string_view>

#include "aws/aws_error.h"
#include "aws/model/service_model.h"
#include "common/result.h"
#include "http/http_message.h"

namespace sagetrail::aws {

class ProtocolCodec {
 public:
  virtual ~ProtocolCodec() = default;

  virtual Protocol protocol() const = 0;

  // The operation `request` calls, or the protocol's unknown-operation error.
  virtual Result<const Operation*, AwsError> ResolveOperation(
      const ServiceModel& model, const http::Request& request) const = 0;

  // The operation's input in generic form, or a SerializationException-style error.
  virtual Result<boost::json::value, AwsError> ParseInput(const ServiceModel& model,
                                                          const Operation& op,
                                                          const http::Request& request) const = 0;

  // A success response carrying `output` (generic form), serialized in model order.
  virtual http::Response SerializeOutput(const ServiceModel& model, const Operation& op,
                                         const boost::json::value& output,
                                         std::string_view request_id) const = 0;

  // An error response. `model` may be null when the service could not be determined.
  virtual http::Response SerializeError(const ServiceModel* model, const AwsError& error,
                                        std::string_view request_id) const = 0;

  // Whether the body of the request whose head is `head` (method, target, headers; no body yet)
  // is to be streamed rather than held in Request::body: true when the head resolves to an
  // operation whose input payload is a streaming blob (S3's PutObject and UploadPart).
  virtual bool StreamsRequestBody(const ServiceModel& /*model*/,
                                  const http::Request& /*head*/) const {
    return false;
  }
};

}  // namespace sagetrail::aws
