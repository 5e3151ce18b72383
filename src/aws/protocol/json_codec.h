// JsonCodec: the awsJson 1.0/1.1 protocol (SageMaker, CloudTrail, CloudWatch Logs).
// POST with X-Amz-Target "<targetPrefix>.<Operation>", a JSON body in, a JSON body out (model
// order, timestamps as epoch seconds), errors as {"__type","message"} plus x-amzn-ErrorType.
#pragma once

#include "aws/protocol/codec.h"

namespace sagetrail::aws {

class JsonCodec final : public ProtocolCodec {
 public:
  Protocol protocol() const override { return Protocol::kJson; }
  Result<const Operation*, AwsError> ResolveOperation(const ServiceModel& model,
                                                      const http::Request& request) const override;
  Result<boost::json::value, AwsError> ParseInput(const ServiceModel& model, const Operation& op,
                                                  const http::Request& request) const override;
  http::Response SerializeOutput(const ServiceModel& model, const Operation& op,
                                 const boost::json::value& output,
                                 std::string_view request_id) const override;
  http::Response SerializeError(const ServiceModel* model, const AwsError& error,
                                std::string_view request_id) const override;

  // Writes `value` as shape `id` describes it: members in model order, unknown keys dropped,
  // timestamps as epoch-second numbers. Shared with the rest-json codec.
  static void WriteShape(const ServiceModel& model, ShapeId id, const boost::json::value& value,
                         std::string* out);
};

}  // namespace sagetrail::aws
