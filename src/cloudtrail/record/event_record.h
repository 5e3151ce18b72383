// EventRecord: one CloudTrail event as stored: the record's JSON text plus the fields Event
// history indexes (LookupEvents attributes).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.h"

namespace sagetrail::cloudtrail {

struct ResourceRef {
  std::string type;  // "AWS::SageMaker::Model"
  std::string name;  // as Event history shows it (a name, an id or an ARN)
  std::string arn;   // also findable by ResourceName; empty if unknown or equal to name
};

struct EventRecord {
  uint64_t seq = 0;  // assigned by the store on append
  std::string account_id;
  std::string region;
  TimePoint event_time;
  std::string event_id;
  std::string event_name;
  std::string event_source;
  std::string username;       // Event history's User name; empty when there is none
  std::string access_key_id;  // empty when there is none
  bool read_only = false;
  bool management = true;  // false for data events (never in Event history)
  std::vector<ResourceRef> resources;
  std::string body;  // the record, compact JSON
};

}  // namespace sagetrail::cloudtrail
