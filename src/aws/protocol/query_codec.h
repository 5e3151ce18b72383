// QueryCodec: the AWS query protocol (STS, IAM, SNS): form-encoded "Action=...&Version=..." in,
// XML out. Errors are <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>.
// Input parsing and output serialization arrive with the identity services (see issue 6);
// today the codec routes, and words every error, including authentication failures.
#pragma once

#include "aws/protocol/codec.h"

namespace sagetrail::aws {

class QueryCodec final : public ProtocolCodec {
 public:
  Protocol protocol() const override { return Protocol::kQuery; }
  Result<const Operation*, AwsError> ResolveOperation(const ServiceModel& model,
                                                      const http::Request& request) const override;
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
