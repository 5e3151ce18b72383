// EventBuilder: turns a finished call (RequestContext) into a CloudTrail record, in one place for
// API calls and service events alike, and with no service code involved: what
// differs between services comes from their ServiceTraits (RequestContext::traits). Fields over
// CloudTrail's limits are flagged omitted (100 KB per parameter field, 256 KB per event).
// Field names, order and formats follow the CloudTrail record reference (spec/cloudtrail.md §1).
// Thread-safe (Random must be).
#pragma once

#include <string>
#include <string_view>

#include "aws/identity.h"
#include "aws/request_context.h"
#include "cloudtrail/record/event_record.h"
#include "common/random.h"

namespace sagetrail::cloudtrail {

inline constexpr std::string_view kEventVersion = "1.11";

class EventBuilder {
 public:
  explicit EventBuilder(Random& random) : random_(random) {}

  // The record of a call that reached a service (ctx.reached_service()): an AwsApiCall, or an
  // AwsServiceEvent (ctx.event_type) for a service's own action through the internal entry.
  EventRecord FromRequest(const aws::RequestContext& ctx) const;
  // Its record, plus a copy for every other account it involved (ctx.also_recorded_in).
  std::vector<EventRecord> RecordsFor(const aws::RequestContext& ctx) const;

  // "sagemaker.amazonaws.com" for the sagemaker and sagemaker-runtime models.
  static std::string EventSourceOf(const aws::ServiceModel& model);
  // Event history's "User name": the IAM user, "root", or the role session name.
  static std::string UsernameOf(const aws::Identity& identity);

 private:
  EventRecord Build(const aws::RequestContext& ctx, const std::string& recipient,
                    const std::string& shared_event_id) const;

  Random& random_;
};

}  // namespace sagetrail::cloudtrail
