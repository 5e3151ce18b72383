// CloudTrailService: the CloudTrail API. Today: LookupEvents (Event history). Trails arrive
// with delivery. Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "aws/service.h"
#include "cloudtrail/lookup/lookup_events.h"

namespace sagetrail::cloudtrail {

class CloudTrailService final : public aws::Service {
 public:
  CloudTrailService(EventStore& store, const Clock& clock, std::chrono::hours retention);

  std::string_view name() const override { return "cloudtrail"; }
  bool Implements(std::string_view operation) const override;
  std::optional<aws::AwsError> CheckInput(const aws::RequestContext& ctx) const override;
  std::vector<aws::CallResource> ResolveResources(const aws::RequestContext& ctx) const override;
  aws::AccessRequest AccessFor(const aws::RequestContext& ctx) const override;
  Result<boost::json::value, aws::AwsError> Invoke(aws::RequestContext& ctx) override;

 private:
  // One operation: its handler, and the checks of its input that come before the model's
  // validation (CloudTrail's own error codes), if any.
  struct Operation {
    std::function<Result<boost::json::value, aws::AwsError>(aws::RequestContext& ctx)> run;
    std::function<std::optional<aws::AwsError>(const boost::json::value& input)> check_input;
  };

  LookupEvents lookup_;
  std::unordered_map<std::string, Operation> operations_;  // by operation name
};

}  // namespace sagetrail::cloudtrail
