// CloudTrailService: the CloudTrail API. Today: LookupEvents (Event history). Trails arrive
// with delivery. Thread-safe.
#pragma once

#include <memory>
#include <string_view>

#include "aws/service.h"
#include "cloudtrail/lookup/lookup_events.h"

namespace sagetrail::cloudtrail {

class CloudTrailService final : public aws::Service {
 public:
  CloudTrailService(EventStore& store, const Clock& clock, std::chrono::hours retention)
      : lookup_(store, clock, retention) {}

  std::string_view name() const override { return "cloudtrail"; }
  bool Implements(std::string_view operation) const override;
  std::optional<aws::AwsError> CheckInput(const aws::RequestContext& ctx) const override;
  std::vector<aws::CallResource> ResolveResources(const aws::RequestContext& ctx) const override;
  aws::AccessRequest AccessFor(const aws::RequestContext& ctx) const override;
  Result<boost::json::value, aws::AwsError> Invoke(aws::RequestContext& ctx) override;

 private:
  LookupEvents lookup_;
};

}  // namespace sagetrail::cloudtrail
