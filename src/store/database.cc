#include "store/database.h"

#include <rocksdb/cache.h>
#include <rocksdb/file_system.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/listener.h>
#include <rocksdb/options.h>
#include <rocksdb/perf_level.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <cassert>

#include <cassert>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <vector>

namespace sagetrail::store {
namespace {

constexpr const char* kFamilyNames[kFamilies] = {"records", "index", "state", "meta"};

rocksdb::Slice ToSlice(std::string_view s) { return {s.data(), s.size()}; }

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::Ok();
  std::string message = std::string(what) + ": " + s.ToString();
  if (s.IsCorruption()) return Status::Corruption(message);
  if (s.IsNotFound()) return Status::NotFound(message);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(message);
  return Status::IOError(message);
}

// RocksDB's own log (warnings and errors) goes to the server's log, not to a LOG file on the data
// disk: when that disk is full, the component reporting it must not keep writing to it (the
// system librocksdb asserts when its LOG writer is used again after a failed write).
class ServerLogger final : public rocksdb::Logger {
 public:
  ServerLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  void Logv(const char* format, va_list ap) override {
    Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
  }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel() || level == rocksdb::InfoLogLevel::HEADER_LEVEL) return;
    char text[1024];
    std::vsnprintf(text, sizeof(text), format, ap);
    if (level >= rocksdb::InfoLogLevel::ERROR_LEVEL) {
      spdlog::error("storage engine: {}", text);
    } else {
      spdlog::warn("storage engine: {}", text);
    }
  }
};

// The prefix of a key under which its family's keys are written in order (see
// DatabaseOptions::index_run_prefix): the memtable keeps an insert position per prefix.
class RunPrefix final : public rocksdb::SliceTransform {
 public:
  using Length = std::function<std::optional<size_t>(std::string_view key)>;
  explicit RunPrefix(Length length) : length_(std::move(length)) {}
  const char* Name() const override { return "sagetrail.RunPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    auto n = length_(std::string_view(key.data(), key.size()));
    return rocksdb::Slice(key.data(), n ? std::min(*n, key.size()) : 0);
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return length_(std::string_view(key.data(), key.size())).has_value();
  }

 private:
  Length length_;
};

// Drops index keys that the retention policy says are expired, as they are compacted.
class IndexRetentionFilter final : public rocksdb::CompactionFilter {
 public:
  explicit IndexRetentionFilter(std::function<bool(std::string_view)> expired)
      : expired_(std::move(expired)) {}
  bool Filter(int, const rocksdb::Slice& key, const rocksdb::Slice&, std::string*,
              bool*) const override {
    return expired_(std::string_view(key.data(), key.size()));
  }
  const char* Name() const override { return "sagetrail.IndexRetention"; }

 private:
  std::function<bool(std::string_view)> expired_;
};

// Reports every error of RocksDB's background work (flushes, compactions, log and manifest
// writes) the moment it happens, and keeps RocksDB from resuming writes by itself afterwards.
// Called on RocksDB's threads, without its lock held.
class FailureListener final : public rocksdb::EventListener {
 public:
  explicit FailureListener(std::function<void(Status)> fail) : fail_(std::move(fail)) {}
  const char* Name() const override { return "sagetrail.FailureListener"; }

  void OnBackgroundError(rocksdb::BackgroundErrorReason reason, rocksdb::Status* error) override {
    if (error == nullptr || error->ok()) return;
    fail_(FromRocks(*error, std::string(What(reason)) +
                                " failed; no further writes until the server restarts"));
  }
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status,
                            bool* auto_recovery) override {
    if (auto_recovery != nullptr) *auto_recovery = false;
  }

 private:
  static const char* What(rocksdb::BackgroundErrorReason reason) {
    switch (reason) {
      case rocksdb::BackgroundErrorReason::kFlush:
      case rocksdb::BackgroundErrorReason::kFlushNoWAL:
        return "a flush";
      case rocksdb::BackgroundErrorReason::kCompaction:
        return "a compaction";
      case rocksdb::BackgroundErrorReason::kManifestWrite:
      case rocksdb::BackgroundErrorReason::kManifestWriteNoWAL:
        return "a manifest write";
      case rocksdb::BackgroundErrorReason::kWriteCallback:
      case rocksdb::BackgroundErrorReason::kMemTable:
        break;
    }
    return "a write";
  }

  std::function<void(Status)> fail_;
};

// Every write the database's files take goes through here: a failed append, flush, sync,
// close, truncate, file creation, rename or directory sync is reported, whether or not RocksDB
// acts on it (it ignores a few, such as the failed close of a log whose contents already went
// to table files). Only I/O errors count (not NotSupported and the like).
using IOFailure =
    std::function<void(const rocksdb::IOStatus&, const char* op, const std::string& fname)>;

rocksdb::IOStatus Watch(const IOFailure& failed, rocksdb::IOStatus s, const char* op,
                        const std::string& fname) {
  if (s.IsIOError()) failed(s, op, fname);
  return s;
}

class WatchedFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  WatchedFile(std::unique_ptr<rocksdb::FSWritableFile> file, const IOFailure& failed,
              std::string fname)
      : FSWritableFileOwnerWrapper(std::move(file)), failed_(failed), fname_(std::move(fname)) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                           rocksdb::IODebugContext* dbg) override {
    return Watch(failed_, FSWritableFileOwnerWrapper::Append(data, o, dbg), "append", fname_);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    return Watch(failed_, FSWritableFileOwnerWrapper::Append(data, o, info, dbg), "append", fname_);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& o,
                                     rocksdb::IODebugContext* dbg) override {
    return Watch(failed_, FSWritableFileOwnerWrapper::PositionedAppend(data, offset, o, dbg),
                 "append", fname_);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& o,
                                     const rocksdb::DataVerificationInfo& info,
                                     rocksdb::IODebugContext* dbg) override {
    return Watch(failed_, FSWritableFileOwnerWrapper::PositionedAppend(data, offset, o, info, dbg),
                 "append", fname_);
  }
  rocksdb::IOStatus Truncate(uint64_t size, const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override {
    return Watch(failed_, FSWritableFileOwnerWrapper::Truncate(size, o, dbg), "truncate", fname_);
  }
  rocksdb::IOStatus Close(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    return Watch(failed_, FSWritableFileOwnerWrapper::Close(o, dbg), "close", fname_);
  }
  rocksdb::IOStatus Flush(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    return Watch(failed_, FSWritableFileOwnerWrapper::Flush(o, dbg), "flush", fname_);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    return Watch(failed_, FSWritableFileOwnerWrapper::Sync(o, dbg), "sync", fname_);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    return Watch(failed_, FSWritableFileOwnerWrapper::Fsync(o, dbg), "sync", fname_);
  }
  rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const rocksdb::IOOptions& o,
                              rocksdb::IODebugContext* dbg) override {
    return Watch(failed_, FSWritableFileOwnerWrapper::RangeSync(offset, nbytes, o, dbg), "sync",
                 fname_);
  }

 private:
  const IOFailure& failed_;  // the file system's, which outlives its files
  std::string fname_;
};

class WatchedDirectory final : public rocksdb::FSDirectoryWrapper {
 public:
  WatchedDirectory(std::unique_ptr<rocksdb::FSDirectory> dir, const IOFailure& failed,
                   std::string name)
      : FSDirectoryWrapper(std::move(dir)), failed_(failed), name_(std::move(name)) {}

  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    return Watch(failed_, FSDirectoryWrapper::Fsync(o, dbg), "sync", name_);
  }
  rocksdb::IOStatus FsyncWithDirOptions(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg,
                                        const rocksdb::DirFsyncOptions& d) override {
    return Watch(failed_, FSDirectoryWrapper::FsyncWithDirOptions(o, dbg, d), "sync", name_);
  }

 private:
  const IOFailure& failed_;
  std::string name_;
};

class WatchedFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  WatchedFileSystem(std::shared_ptr<rocksdb::FileSystem> target, IOFailure failed)
      : FileSystemWrapper(std::move(target)), failed_(std::move(failed)) {}
  static const char* kClassName() { return "sagetrail.WatchedFileSystem"; }
  const char* Name() const override { return kClassName(); }

  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    return Wrap(target()->NewWritableFile(fname, o, result, dbg), fname, result);
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& fname, const rocksdb::FileOptions& o,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override {
    return Wrap(target()->ReopenWritableFile(fname, o, result, dbg), fname, result);
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& fname, const std::string& old_fname,
                                      const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override {
    return Wrap(target()->ReuseWritableFile(fname, old_fname, o, result, dbg), fname, result);
  }
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& o,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewDirectory(name, o, result, dbg);
    if (s.ok()) *result = std::make_unique<WatchedDirectory>(std::move(*result), failed_, name);
    return s;
  }
  rocksdb::IOStatus RenameFile(const std::string& src, const std::string& dst,
                               const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    return Watch(failed_, target()->RenameFile(src, dst, o, dbg), "rename", dst);
  }
  rocksdb::IOStatus Truncate(const std::string& fname, size_t size, const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override {
    return Watch(failed_, target()->Truncate(fname, size, o, dbg), "truncate", fname);
  }

 private:
  rocksdb::IOStatus Wrap(rocksdb::IOStatus s, const std::string& fname,
                         std::unique_ptr<rocksdb::FSWritableFile>* result) {
    if (s.ok()) {
      *result = std::make_unique<WatchedFile>(std::move(*result), failed_, fname);
    }
    return Watch(failed_, std::move(s), "create", fname);
  }

  IOFailure failed_;
};

// `target` (its threads and clock) doing its file I/O through `fs`.
class WatchedEnv final : public rocksdb::EnvWrapper {
 public:
  WatchedEnv(rocksdb::Env* target, std::shared_ptr<rocksdb::FileSystem> fs) : EnvWrapper(target) {
    file_system_ = std::move(fs);
  }
  static const char* kClassName() { return "sagetrail.WatchedEnv"; }
  const char* Name() const override { return kClassName(); }
};

}  // namespace

void WriteBatch::Put(Family family, std::string_view key, std::string_view value) {
  batch_.Put(db_.Handle(family), ToSlice(key), ToSlice(value));
}

void WriteBatch::Delete(Family family, std::string_view key) {
  batch_.Delete(db_.Handle(family), ToSlice(key));
}

void WriteBatch::DeleteRange(Family family, std::string_view begin, std::string_view end) {
  assert(family != Family::kIndex);
  batch_.DeleteRange(db_.Handle(family), ToSlice(begin), ToSlice(end));
}

Status Cursor::status() const { return FromRocks(it_->status(), "iteration"); }

Database::Database(std::string dir, DatabaseOptions options)
    : dir_(std::move(dir)), options_(std::move(options)) {}

Database::~Database() {
  if (db_) {
    for (rocksdb::ColumnFamilyHandle* h : handles_) {
      if (h != nullptr) db_->DestroyColumnFamilyHandle(h);
    }
    if (default_handle_ != nullptr) db_->DestroyColumnFamilyHandle(default_handle_);
    db_->Close();
    db_.reset();
  }
  if (!secondary_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(secondary_dir_, ec);
  }
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& dir, DatabaseOptions options) {
  auto db = std::unique_ptr<Database>(new Database(dir, std::move(options)));
  const DatabaseOptions& o = db->options_;

  rocksdb::Options base;
  base.create_if_missing = !o.read_only;
  base.create_missing_column_families = !o.read_only;
  base.paranoid_checks = true;
  // Recover everything up to the last complete write, as a crash may leave a torn tail.
  base.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  base.max_background_jobs = 2;
  base.keep_log_file_num = 4;
  base.max_total_wal_size = 64u << 20;
  base.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  base.info_log = std::make_shared<ServerLogger>();
  // Open table files on demand; a read-only instance keeps every file it needs open once
  // opened, so a compaction of the primary cannot pull one from under it.
  base.max_open_files = o.read_only ? -1 : 512;
  if (o.env) base.env = o.env.get();
  if (!o.read_only) {
    // A failed write is the database's failure whoever meets it: RocksDB's background work
    // (the listener) or any file operation (the watched file system). Both go with RocksDB,
    // which db outlives.
    Database* self = db.get();
    base.listeners.push_back(
        std::make_shared<FailureListener>([self](Status error) { self->Fail(std::move(error)); }));
    auto fs = std::make_shared<WatchedFileSystem>(
        base.env->GetFileSystem(),
        [self](const rocksdb::IOStatus& s, const char* op, const std::string& fname) {
          std::string file = std::filesystem::path(fname).filename().string();
          self->Fail(FromRocks(s, std::string(op) + " of " + file +
                                      " failed; no further writes until the server restarts"));
        });
    db->env_ = std::make_unique<WatchedEnv>(base.env, std::move(fs));
    base.env = db->env_.get();
  }

  // Bounded memory whatever the history's size: data, index and filter blocks share one cache.
  auto cache = rocksdb::NewLRUCache(o.block_cache_bytes);
  auto table_options = [&](bool bloom) {
    rocksdb::BlockBasedTableOptions t;
    t.block_cache = cache;
    t.cache_index_and_filter_blocks = true;
    t.cache_index_and_filter_blocks_with_high_priority = true;
    t.pin_l0_filter_and_index_blocks_in_cache = true;
    t.block_size = 16 * 1024;
    if (bloom) t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    return rocksdb::NewBlockBasedTableFactory(t);
  };

  // RocksDB's default family stays empty; ours follow it.
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  families.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions(base));
  for (int i = 0; i < kFamilies; ++i) {
    rocksdb::ColumnFamilyOptions cf(base);
    cf.write_buffer_size = o.write_buffer_bytes;
    cf.max_write_buffer_number = 2;
    cf.compression = rocksdb::kLZ4Compression;
    cf.bottommost_compression = rocksdb::kZSTD;
    cf.table_factory.reset(table_options(static_cast<Family>(i) != Family::kRecords));
    if (static_cast<Family>(i) == Family::kIndex && o.index_expired) {
      db->index_filter_ = std::make_unique<IndexRetentionFilter>(o.index_expired);
      cf.compaction_filter = db->index_filter_.get();
    }
    // Insert hints only where nothing is ever range-deleted: RocksDB keeps one hint per prefix
    // for a memtable's point and range-tombstone lists alike, so a DeleteRange in a hinted family
    // would start its search from a node of the other list (records are range-deleted).
    if (static_cast<Family>(i) == Family::kIndex && o.index_run_prefix) {
      cf.memtable_insert_with_hint_prefix_extractor.reset(new RunPrefix(o.index_run_prefix));
    }
    if (static_cast<Family>(i) == Family::kState || static_cast<Family>(i) == Family::kMeta) {
      cf.write_buffer_size = std::min<size_t>(o.write_buffer_bytes, 4u << 20);
    }
    families.emplace_back(kFamilyNames[i], cf);
  }
  rocksdb::DBOptions db_options(base);

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  if (o.read_only) {
    if (!std::filesystem::exists(std::filesystem::path(dir) / "CURRENT")) {
      return Status::NotFound("no database in " + dir);
    }
    // A secondary instance: it reads the primary's files and log without taking its lock.
    db->secondary_dir_ = (std::filesystem::temp_directory_path() /
                          ("sagetrail-secondary-" + std::to_string(::getpid()) + "-" +
                           std::to_string(reinterpret_cast<uintptr_t>(db.get()))))
                             .string();
    s = rocksdb::DB::OpenAsSecondary(db_options, dir, db->secondary_dir_, families, &handles, &raw);
  } else {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);  // (an error shows when opening)
    s = rocksdb::DB::Open(db_options, dir, families, &handles, &raw);
  }
  if (!s.ok()) return FromRocks(s, "cannot open the database in " + dir);
  db->db_.reset(raw);
  db->default_handle_ = handles[0];
  for (int i = 0; i < kFamilies; ++i) db->handles_[i] = handles[i + 1];
  return db;
}

Status Database::health() const {
  if (options_.read_only) return Status::Unavailable("the database is open read-only");
  if (!failed_.load(std::memory_order_acquire)) return Status::Ok();
  std::lock_guard<std::mutex> l(error_mu_);
  return error_;
}

Status Database::Write(WriteBatch& batch) {
  if (Status h = health(); !h.ok()) return h;
  // No per-operation counters (on by default, a thread-local update per key comparison).
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
  rocksdb::WriteOptions w;
  w.sync = options_.sync;
  rocksdb::Status s = db_->Write(w, &batch.batch_);
  if (s.ok()) return Status::Ok();
  return Fail(FromRocks(s, "write failed; no further writes until the server restarts"));
}

Status Database::Fail(Status error) {
  {
    std::lock_guard<std::mutex> l(error_mu_);
    if (error_.ok()) error_ = std::move(error);
    error = error_;
  }
  failed_.store(true, std::memory_order_release);
  return error;
}

Result<std::optional<std::string>> Database::Get(Family family, std::string_view key) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), Handle(family), ToSlice(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "read");
  return std::optional<std::string>(std::move(value));
}

Result<std::vector<std::optional<std::string>>> Database::MultiGet(
    Family family, const std::vector<std::string>& keys) const {
  std::vector<rocksdb::Slice> slices;
  slices.reserve(keys.size());
  for (const std::string& k : keys) slices.push_back(ToSlice(k));
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db_->MultiGet(rocksdb::ReadOptions(), Handle(family), slices.size(), slices.data(), values.data(),
                statuses.data());
  std::vector<std::optional<std::string>> out(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    if (!statuses[i].ok()) return FromRocks(statuses[i], "read");
    out[i] = values[i].ToString();
  }
  return out;
}

Cursor Database::NewCursor(Family family) const {
  return Cursor(
      std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(rocksdb::ReadOptions(), Handle(family))));
}

Status Database::Refresh() {
  if (!options_.read_only) return Status::Ok();
  return FromRocks(db_->TryCatchUpWithPrimary(), "catching up with the server");
}

uint64_t Database::DiskBytes() const {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    std::string name = entry.path().filename().string();
    bool data = name.ends_with(".sst") || name.ends_with(".log") || name.ends_with(".blob");
    if (data && entry.is_regular_file(ec)) total += entry.file_size(ec);
  }
  return total;
}

Status Database::CompactAll() {
  for (rocksdb::ColumnFamilyHandle* h : handles_) {
    rocksdb::CompactRangeOptions c;
    c.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    rocksdb::Status s = db_->CompactRange(c, h, nullptr, nullptr);
    if (!s.ok()) {
      return Fail(FromRocks(s, "compaction failed; no further writes until the server restarts"));
    }
  }
  return Status::Ok();
}

Status Database::Flush() {
  std::vector<rocksdb::ColumnFamilyHandle*> all(handles_.begin(), handles_.end());
  rocksdb::Status s = db_->Flush(rocksdb::FlushOptions(), all);
  if (s.ok()) return Status::Ok();
  return Fail(FromRocks(s, "flush failed; no further writes until the server restarts"));
}

}  // namespace sagetrail::store
