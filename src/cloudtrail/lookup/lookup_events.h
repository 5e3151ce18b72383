// LookupEvents: Event history queries, with CloudTrail's own input errors
// (InvalidLookupAttributesException, InvalidMaxResultsException, InvalidTimeRangeException,
// InvalidNextTokenException, InvalidEventCategoryException) checked before generic validation.
// Stateless apart from the store; thread-safe.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <optional>

#include "aws/aws_error.h"
#include "aws/request_context.h"
#include "cloudtrail/store/event_store.h"
#include "common/clock.h"
#include "common/result.h"

namespace sagetrail::cloudtrail {

class LookupEvents {
 public:
  LookupEvents(EventStore& store, const Clock& clock, std::chrono::hours retention)
      : store_(store), clock_(clock), retention_(retention) {}

  // CloudTrail's checks on LookupEvents input (run before the model's generic validation).
  static std::optional<aws::AwsError> CheckInput(const boost::json::value& input);

  Result<boost::json::value, aws::AwsError> Run(const aws::RequestContext& ctx) const;

 private:
  EventStore& store_;
  const Clock& clock_;
  std::chrono::hours retention_;
};

}  // namespace sagetrail::cloudtrail
