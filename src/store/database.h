// Database: the server's one durable store, an embedded RocksDB in <data-dir>/db. Everything that
// must survive a restart lives in one of its families:
//   records  CloudTrail records by sequence number (compressed blocks)
//   index    Event history's lookup keys (written with their record)
//   state    every service's state (SageMaker resources, IAM entities, ...), one key per entity
//   meta     small values of the server's own (the paging-token key, ...)
// A WriteBatch is applied atomically across families, so a call's record, its index keys and
// the state it changed become durable together or not at all (the write-ahead log is RocksDB's).
//
// Failure is sticky: after any failed write the database refuses every further write (reads go
// on) until the process restarts and RocksDB recovers from its log. Nothing a failed write
// carried is ever visible, in this process or after a restart. A write RocksDB does on its own
// counts too: a failed flush or compaction, or any failed file operation (even one RocksDB
// shrugs off), makes health() report the failure at once, and RocksDB's own recovery (it would
// resume writing once it thinks the trouble has passed) is off.
//
// A read-only instance (a secondary beside a running server, or a stopped server's directory)
// never writes. Thread-safe.
#pragma once

#include <rocksdb/compaction_filter.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/write_batch.h>

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"

namespace sagetrail::store {

enum class Family : int { kRecords = 0, kIndex = 1, kState = 2, kMeta = 3 };
inline constexpr int kFamilies = 4;

struct DatabaseOptions {
  // Sync the log on every write (survives power loss); otherwise a written batch survives any
  // crash of the process but not of the machine.
  bool sync = false;
  // Open beside a running server (or a stopped one) without writing anything.
  bool read_only = false;
  // Bounded memory: the block cache (data, index and filter blocks) and the memtables.
  size_t block_cache_bytes = 32u << 20;
  size_t write_buffer_bytes = 16u << 20;
  // Index keys this returns true for are dropped at compaction (retention). Called from
  // RocksDB's background threads.
  std::function<bool(std::string_view key)> index_expired;
  // Index keys arrive in runs: keys sharing a prefix are written next to each other (the newest
  // just before the previous one). This gives that prefix's length for a key, or nullopt for a
  // key with no run (a unique value); RocksDB then inserts a key at its run's last position
  // instead of searching the memtable for it. Records (sequence numbers) always form one run.
  std::function<std::optional<size_t>(std::string_view key)> index_run_prefix;
  // Tests: the environment RocksDB does its I/O through (fault injection); null: the default.
  std::shared_ptr<rocksdb::Env> env;
};

class Database;

// Writes to apply atomically. Cheap to create; not thread-safe.
class WriteBatch {
 public:
  void Put(Family family, std::string_view key, std::string_view value);
  void Delete(Family family, std::string_view key);
  // Deletes every key in [begin, end). Not for the index family, whose memtable uses insert hints
  // (see Database::Open).
  void DeleteRange(Family family, std::string_view begin, std::string_view end);
  bool empty() const { return batch_.Count() == 0; }
  size_t bytes() const { return batch_.GetDataSize(); }
  void Clear() { batch_.Clear(); }

 private:
  friend class Database;
  explicit WriteBatch(const Database& db) : db_(db) {}
  const Database& db_;
  rocksdb::WriteBatch batch_;
};

// A forward iterator over one family, on a consistent snapshot.
class Cursor {
 public:
  explicit Cursor(std::unique_ptr<rocksdb::Iterator> it) : it_(std::move(it)) {}
  void Seek(std::string_view key) { it_->Seek(ToSlice(key)); }
  void SeekToFirst() { it_->SeekToFirst(); }
  void SeekToLast() { it_->SeekToLast(); }
  // The last key <= `key`.
  void SeekForPrev(std::string_view key) { it_->SeekForPrev(ToSlice(key)); }
  bool Valid() const { return it_->Valid(); }
  void Next() { it_->Next(); }
  void Prev() { it_->Prev(); }
  std::string_view key() const { return ToView(it_->key()); }
  std::string_view value() const { return ToView(it_->value()); }
  // OK, or why iteration stopped early (I/O error, corruption).
  Status status() const;

 private:
  static rocksdb::Slice ToSlice(std::string_view s) { return {s.data(), s.size()}; }
  static std::string_view ToView(rocksdb::Slice s) { return {s.data(), s.size()}; }
  std::unique_ptr<rocksdb::Iterator> it_;
};

class Database {
 public:
  static Result<std::unique_ptr<Database>> Open(const std::string& dir, DatabaseOptions options);
  ~Database();

  WriteBatch NewBatch() const { return WriteBatch(*this); }
  // Applies `batch` atomically and durably (see DatabaseOptions::sync). After a failure every
  // later Write fails with the same error.
  Status Write(WriteBatch& batch);
  // OK while writes can succeed; otherwise the sticky error (or "read-only").
  Status health() const;

  Result<std::optional<std::string>> Get(Family family, std::string_view key) const;
  // Several keys at once (one pass over each table file they share), in the order given.
  Result<std::vector<std::optional<std::string>>> MultiGet(
      Family family, const std::vector<std::string>& keys) const;
  Cursor NewCursor(Family family) const;
  // A read-only (secondary) instance catches up with what the primary wrote since.
  Status Refresh();

  bool read_only() const { return options_.read_only; }
  // Total bytes of live SST and log files (benchmarks, docs).
  uint64_t DiskBytes() const;
  // Compacts everything now (benchmarks and tests: retention takes effect, sizes settle).
  Status CompactAll();
  // Flushes the memtables to disk (tests: force SST files).
  Status Flush();

 private:
  friend class WriteBatch;
  Database(std::string dir, DatabaseOptions options);
  rocksdb::ColumnFamilyHandle* Handle(Family family) const {
    return handles_[static_cast<int>(family)];
  }
  // Makes `error` the sticky failure unless there already is one; returns the sticky failure.
  // Called from RocksDB's threads too (its background errors).
  Status Fail(Status error);

  std::string dir_;
  DatabaseOptions options_;
  std::unique_ptr<rocksdb::CompactionFilter> index_filter_;
  // A writer's environment: options_.env (or the default) with every file write watched.
  std::unique_ptr<rocksdb::Env> env_;
  std::unique_ptr<rocksdb::DB> db_;
  std::array<rocksdb::ColumnFamilyHandle*, kFamilies> handles_{};
  rocksdb::ColumnFamilyHandle* default_handle_ = nullptr;
  std::string secondary_dir_;  // read-only instances: RocksDB's scratch directory

  mutable std::mutex error_mu_;
  Status error_;  // guarded by error_mu_; sticky
  std::atomic<bool> failed_{false};
};

}  // namespace sagetrail::store
