// LogEventStore: EventStore as an append-only log of segment files plus an in-memory index.
//
// On disk (<dir>/): segment files "<first seq, 20 digits>.log" holding framed records
// [u32 length][u32 crc32][payload] (payload: seq, time, flags, the indexed fields, resources,
// the record JSON); "secret" (paging-token key); "LOCK" (one writer per directory).
// A group commit is one write() of every queued record (and an fdatasync in kFull mode), so an
// append costs a memcpy per record, not a B-tree update per index. Recovery reads the segments
// in order and cuts a torn tail off the last one.
//
// In memory: per (account, region), the management events' positions in seq order plus one
// posting list per LookupEvents attribute value, all in the same order. Event times are made
// monotonic on append, so seq order is time order: a lookup is two binary searches and a walk
// over exactly the page it returns. Bodies stay on disk and are read per result.
//
// Retention drops whole segments. Append/Probe/DeleteOlderThan: one thread at a time; the rest
// is thread-safe. A read-only instance (export while the server runs) never writes.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "cloudtrail/store/event_store.h"
#include "common/random.h"

namespace sagetrail::cloudtrail {

struct LogStoreOptions {
  Durability durability = Durability::kNormal;
  uint64_t segment_bytes = 64ull << 20;
  bool read_only = false;
};

class LogEventStore final : public EventStore {
 public:
  static Result<std::unique_ptr<LogEventStore>> Open(const std::string& dir,
                                                     const LogStoreOptions& options,
                                                     Random& random);
  ~LogEventStore() override;

  Status Append(std::vector<EventRecord>& batch) override;
  Status Probe() override;
  Result<LookupPage> Lookup(const LookupQuery& query) override;
  Result<std::vector<EventRecord>> ReadAfter(uint64_t after_seq, size_t limit) override;
  Result<std::pair<uint64_t, uint64_t>> SeqRange() override;
  Result<size_t> DeleteOlderThan(TimePoint cutoff, size_t limit) override;
  const std::string& secret() const override { return secret_; }

  size_t segment_count() const;
  // Bytes of index memory per indexed event, roughly (for docs and benchmarks).
  size_t indexed_events() const;

 private:
  struct Segment;
  struct Meta;
  struct Partition;
  class Index;

  LogEventStore(std::string dir, LogStoreOptions options);
  Status Recover(Random& random);
  Status RecoverSegment(const std::shared_ptr<Segment>& seg, bool last);
  Status OpenNewSegment(uint64_t first_seq);
  Result<EventRecord> ReadRecord(const Segment& seg, uint64_t offset, uint32_t length) const;

  std::string dir_;
  LogStoreOptions options_;
  std::string secret_;
  int lock_fd_ = -1;

  // Writer state (Append/DeleteOlderThan thread only).
  uint64_t next_seq_ = 1;
  int64_t last_time_ms_ = 0;
  std::string buffer_;

  mutable std::shared_mutex mu_;                           // guards segments_ and index_
  std::map<uint64_t, std::shared_ptr<Segment>> segments_;  // by first seq
  std::unique_ptr<Index> index_;
};

}  // namespace sagetrail::cloudtrail
