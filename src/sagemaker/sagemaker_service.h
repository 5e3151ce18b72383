// SageMakerService: the SageMaker control plane's handlers. Operations not implemented here are
// still routed, validated and recorded, and answer NotImplemented naming the operation.
// Thread-safe.
#pragma once

#include <string_view>

#include "aws/service.h"

namespace sagetrail::sagemaker {

class SageMakerService final : public aws::Service {
 public:
  std::string_view name() const override { return "sagemaker"; }
  bool Implements(std::string_view operation) const override;
  Result<boost::json::value, aws::AwsError> Invoke(aws::RequestContext& ctx) override;
};

}  // namespace sagetrail::sagemaker
