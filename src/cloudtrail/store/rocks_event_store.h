// RocksEventStore: EventStore over the server's Database (RocksDB).
//
//   records  key: seq (8 bytes, big-endian)           value: the encoded record (RecordCodec)
//   index    key: account | region | attribute | value | event time (ms) | seq of the newest
//            event of a block; value: the block's other events, newest first, as (time, seq)
//            deltas from it (varints)
//   meta     "events/secret": the paging-token key
//
// Each management event is indexed under the bare time range and under each LookupEvents
// attribute value it carries. The events of one commit that share an index prefix form blocks
// (spanning at most 100 ms each), one key per block, so a group commit writes a few keys per
// shared value rather than one per event. A lookup is one seek to the newest block it may
// need and a walk backwards over the blocks of the page it returns, then one read per record. Data
// events are stored but never indexed (they are not in Event history). Memory does not grow with
// history: the index lives in RocksDB's blocks, read through a bounded cache.
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
#include <optional>
#include <string>
#include <vector>

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

  // The run an index key belongs to (store::DatabaseOptions::index_run_prefix): the keys of one
  // lookup value arrive newest first, each next to the previous one; event ids are unique and
  // form none.
  static std::optional<size_t> IndexRunPrefix(std::string_view key);
  // The (time in ms, seq) of every event one index key and its value point at, newest first;
  // false if they cannot be decoded (consistency checks).
  static bool DecodeIndexBlock(std::string_view key, std::string_view value,
                               std::vector<std::pair<int64_t, uint64_t>>* events);

  Status Commit(std::vector<EventRecord>& records, const store::Mutations& mutations) override;
  Status health() const override { return db_.health(); }
  Result<LookupPage> Lookup(const LookupQuery& query) override;
  Result<std::vector<EventRecord>> ReadAfter(uint64_t after_seq, size_t limit) override;
  Result<std::pair<uint64_t, uint64_t>> SeqRange() override;
  Result<size_t> DeleteOlderThan(TimePoint cutoff, size_t limit) override;
  const std::string& secret() const override { return secret_; }

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
