// FaultInjectionFileSystem, the storage seam of the failure tests: it fails the Nth call of each
// kind of operation (on files matching a pattern), with an I/O error or ENOSPC, writes a prefix
// before failing a short write, fills up after a number of bytes, and counts what it sees.
#include "fakes/fault_injection_fs.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fakes/temp_dir.h"

namespace sagetrail::testing {
namespace {

using rocksdb::FileOptions;
using rocksdb::IOOptions;
using rocksdb::IOStatus;

std::string Contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class FaultInjectionFsTest : public ::testing::Test {
 protected:
  std::unique_ptr<rocksdb::FSWritableFile> Create(const std::string& name) {
    std::unique_ptr<rocksdb::FSWritableFile> f;
    IOStatus s = fs_->NewWritableFile(dir_.Sub(name), FileOptions(), &f, nullptr);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return f;
  }
  IOStatus Append(rocksdb::FSWritableFile& f, const std::string& data) {
    return f.Append(data, IOOptions(), nullptr);
  }

  TempDir dir_;
  std::shared_ptr<FaultInjectionFileSystem> fs_ = std::make_shared<FaultInjectionFileSystem>();
};

TEST_F(FaultInjectionFsTest, FailsOnlyTheNthMatchingCall) {
  auto log = Create("000001.log");
  auto table = Create("000002.sst");
  fs_->Arm(Fault{.op = FsOp::kAppend, .nth = 2, .file_pattern = "*.log"});
  EXPECT_TRUE(Append(*table, "t1").ok());  // not a match: not counted
  EXPECT_TRUE(Append(*log, "a").ok());
  EXPECT_TRUE(Append(*table, "t2").ok());
  EXPECT_FALSE(fs_->fired());
  IOStatus s = Append(*log, "b");
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_FALSE(s.IsNoSpace());
  EXPECT_TRUE(fs_->fired());
  EXPECT_EQ(fs_->fired_at(), "Append #2 of \"*.log\" (000001.log): IOError");
  EXPECT_TRUE(Append(*log, "c").ok());  // once only
  EXPECT_EQ(fs_->matches(), 3u);
  EXPECT_EQ(fs_->count(FsOp::kAppend), 5u);
  EXPECT_EQ(fs_->count(FsOp::kNewWritableFile), 2u);
  EXPECT_TRUE(log->Close(IOOptions(), nullptr).ok());
  EXPECT_TRUE(table->Close(IOOptions(), nullptr).ok());
  EXPECT_EQ(Contents(dir_.Sub("000001.log")), "ac");  // the failed write wrote nothing
  EXPECT_EQ(Contents(dir_.Sub("000002.sst")), "t1t2");
  EXPECT_EQ(fs_->bytes_written(), 6u);

  fs_->ResetCounts();
  EXPECT_FALSE(fs_->fired());
  EXPECT_EQ(fs_->count(FsOp::kAppend), 0u);
  EXPECT_EQ(fs_->bytes_written(), 0u);
}

TEST_F(FaultInjectionFsTest, ShortWritesNoSpaceAndRepeats) {
  auto f = Create("f");
  fs_->Arm(Fault{.op = FsOp::kAppend, .nth = 1, .short_write = true});
  EXPECT_FALSE(Append(*f, "abcdefgh").ok());
  EXPECT_NE(fs_->fired_at().find("short write"), std::string::npos);
  fs_->Arm(Fault{.op = FsOp::kSync, .nth = 2, .error = FaultError::kNoSpace, .repeat = true});
  EXPECT_TRUE(f->Sync(IOOptions(), nullptr).ok());
  EXPECT_TRUE(f->Sync(IOOptions(), nullptr).IsNoSpace());
  EXPECT_TRUE(f->Sync(IOOptions(), nullptr).IsNoSpace());  // and every one after
  fs_->Disarm();
  EXPECT_TRUE(f->Sync(IOOptions(), nullptr).ok());
  EXPECT_TRUE(f->Close(IOOptions(), nullptr).ok());
  EXPECT_EQ(Contents(dir_.Sub("f")), "abcd");  // half of it
}

TEST_F(FaultInjectionFsTest, ADiskThatFills) {
  auto f = Create("f");
  fs_->SetSpaceLimit(10);
  EXPECT_TRUE(Append(*f, "123456").ok());
  IOStatus s = Append(*f, "abcdef");  // 4 bytes fit
  EXPECT_TRUE(s.IsNoSpace()) << s.ToString();
  EXPECT_TRUE(fs_->fired());
  EXPECT_TRUE(Append(*f, "x").IsNoSpace());
  EXPECT_EQ(fs_->bytes_written(), 10u);
  fs_->ClearSpaceLimit();  // space freed
  EXPECT_TRUE(Append(*f, "!").ok());
  EXPECT_TRUE(f->Close(IOOptions(), nullptr).ok());
  EXPECT_EQ(Contents(dir_.Sub("f")), "123456abcd!");
}

// Every kind of operation can be failed (RocksDB does not use them all in the workloads of the
// sweeps), and a failed one does not happen.
TEST_F(FaultInjectionFsTest, EveryKindOfOperation) {
  IOOptions io;
  auto fail_next = [&](FsOp op) { fs_->Arm(Fault{.op = op, .nth = 1}); };
  auto failed = [&](FsOp op, IOStatus s) {
    EXPECT_TRUE(s.IsIOError()) << FsOpName(op) << ": " << s.ToString();
    EXPECT_EQ(fs_->count(op), 1u) << FsOpName(op);
    fs_->Disarm();
    fs_->ResetCounts();
  };

  std::unique_ptr<rocksdb::FSWritableFile> f;
  fail_next(FsOp::kNewWritableFile);
  failed(FsOp::kNewWritableFile, fs_->NewWritableFile(dir_.Sub("a"), FileOptions(), &f, nullptr));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "a"));
  f = Create("a");
  ASSERT_TRUE(Append(*f, "0123456789").ok());

  for (FsOp op : {FsOp::kPositionedAppend, FsOp::kFlush, FsOp::kSync, FsOp::kFsync,
                  FsOp::kRangeSync, FsOp::kTruncate}) {
    fail_next(op);
    IOStatus s;
    switch (op) {
      case FsOp::kPositionedAppend:
        s = f->PositionedAppend("xy", 10, io, nullptr);
        break;
      case FsOp::kFlush:
        s = f->Flush(io, nullptr);
        break;
      case FsOp::kSync:
        s = f->Sync(io, nullptr);
        break;
      case FsOp::kFsync:
        s = f->Fsync(io, nullptr);
        break;
      case FsOp::kRangeSync:
        s = f->RangeSync(0, 10, io, nullptr);
        break;
      default:
        s = f->Truncate(4, io, nullptr);
        break;
    }
    failed(op, s);
  }
  fail_next(FsOp::kClose);
  failed(FsOp::kClose, f->Close(io, nullptr));
  EXPECT_EQ(Contents(dir_.Sub("a")), "0123456789");  // no append, no truncation

  fail_next(FsOp::kReopenWritableFile);
  failed(FsOp::kReopenWritableFile,
         fs_->ReopenWritableFile(dir_.Sub("a"), FileOptions(), &f, nullptr));
  fail_next(FsOp::kTruncate);
  failed(FsOp::kTruncate, fs_->Truncate(dir_.Sub("a"), 2, io, nullptr));
  EXPECT_EQ(Contents(dir_.Sub("a")), "0123456789");
  fail_next(FsOp::kRenameFile);
  failed(FsOp::kRenameFile, fs_->RenameFile(dir_.Sub("a"), dir_.Sub("b"), io, nullptr));
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "a"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "b"));

  std::unique_ptr<rocksdb::FSDirectory> d;
  ASSERT_TRUE(fs_->NewDirectory(dir_.path().string(), io, &d, nullptr).ok());
  fail_next(FsOp::kDirFsync);
  failed(FsOp::kDirFsync, d->Fsync(io, nullptr));
  fail_next(FsOp::kDirFsync);
  failed(FsOp::kDirFsync, d->FsyncWithDirOptions(io, nullptr, rocksdb::DirFsyncOptions()));

  // Without a fault they all go through.
  fs_->Disarm();
  ASSERT_TRUE(fs_->ReopenWritableFile(dir_.Sub("a"), FileOptions(), &f, nullptr).ok());
  EXPECT_TRUE(Append(*f, "ab").ok());
  EXPECT_TRUE(f->Sync(io, nullptr).ok());
  EXPECT_TRUE(f->Close(io, nullptr).ok());
  EXPECT_TRUE(fs_->RenameFile(dir_.Sub("a"), dir_.Sub("b"), io, nullptr).ok());
  EXPECT_TRUE(d->Fsync(io, nullptr).ok());
  EXPECT_EQ(Contents(dir_.Sub("b")), "0123456789ab");
}

}  // namespace
}  // namespace sagetrail::testing
