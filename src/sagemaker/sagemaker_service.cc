#include "sagemaker/sagemaker_service.h"

#include <boost/json.hpp>

namespace sagetrail::sagemaker {
namespace json = boost::json;

bool SageMakerService::Implements(std::string_view operation) const {
  return operation == "ListModels";
}

Result<json::value, aws::AwsError> SageMakerService::Invoke(aws::RequestContext& ctx) {
  if (ctx.operation->name == "ListModels") {
    json::object out;
    out["Models"] = json::array();
    return json::value(std::move(out));
  }
  return aws::AwsError::NotImplemented("sagetrail does not implement SageMaker operation " +
                                       ctx.operation->name + " yet");
}

}  // namespace sagetrail::sagemaker
