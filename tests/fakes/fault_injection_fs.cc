#include "fakes/fault_injection_fs.h"

#include <fnmatch.h>
#include <rocksdb/system_clock.h>

#include <algorithm>
#include <utility>

namespace sagetrail::testing {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

std::string BaseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// A writable file whose every operation asks the file system first.
class FaultyWritableFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultyWritableFile(std::unique_ptr<rocksdb::FSWritableFile> target, FaultInjectionFileSystem& fs,
                     std::string fname)
      : FSWritableFileOwnerWrapper(std::move(target)), fs_(fs), fname_(std::move(fname)) {}

  IOStatus Append(const Slice& data, const IOOptions& options, IODebugContext* dbg) override {
    auto d = fs_.Check(FsOp::kAppend, fname_, data.size());
    if (!d.fail) return FSWritableFileOwnerWrapper::Append(data, options, dbg);
    return WritePrefix(d, data, [&](const Slice& prefix) {
      return FSWritableFileOwnerWrapper::Append(prefix, options, dbg);
    });
  }
  IOStatus Append(const Slice& data, const IOOptions& options,
                  const rocksdb::DataVerificationInfo& info, IODebugContext* dbg) override {
    auto d = fs_.Check(FsOp::kAppend, fname_, data.size());
    if (!d.fail) return FSWritableFileOwnerWrapper::Append(data, options, info, dbg);
    // The checksum covers the whole data: the prefix goes without it.
    return WritePrefix(d, data, [&](const Slice& prefix) {
      return FSWritableFileOwnerWrapper::Append(prefix, options, dbg);
    });
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& options,
                            IODebugContext* dbg) override {
    auto d = fs_.Check(FsOp::kPositionedAppend, fname_, data.size());
    if (!d.fail) return FSWritableFileOwnerWrapper::PositionedAppend(data, offset, options, dbg);
    return WritePrefix(d, data, [&](const Slice& prefix) {
      return FSWritableFileOwnerWrapper::PositionedAppend(prefix, offset, options, dbg);
    });
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& options,
                            const rocksdb::DataVerificationInfo& info,
                            IODebugContext* dbg) override {
    auto d = fs_.Check(FsOp::kPositionedAppend, fname_, data.size());
    if (!d.fail) {
      return FSWritableFileOwnerWrapper::PositionedAppend(data, offset, options, info, dbg);
    }
    return WritePrefix(d, data, [&](const Slice& prefix) {
      return FSWritableFileOwnerWrapper::PositionedAppend(prefix, offset, options, dbg);
    });
  }
  IOStatus Truncate(uint64_t size, const IOOptions& options, IODebugContext* dbg) override {
    auto d = fs_.Check(FsOp::kTruncate, fname_);
    return d.fail ? d.status : FSWritableFileOwnerWrapper::Truncate(size, options, dbg);
  }
  IOStatus Close(const IOOptions& options, IODebugContext* dbg) override {
    auto d = fs_.Check(FsOp::kClose, fname_);
    // Like close(2) reporting a failed write-back: the descriptor goes all the same.
    IOStatus s = FSWritableFileOwnerWrapper::Close(options, dbg);
    return d.fail ? d.status : s;
  }
  IOStatus Flush(const IOOptions& options, IODebugContext* dbg) override {
    auto d = fs_.Check(FsOp::kFlush, fname_);
    return d.fail ? d.status : FSWritableFileOwnerWrapper::Flush(options, dbg);
  }
  IOStatus Sync(const IOOptions& options, IODebugContext* dbg) override {
    auto d = fs_.Check(FsOp::kSync, fname_);
    if (d.fail) return d.status;
    return fs_.real_syncs() ? FSWritableFileOwnerWrapper::Sync(options, dbg) : IOStatus::OK();
  }
  IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
    auto d = fs_.Check(FsOp::kFsync, fname_);
    if (d.fail) return d.status;
    return fs_.real_syncs() ? FSWritableFileOwnerWrapper::Fsync(options, dbg) : IOStatus::OK();
  }
  IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const IOOptions& options,
                     IODebugContext* dbg) override {
    auto d = fs_.Check(FsOp::kRangeSync, fname_);
    if (d.fail) return d.status;
    return fs_.real_syncs() ? FSWritableFileOwnerWrapper::RangeSync(offset, nbytes, options, dbg)
                            : IOStatus::OK();
  }

 private:
  // A failed write: the part that fits (a short write, a disk filling up), then the error.
  template <typename WriteFn>
  IOStatus WritePrefix(const FaultInjectionFileSystem::Decision& d, const Slice& data,
                       WriteFn write) {
    if (d.write_bytes > 0) write(Slice(data.data(), d.write_bytes)).PermitUncheckedError();
    return d.status;
  }

  FaultInjectionFileSystem& fs_;
  std::string fname_;
};

class FaultyDirectory final : public rocksdb::FSDirectoryWrapper {
 public:
  FaultyDirectory(std::unique_ptr<rocksdb::FSDirectory> target, FaultInjectionFileSystem& fs,
                  std::string name)
      : FSDirectoryWrapper(std::move(target)), fs_(fs), name_(std::move(name)) {}

  IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
    auto d = fs_.Check(FsOp::kDirFsync, name_);
    if (d.fail) return d.status;
    return fs_.real_syncs() ? FSDirectoryWrapper::Fsync(options, dbg) : IOStatus::OK();
  }
  IOStatus FsyncWithDirOptions(const IOOptions& options, IODebugContext* dbg,
                               const rocksdb::DirFsyncOptions& dir_options) override {
    auto d = fs_.Check(FsOp::kDirFsync, name_);
    if (d.fail) return d.status;
    return fs_.real_syncs() ? FSDirectoryWrapper::FsyncWithDirOptions(options, dbg, dir_options)
                            : IOStatus::OK();
  }

 private:
  FaultInjectionFileSystem& fs_;
  std::string name_;
};

}  // namespace

const char* FsOpName(FsOp op) {
  switch (op) {
    case FsOp::kNewWritableFile:
      return "NewWritableFile";
    case FsOp::kReopenWritableFile:
      return "ReopenWritableFile";
    case FsOp::kAppend:
      return "Append";
    case FsOp::kPositionedAppend:
      return "PositionedAppend";
    case FsOp::kFlush:
      return "Flush";
    case FsOp::kSync:
      return "Sync";
    case FsOp::kFsync:
      return "Fsync";
    case FsOp::kRangeSync:
      return "RangeSync";
    case FsOp::kTruncate:
      return "Truncate";
    case FsOp::kClose:
      return "Close";
    case FsOp::kRenameFile:
      return "RenameFile";
    case FsOp::kDirFsync:
      return "DirFsync";
  }
  return "?";
}

const char* FaultErrorName(FaultError error) {
  return error == FaultError::kNoSpace ? "NoSpace" : "IOError";
}

FaultInjectionFileSystem::FaultInjectionFileSystem(std::shared_ptr<rocksdb::FileSystem> target,
                                                   bool real_syncs)
    : FileSystemWrapper(std::move(target)), real_syncs_(real_syncs) {}

void FaultInjectionFileSystem::Arm(Fault fault) {
  std::lock_guard<std::mutex> l(mu_);
  fault_ = std::move(fault);
  fault_matches_ = 0;
}

void FaultInjectionFileSystem::Disarm() {
  std::lock_guard<std::mutex> l(mu_);
  fault_.reset();
}

void FaultInjectionFileSystem::SetSpaceLimit(uint64_t bytes) {
  std::lock_guard<std::mutex> l(mu_);
  space_left_ = bytes;
}

void FaultInjectionFileSystem::ClearSpaceLimit() {
  std::lock_guard<std::mutex> l(mu_);
  space_left_.reset();
}

bool FaultInjectionFileSystem::fired() const {
  std::lock_guard<std::mutex> l(mu_);
  return !fired_at_.empty();
}

std::string FaultInjectionFileSystem::fired_at() const {
  std::lock_guard<std::mutex> l(mu_);
  return fired_at_;
}

uint64_t FaultInjectionFileSystem::count(FsOp op) const {
  std::lock_guard<std::mutex> l(mu_);
  return counts_[static_cast<int>(op)];
}

uint64_t FaultInjectionFileSystem::matches() const {
  std::lock_guard<std::mutex> l(mu_);
  return fault_matches_;
}

uint64_t FaultInjectionFileSystem::bytes_written() const {
  std::lock_guard<std::mutex> l(mu_);
  return bytes_written_;
}

void FaultInjectionFileSystem::ResetCounts() {
  std::lock_guard<std::mutex> l(mu_);
  counts_.fill(0);
  bytes_written_ = 0;
  fault_matches_ = 0;
  fired_at_.clear();
}

IOStatus FaultInjectionFileSystem::Fail(FsOp op, const std::string& fname, FaultError error) const {
  std::string what = std::string("injected fault: ") + FsOpName(op);
  return error == FaultError::kNoSpace ? IOStatus::NoSpace(what, fname)
                                       : IOStatus::IOError(what, fname);
}

FaultInjectionFileSystem::Decision FaultInjectionFileSystem::Check(FsOp op,
                                                                   const std::string& fname,
                                                                   size_t bytes) {
  const bool write = op == FsOp::kAppend || op == FsOp::kPositionedAppend;
  std::string base = BaseName(fname);
  std::lock_guard<std::mutex> l(mu_);
  ++counts_[static_cast<int>(op)];
  Decision d;
  d.write_bytes = bytes;
  if (fault_ && fault_->op == op &&
      (fault_->file_pattern.empty() ||
       ::fnmatch(fault_->file_pattern.c_str(), base.c_str(), 0) == 0)) {
    ++fault_matches_;
    if (fault_matches_ == fault_->nth || (fault_->repeat && fault_matches_ > fault_->nth)) {
      d.fail = true;
      d.status = Fail(op, fname, fault_->error);
      d.write_bytes = write && fault_->short_write ? bytes / 2 : 0;
      if (fired_at_.empty()) {
        fired_at_ = std::string(FsOpName(op)) + " #" + std::to_string(fault_matches_) +
                    (fault_->file_pattern.empty() ? "" : " of \"" + fault_->file_pattern + "\"") +
                    " (" + base + "): " + (fault_->short_write ? "short write, " : "") +
                    FaultErrorName(fault_->error);
      }
    }
  }
  if (!d.fail && write && space_left_) {
    if (bytes > *space_left_) {
      d.fail = true;
      d.status = Fail(op, fname, FaultError::kNoSpace);
      d.write_bytes = *space_left_;
      if (fired_at_.empty()) {
        fired_at_ = std::string(FsOpName(op)) + " of " + std::to_string(bytes) + " bytes (" + base +
                    ") with " + std::to_string(*space_left_) + " left: NoSpace";
      }
    }
    *space_left_ -= d.write_bytes;
  }
  bytes_written_ += d.write_bytes;
  return d;
}

IOStatus FaultInjectionFileSystem::NewWritableFile(const std::string& fname,
                                                   const rocksdb::FileOptions& options,
                                                   std::unique_ptr<rocksdb::FSWritableFile>* result,
                                                   IODebugContext* dbg) {
  auto d = Check(FsOp::kNewWritableFile, fname);
  if (d.fail) return d.status;
  std::unique_ptr<rocksdb::FSWritableFile> file;
  IOStatus s = target()->NewWritableFile(fname, options, &file, dbg);
  if (s.ok()) *result = std::make_unique<FaultyWritableFile>(std::move(file), *this, fname);
  return s;
}

IOStatus FaultInjectionFileSystem::ReopenWritableFile(
    const std::string& fname, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, IODebugContext* dbg) {
  auto d = Check(FsOp::kReopenWritableFile, fname);
  if (d.fail) return d.status;
  std::unique_ptr<rocksdb::FSWritableFile> file;
  IOStatus s = target()->ReopenWritableFile(fname, options, &file, dbg);
  if (s.ok()) *result = std::make_unique<FaultyWritableFile>(std::move(file), *this, fname);
  return s;
}

IOStatus FaultInjectionFileSystem::ReuseWritableFile(
    const std::string& fname, const std::string& old_fname, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, IODebugContext* dbg) {
  auto d = Check(FsOp::kNewWritableFile, fname);
  if (d.fail) return d.status;
  std::unique_ptr<rocksdb::FSWritableFile> file;
  IOStatus s = target()->ReuseWritableFile(fname, old_fname, options, &file, dbg);
  if (s.ok()) *result = std::make_unique<FaultyWritableFile>(std::move(file), *this, fname);
  return s;
}

IOStatus FaultInjectionFileSystem::NewDirectory(const std::string& name, const IOOptions& options,
                                                std::unique_ptr<rocksdb::FSDirectory>* result,
                                                IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSDirectory> dir;
  IOStatus s = target()->NewDirectory(name, options, &dir, dbg);
  if (s.ok()) *result = std::make_unique<FaultyDirectory>(std::move(dir), *this, name);
  return s;
}

IOStatus FaultInjectionFileSystem::RenameFile(const std::string& src, const std::string& target,
                                              const IOOptions& options, IODebugContext* dbg) {
  auto d = Check(FsOp::kRenameFile, target);
  return d.fail ? d.status : FileSystemWrapper::RenameFile(src, target, options, dbg);
}

IOStatus FaultInjectionFileSystem::Truncate(const std::string& fname, size_t size,
                                            const IOOptions& options, IODebugContext* dbg) {
  auto d = Check(FsOp::kTruncate, fname);
  return d.fail ? d.status : FileSystemWrapper::Truncate(fname, size, options, dbg);
}

namespace {

// RocksDB waits a second after a failed flush or compaction before it goes on (in case the
// trouble passes); in tests that fail them on purpose, a millisecond will do.
class QuickSleepClock final : public rocksdb::SystemClockWrapper {
 public:
  explicit QuickSleepClock(const std::shared_ptr<rocksdb::SystemClock>& target)
      : SystemClockWrapper(target) {}
  static const char* kClassName() { return "SagetrailQuickSleepClock"; }
  const char* Name() const override { return kClassName(); }
  void SleepForMicroseconds(int micros) override {
    SystemClockWrapper::SleepForMicroseconds(std::min(micros, 1000));
  }
};

class FaultTestEnv final : public rocksdb::EnvWrapper {
 public:
  explicit FaultTestEnv(std::unique_ptr<rocksdb::Env> target) : EnvWrapper(std::move(target)) {
    system_clock_ = std::make_shared<QuickSleepClock>(system_clock_);
  }
  static const char* kClassName() { return "SagetrailFaultTestEnv"; }
  const char* Name() const override { return kClassName(); }
  void SleepForMicroseconds(int micros) override {
    EnvWrapper::SleepForMicroseconds(std::min(micros, 1000));
  }
};

}  // namespace

std::shared_ptr<rocksdb::Env> MakeEnv(std::shared_ptr<rocksdb::FileSystem> fs) {
  return std::make_shared<FaultTestEnv>(rocksdb::NewCompositeEnv(fs));
}

}  // namespace sagetrail::testing
