// FaultInjectionFileSystem: the storage seam for failure tests. RocksDB does all of its file I/O
// through a rocksdb::FileSystem; this one forwards to a real one (the local disk) and fails the
// operations a test plans:
//   - the Nth call of one kind of operation (creating or reopening a writable file, Append,
//     PositionedAppend, Flush, Sync, Fsync, RangeSync, Truncate, Close, RenameFile, a directory's
//     Fsync), optionally only on files whose name matches a pattern ("*.log": the write-ahead
//     log, "*.sst", "MANIFEST-*"), with an I/O error or with ENOSPC (NoSpace);
//   - a short write: the Nth Append writes a prefix of its data, then fails;
//   - a disk that fills: every write past a number of bytes fails with NoSpace (the write that
//     crosses the limit writes what fits first), until the limit is lifted.
// It counts every operation by kind, so a test can run a workload once without faults to learn
// how many operations of each kind it does, then sweep N over them.
//
// Use it as a database's environment: MakeEnv(fs). Thread-safe:
// RocksDB calls it from its background threads too.
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace sagetrail::testing {

enum class FsOp : int {
  kNewWritableFile,  // also ReuseWritableFile
  kReopenWritableFile,
  kAppend,
  kPositionedAppend,
  kFlush,
  kSync,
  kFsync,
  kRangeSync,
  kTruncate,  // a writable file's Truncate and FileSystem::Truncate
  kClose,     // a writable file's Close
  kRenameFile,
  kDirFsync,  // a directory's Fsync (FsyncWithDirOptions too)
};
inline constexpr int kFsOpKinds = 12;
const char* FsOpName(FsOp op);

enum class FaultError { kIOError, kNoSpace };
const char* FaultErrorName(FaultError error);

// One planned failure.
struct Fault {
  FsOp op = FsOp::kAppend;
  // The first matching call to fail, counting from 1 since the fault was armed.
  uint64_t nth = 1;
  FaultError error = FaultError::kIOError;
  // fnmatch(3) pattern on the file's base name ("*.log"); empty: any file.
  std::string file_pattern;
  // Append / PositionedAppend only: write the first half of the data before failing.
  bool short_write = false;
  // Fail every matching call from the Nth on (a device that stays broken), not just the Nth.
  bool repeat = false;
};

class FaultInjectionFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  // With `real_syncs` false, syncs (of files and directories) are counted and can fail but do
  // not reach the device: quick, and as good for tests that never lose power (a reopen reads
  // what the process wrote from the page cache).
  explicit FaultInjectionFileSystem(
      std::shared_ptr<rocksdb::FileSystem> target = rocksdb::FileSystem::Default(),
      bool real_syncs = false);

  static const char* kClassName() { return "SagetrailFaultInjectionFileSystem"; }
  const char* Name() const override { return kClassName(); }

  // Plans `fault` (replacing any other); matching calls are counted from now.
  void Arm(Fault fault);
  // Removes the planned fault (one that has fired stays reported by fired()).
  void Disarm();
  // Writes fail with NoSpace once `bytes` more have been written (counting from now).
  void SetSpaceLimit(uint64_t bytes);
  // Frees the disk: writes succeed again.
  void ClearSpaceLimit();

  // Whether a planned fault or the space limit has failed an operation, and the first such
  // operation ("Sync #3 of 000004.log: IOError").
  bool fired() const;
  std::string fired_at() const;

  // Calls of `op` (whether they failed or not) and bytes written since the last ResetCounts().
  uint64_t count(FsOp op) const;
  // Calls the armed fault matched (its kind and file pattern) since it was armed: arm one that
  // never fires (nth = UINT64_MAX) to count the calls a sweep over a pattern goes through.
  uint64_t matches() const;
  uint64_t bytes_written() const;
  // Zeroes the counts (an armed fault counts its matches anew) and forgets that a fault fired.
  void ResetCounts();

  // --- rocksdb::FileSystem ---
  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& fname,
                                       const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& fname, const std::string& old_fname,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& src, const std::string& target,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Truncate(const std::string& fname, size_t size,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override;

  bool real_syncs() const { return real_syncs_; }

  // What the wrapped files ask before each operation (public for them; not for tests).
  struct Decision {
    bool fail = false;
    rocksdb::IOStatus status;  // the error when failing
    size_t write_bytes = 0;    // writes: how much of the data to write first
  };
  // Counts a call of `op` on `fname` (writing `bytes`, for writes) and says whether it fails.
  Decision Check(FsOp op, const std::string& fname, size_t bytes = 0);

 private:
  rocksdb::IOStatus Fail(FsOp op, const std::string& fname, FaultError error) const;

  const bool real_syncs_;
  mutable std::mutex mu_;
  std::array<uint64_t, kFsOpKinds> counts_{};  // guarded by mu_
  uint64_t bytes_written_ = 0;                 // guarded by mu_
  std::optional<Fault> fault_;                 // guarded by mu_
  uint64_t fault_matches_ = 0;                 // guarded by mu_: matching calls since Arm
  std::optional<uint64_t> space_left_;         // guarded by mu_
  std::string fired_at_;                       // guarded by mu_; empty: nothing fired
};

// An environment doing its file I/O through `fs` (threads and clock: the default ones, but
// RocksDB's back-off after a failed flush or compaction, a second, is cut to a millisecond).
std::shared_ptr<rocksdb::Env> MakeEnv(std::shared_ptr<rocksdb::FileSystem> fs);

}  // namespace sagetrail::testing
