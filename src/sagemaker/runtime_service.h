// RuntimeService: SageMaker Runtime (InvokeEndpoint and its kin), the data plane of endpoints.
// Its calls are data events: never in Event history, recorded without their request parameters,
// naming the endpoint they invoked. Invocation itself is not implemented yet: calls are
// authorized, validated and recorded, and answer NotImplemented. Thread-safe.
#pragma once

#include <string_view>

#include "aws/service.h"

namespace sagetrail::sagemaker {

class RuntimeService final : public aws::Service {
 public:
  std::string_view name() const override { return "sagemaker-runtime"; }
  bool Implements(std::string_view) const override { return false; }
  Result<boost::json::value, aws::AwsError> Invoke(aws::RequestContext& ctx) override;

  // The endpoint invoked: arn:aws:sagemaker:<region>:<account>:endpoint/<lower-case name>.
  std::vector<aws::CallResource> ResolveResources(const aws::RequestContext& ctx) const override;

  bool IsReadOnly(std::string_view) const override { return false; }
  bool IsDataEvent(std::string_view) const override { return true; }
  bool LogsRequestParameters(std::string_view) const override { return false; }
};

}  // namespace sagetrail::sagemaker
