// QueryCodec: the AWS query protocol (STS, IAM, SNS): form-encoded "Action=...&Version=..." in,
// XML out. Input keys follow botocore's query serializer ("A.B", "L.member.N",
// "M.entry.N.key"/"M.entry.N.value", flattened forms without ".member"/".entry"); outputs are
// <OpResponse xmlns=..><OpResult>..</OpResult><ResponseMetadata><RequestId/>..; errors are
// <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>. Documents are indented by
// two spaces, without an XML declaration, as STS and IAM write them.
#pragma once

#include "aws/protocol/codec.h"

namespace sagetrail::aws {

class QueryCodec final : public ProtocolCodec {
 public:
  Protocol protocol() const override { return Protocol::kQuery; }
  Result<const Operation*, AwsError> ResolveOperation(const ServiceModel& model,
                                                      const http::Request& request) const override;
  // Walks the input shape over the form parameters. "Action", "Version" and unknown keys are
  // ignored; a scalar that does not read as its type (integer, boolean, timestamp, ...) is
  // InvalidParameterValue (400, Sender).
  Result<boost::json::value, AwsError> ParseInput(const ServiceModel& model, const Operation& op,
                                                  const http::Request& request) const override;
  http::Response SerializeOutput(const ServiceModel& model, const Operation& op,
                                 const boost::json::value& output,
                                 std::string_view request_id) const override;
  http::Response SerializeError(const ServiceModel* model, const AwsError& error,
                                std::string_view request_id) const override;

  // The form parameters of a query request: the body when form-encoded, else the query string.
  static std::vector<std::pair<std::string, std::string>> FormParams(const http::Request& request);
};

}  // namespace sagetrail::aws
