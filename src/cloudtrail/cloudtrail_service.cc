#include "cloudtrail/cloudtrail_service.h"

#include <boost/json.hpp>

#include "aws/resource_arns.h"

namespace sagetrail::cloudtrail {

bool CloudTrailService::Implements(std::string_view operation) const {
  return operation == "LookupEvents";
}

std::optional<aws::AwsError> CloudTrailService::CheckInput(const aws::RequestContext& ctx) const {
  if (ctx.operation->name == "LookupEvents") return LookupEvents::CheckInput(ctx.input);
  return std::nullopt;
}

namespace {

// A trail is named by its name or its ARN.
constexpr aws::ResourceRule kRules[] = {
    {"Name", "AWS::CloudTrail::Trail", "arn:aws:cloudtrail:{region}:{account}:trail/{name}"},
    {"TrailName", "AWS::CloudTrail::Trail", "arn:aws:cloudtrail:{region}:{account}:trail/{name}"},
};

}  // namespace

std::vector<aws::CallResource> CloudTrailService::ResolveResources(
    const aws::RequestContext& ctx) const {
  return aws::ResourcesFromRules(kRules, ctx.account_id, ctx.region, ctx.input);
}

aws::AccessRequest CloudTrailService::AccessFor(const aws::RequestContext& ctx) const {
  aws::AccessRequest access = Service::AccessFor(ctx);
  access.resource_in_denial = access.resource != "*";  // LookupEvents names no resource
  return access;
}

Result<boost::json::value, aws::AwsError> CloudTrailService::Invoke(aws::RequestContext& ctx) {
  if (ctx.operation->name == "LookupEvents") return lookup_.Run(ctx);
  return aws::AwsError::NotImplemented("sagetrail does not implement CloudTrail operation " +
                                       ctx.operation->name + " yet");
}

}  // namespace sagetrail::cloudtrail
