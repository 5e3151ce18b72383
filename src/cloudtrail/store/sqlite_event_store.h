// SqliteEventStore: EventStore on SQLite in WAL mode. Records are split into a narrow indexed
// table (one partial index per LookupEvents attribute, all ordered by time) and an append-only
// body table, so an append touches small index rows and one sequential body page.
// Durability: kFull fsyncs every commit (survives power loss); kNormal leaves the WAL write in
// the OS (survives any process crash, including kill -9).
// Append/Probe/DeleteOlderThan: one thread at a time. Lookup/ReadAfter: thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "cloudtrail/store/event_store.h"
#include "common/random.h"
#include "common/sqlite.h"

namespace sagetrail::cloudtrail {

enum class Durability { kFull, kNormal };

class SqliteEventStore final : public EventStore {
 public:
  static Result<std::unique_ptr<SqliteEventStore>> Open(const std::string& path,
                                                        Durability durability, Random& random);
  ~SqliteEventStore() override;

  Status Append(std::vector<EventRecord>& batch) override;
  Status Probe() override;
  Result<LookupPage> Lookup(const LookupQuery& query) override;
  Result<std::vector<EventRecord>> ReadAfter(uint64_t after_seq, size_t limit) override;
  Result<std::pair<uint64_t, uint64_t>> SeqRange() override;
  Result<size_t> DeleteOlderThan(TimePoint cutoff, size_t limit) override;
  const std::string& secret() const override { return secret_; }

  // The query plan SQLite picks for `query` (for tests that prove lookups use an index).
  Result<std::string> ExplainLookup(const LookupQuery& query);

 private:
  explicit SqliteEventStore(std::string path) : path_(std::move(path)) {}
  Status Init(Durability durability, Random& random);
  Result<int64_t> PartitionId(const std::string& account_id, const std::string& region);

  // A reader connection from the pool (opened on demand), returned by the guard.
  class Reader;
  Result<std::unique_ptr<SqliteDb>> AcquireReader();
  void ReleaseReader(std::unique_ptr<SqliteDb> db);

  std::string path_;
  std::string secret_;
  std::unique_ptr<SqliteDb> writer_;
  std::unordered_map<std::string, int64_t> partitions_;  // writer thread only
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<SqliteDb>> readers_;  // guarded by pool_mu_
};

}  // namespace sagetrail::cloudtrail
