#include "sagemaker/runtime_service.h"

#include <boost/json.hpp>

#include "aws/protocol/generic_value.h"
#include "sagemaker/resource.h"

namespace sagetrail::sagemaker {

std::vector<aws::CallResource> RuntimeService::ResolveResources(
    const aws::RequestContext& ctx) const {
  std::vector<aws::CallResource> out;
  if (auto name = aws::StringField(ctx.input, "EndpointName")) {
    out.push_back({"AWS::SageMaker::Endpoint", std::string(*name),
                   MakeArn(ctx.region, ctx.account_id, "endpoint", std::string(*name))});
  }
  return out;
}

Result<boost::json::value, aws::AwsError> RuntimeService::Invoke(aws::RequestContext& ctx) {
  return aws::AwsError::NotImplemented("sagetrail does not implement SageMaker Runtime operation " +
                                       ctx.operation->name + " yet");
}

}  // namespace sagetrail::sagemaker
