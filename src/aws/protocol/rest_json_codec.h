// RestJsonCodec: the rest-json protocol (SageMaker Runtime). Operations are found by matching the
// request path against the model's request URI templates. Input parsing and output writing come
// with InvokeEndpoint; today the codec routes and words errors.
#pragma once

#include "aws/protocol/codec.h"

namespace sagetrail::aws {

class RestJsonCodec final : public ProtocolCodec {
 public:
  Protocol protocol() const override { return Protocol::kRestJson; }
  Result<const Operation*, AwsError> ResolveOperation(const ServiceModel& model,
                                                      const http::Request& request) const override;
  Result<boost::json::value, AwsError> ParseInput(const ServiceModel& model, const Operation& op,
                                                  const http::Request& request) const override;
  http::Response SerializeOutput(const ServiceModel& model, const Operation& op,
                                 const boost::json::value& output,
                                 std::string_view request_id) const override;
  http::Response SerializeError(const ServiceModel* model, const AwsError& error,
                                std::string_view request_id) const override;

  // True when `path` matches `request_uri` ("/endpoints/{EndpointName}/invocations"), a path
  // suffix match so that an endpoint URL with a path prefix still routes.
  static bool PathMatches(std::string_view request_uri, std::string_view path);
};

}  // namespace sagetrail::aws
