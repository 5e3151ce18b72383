// RocksEventStore: EventStore over the server's Database (RocksDB).
//
//   records  key: seq (8 bytes, big-endian)           value: the encoded record (RecordCodec)
//   index    key: account | region | attribute | value | ~event time (ms) | ~seq  (empty value)
//   meta     "events/secret": the paging-token key
//
// Each management event has one index key for the bare time range and one per LookupEvents
// attribute value it carries; the inverted time and seq put the newest first, so a lookup is one
// seek and a walk over exactly the page it returns, then one read per record. Data events are
// stored but never indexed (they are not in Event history). Memory does not grow with history:
// the index lives in RocksDB's blocks, read through a bounded cache.
//
// A commit writes the records, their index keys and the state mutations of the same calls in
// one atomic batch. Event times are made monotonic at commit, so seq order is time order.
// Retention drops old records by range and old index keys at compaction (a lookup skips any
// stale key it meets first).
//
// Commit/DeleteOlderThan: one thread at a time; the rest is thread-safe.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "cloudtrail/store/event_store.h"
#include "common/random.h"
#include "store/database.h"

namespace sagetrail::cloudtrail {

// Retention of index keys at compaction, shared by the Database (its compaction filter, set at
// open through DatabaseOptions::index_expired) and the store (which moves the cutoff).
struct IndexRetention {
  std::atomic<int64_t> cutoff_ms{0};
  bool Expired(std::string_view index_key) const;
};

class RocksEventStore final : public EventStore {
 public:
  // `db` outlives the store; `retention` is the one its index compaction consults (may be
  // null: index keys then go only when their record's range is deleted and a lookup skips
  // them). A read-only database gives a read-only store.
  static Result<std::unique_ptr<RocksEventStore>> Open(
      store::Database& db, Random& random, std::shared_ptr<IndexRetention> retention = nullptr);

  Status Commit(std::vector<EventRecord>& records, const store::Mutations& mutations) override;
  Status health() const override { return db_.health(); }
  Result<LookupPage> Lookup(const LookupQuery& query) override;
  Result<std::vector<EventRecord>> ReadAfter(uint64_t after_seq, size_t limit) override;
  Result<std::pair<uint64_t, uint64_t>> SeqRange() override;
  Result<size_t> DeleteOlderThan(TimePoint cutoff, size_t limit) override;
  const std::string& secret() const override { return secret_; }

  // The index key of one (attribute, value) of a record (exposed for tests and the retention
  // filter).
  static std::string IndexKey(std::string_view account, std::string_view region,
                              LookupAttribute attribute, std::string_view value, int64_t time_ms,
                              uint64_t seq);

 private:
  RocksEventStore(store::Database& db, std::shared_ptr<IndexRetention> retention)
      : db_(db), retention_(std::move(retention)) {}
  Status Load(Random& random);

  store::Database& db_;
  std::shared_ptr<IndexRetention> retention_;
  std::string secret_;
  // Writer state (Commit thread only).
  uint64_t next_seq_ = 1;
  int64_t last_time_ms_ = 0;
};

}  // namespace sagetrail::cloudtrail
