// EventStore: the durable, append-only home of CloudTrail records, indexed for Event history.
// Append is called by one writer thread at a time; the read methods are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cloudtrail/record/event_record.h"
#include "common/clock.h"
#include "common/result.h"
#include "store/mutation.h"

namespace sagetrail::cloudtrail {

enum class LookupAttribute {
  kNone,
  kEventId,
  kEventName,
  kReadOnly,
  kUsername,
  kResourceType,
  kResourceName,
  kEventSource,
  kAccessKeyId
};

// "EventName" -> kEventName, ...; nullopt for anything but the eight LookupEvents keys.
std::optional<LookupAttribute> ParseLookupAttribute(std::string_view key);

// How hard an append works to survive failures. kNormal: an acknowledged record survives any
// crash of the process (kill -9) because it was handed to the kernel before the ack. kFull: it
// also survives power loss (fdatasync before the ack).
enum class Durability { kFull, kNormal };

struct LookupQuery {
  std::string account_id;
  std::string region;
  LookupAttribute attribute = LookupAttribute::kNone;
  std::string value;
  TimePoint start;  // inclusive
  TimePoint end;    // inclusive
  size_t max_results = 50;
  // Continue after this (event_time ms, seq), newest first.
  std::optional<std::pair<int64_t, uint64_t>> after;
};

struct LookupPage {
  std::vector<EventRecord> events;  // newest first, with body and resources
  bool more = false;                // another page exists
};

class EventStore {
 public:
  virtual ~EventStore() = default;

  // Appends `records` and applies `mutations` to the durable state, atomically (all or none)
  // and durably; assigns each record's seq. After a failure the store refuses every further
  // commit (health()) until the process restarts.
  virtual Status Commit(std::vector<EventRecord>& records, const store::Mutations& mutations) = 0;
  Status Append(std::vector<EventRecord>& records) { return Commit(records, {}); }
  // OK while commits can succeed; otherwise why not.
  virtual Status health() const = 0;

  // Management events of one account and region matching `query`, newest first.
  virtual Result<LookupPage> Lookup(const LookupQuery& query) = 0;
  // Every record with seq > after_seq in append order, at most `limit` (delivery, export).
  virtual Result<std::vector<EventRecord>> ReadAfter(uint64_t after_seq, size_t limit) = 0;
  // The lowest and highest seq stored ({0, 0} when empty).
  virtual Result<std::pair<uint64_t, uint64_t>> SeqRange() = 0;
  // Drops up to `limit` records older than `cutoff`; returns how many went.
  virtual Result<size_t> DeleteOlderThan(TimePoint cutoff, size_t limit) = 0;
  // A per-store secret (stable across restarts) for signing paging tokens.
  virtual const std::string& secret() const = 0;
};

}  // namespace sagetrail::cloudtrail
