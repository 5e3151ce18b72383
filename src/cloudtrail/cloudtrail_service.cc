#include "cloudtrail/cloudtrail_service.h"

#include <boost/json.hpp>

#include "aws/resource_arns.h"

namespace sagetrail::cloudtrail {

CloudTrailService::CloudTrailService(EventStore& store, const Clock& clock,
                                     std::chrono::hours retention)
    : lookup_(store, clock, retention) {
  operations_["LookupEvents"] = {[this](aws::RequestContext& ctx) { return lookup_.Run(ctx); },
                                 LookupEvents::CheckInput};
}

bool CloudTrailService::Implements(std::string_view operation) const {
  return operations_.count(std::string(operation)) != 0;
}

std::optional<aws::AwsError> CloudTrailService::CheckInput(const aws::RequestContext& ctx) const {
  auto it = operations_.find(ctx.operation->name);
  if (it == operations_.end() || !it->second.check_input) return std::nullopt;
  return it->second.check_input(ctx.input);
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
  auto it = operations_.find(ctx.operation->name);
  if (it == operations_.end()) {
    return aws::AwsError::NotImplemented("sagetrail does not implement CloudTrail operation " +
                                         ctx.operation->name + " yet");
  }
  return it->second.run(ctx);
}

}  // namespace sagetrail::cloudtrail
