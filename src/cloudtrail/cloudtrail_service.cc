#include "cloudtrail/cloudtrail_service.h"

#include <boost/json.hpp>

namespace sagetrail::cloudtrail {

bool CloudTrailService::Implements(std::string_view operation) const {
  return operation == "LookupEvents";
}

std::optional<aws::AwsError> CloudTrailService::CheckInput(const aws::RequestContext& ctx) const {
  if (ctx.operation->name == "LookupEvents") return LookupEvents::CheckInput(ctx.input);
  return std::nullopt;
}

Result<boost::json::value, aws::AwsError> CloudTrailService::Invoke(aws::RequestContext& ctx) {
  if (ctx.operation->name == "LookupEvents") return lookup_.Run(ctx);
  return aws::AwsError::NotImplemented("sagetrail does not implement CloudTrail operation " +
                                       ctx.operation->name + " yet");
}

}  // namespace sagetrail::cloudtrail
