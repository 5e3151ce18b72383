// Database: batches across families are atomic and visible at once, reads (Get, cursors), health,
// read-only instances, and a failed write seen through the fault-injecting file system: refused,
// invisible, sticky, and all-or-nothing after a restart.
#include "store/database.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fakes/fault_injection_fs.h"
#include "fakes/temp_dir.h"

namespace sagetrail::store {
namespace {

using sagetrail::testing::Fault;
using sagetrail::testing::FaultError;
using sagetrail::testing::FaultInjectionFileSystem;
using sagetrail::testing::FsOp;
using sagetrail::testing::MakeEnv;
using sagetrail::testing::TempDir;

std::unique_ptr<Database> OpenOrDie(const std::string& dir, DatabaseOptions options = {}) {
  auto db = Database::Open(dir, std::move(options));
  EXPECT_TRUE(db.ok()) << (db.ok() ? "" : db.error().ToString());
  return db.ok() ? std::move(db).value() : nullptr;
}

std::optional<std::string> GetOrDie(const Database& db, Family family, std::string_view key) {
  auto v = db.Get(family, key);
  EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error().ToString());
  return v.ok() ? *v : std::nullopt;
}

// Every (key, value) of a family, in key order.
std::vector<std::pair<std::string, std::string>> All(const Database& db, Family family) {
  std::vector<std::pair<std::string, std::string>> out;
  Cursor c = db.NewCursor(family);
  for (c.SeekToFirst(); c.Valid(); c.Next()) out.emplace_back(c.key(), c.value());
  EXPECT_TRUE(c.status().ok()) << c.status().ToString();
  return out;
}

using KV = std::vector<std::pair<std::string, std::string>>;

TEST(DatabaseTest, ABatchAcrossFamiliesIsAppliedAtOnce) {
  TempDir dir;
  auto db = OpenOrDie(dir.Sub("db"));
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(db->health().ok());
  EXPECT_FALSE(db->read_only());

  WriteBatch first = db->NewBatch();
  EXPECT_TRUE(first.empty());
  first.Put(Family::kRecords, "r1", "record one");
  first.Put(Family::kIndex, "i1", "");
  first.Put(Family::kState, "s/a", "A");
  first.Put(Family::kState, "s/b", "B");
  first.Put(Family::kState, "s/c", "C");
  first.Put(Family::kMeta, "m", "meta");
  EXPECT_FALSE(first.empty());
  EXPECT_GT(first.bytes(), 0u);
  // Nothing is visible before the write.
  EXPECT_EQ(GetOrDie(*db, Family::kRecords, "r1"), std::nullopt);
  ASSERT_TRUE(db->Write(first).ok());
  EXPECT_EQ(GetOrDie(*db, Family::kRecords, "r1"), "record one");
  EXPECT_EQ(GetOrDie(*db, Family::kIndex, "i1"), "");
  EXPECT_EQ(GetOrDie(*db, Family::kMeta, "m"), "meta");
  // Families are separate key spaces.
  EXPECT_EQ(GetOrDie(*db, Family::kState, "r1"), std::nullopt);
  EXPECT_EQ(GetOrDie(*db, Family::kRecords, "m"), std::nullopt);

  // Deletes, a range delete and puts in one batch; a cursor opened before it keeps its snapshot.
  auto before = std::make_unique<Cursor>(db->NewCursor(Family::kState));
  WriteBatch second = db->NewBatch();
  second.Delete(Family::kRecords, "r1");
  second.Put(Family::kRecords, "r2", "record two");
  second.DeleteRange(Family::kState, "s/a", "s/c");  // a and b, not c
  second.Put(Family::kState, "s/d", "D");
  second.Delete(Family::kMeta, "absent");
  ASSERT_TRUE(db->Write(second).ok());
  EXPECT_EQ(All(*db, Family::kRecords), (KV{{"r2", "record two"}}));
  EXPECT_EQ(All(*db, Family::kState), (KV{{"s/c", "C"}, {"s/d", "D"}}));
  EXPECT_EQ(All(*db, Family::kIndex), (KV{{"i1", ""}}));
  KV old;
  for (before->SeekToFirst(); before->Valid(); before->Next()) old.emplace_back(before->key(), "");
  before.reset();  // a cursor goes before its database
  EXPECT_EQ(old, (KV{{"s/a", ""}, {"s/b", ""}, {"s/c", ""}}));

  // An empty batch is fine; Clear empties one.
  WriteBatch empty = db->NewBatch();
  EXPECT_TRUE(db->Write(empty).ok());
  WriteBatch cleared = db->NewBatch();
  cleared.Put(Family::kState, "s/z", "Z");
  cleared.Clear();
  EXPECT_TRUE(cleared.empty());
  ASSERT_TRUE(db->Write(cleared).ok());
  EXPECT_EQ(GetOrDie(*db, Family::kState, "s/z"), std::nullopt);

  // Survives a restart, flushed or not.
  db.reset();
  db = OpenOrDie(dir.Sub("db"));
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(All(*db, Family::kRecords), (KV{{"r2", "record two"}}));
  EXPECT_EQ(All(*db, Family::kState), (KV{{"s/c", "C"}, {"s/d", "D"}}));
  ASSERT_TRUE(db->Flush().ok());
  ASSERT_TRUE(db->CompactAll().ok());
  db.reset();
  db = OpenOrDie(dir.Sub("db"));
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(All(*db, Family::kState), (KV{{"s/c", "C"}, {"s/d", "D"}}));
  EXPECT_EQ(GetOrDie(*db, Family::kMeta, "m"), "meta");
  EXPECT_GT(db->DiskBytes(), 0u);
}

TEST(DatabaseTest, CursorsSeekBothWays) {
  TempDir dir;
  auto db = OpenOrDie(dir.Sub("db"));
  ASSERT_NE(db, nullptr);
  WriteBatch b = db->NewBatch();
  for (const char* k : {"b", "d", "f"}) b.Put(Family::kIndex, k, std::string(k) + "!");
  ASSERT_TRUE(db->Write(b).ok());
  Cursor c = db->NewCursor(Family::kIndex);
  c.Seek("c");
  ASSERT_TRUE(c.Valid());
  EXPECT_EQ(c.key(), "d");
  EXPECT_EQ(c.value(), "d!");
  c.Next();
  ASSERT_TRUE(c.Valid());
  EXPECT_EQ(c.key(), "f");
  c.Next();
  EXPECT_FALSE(c.Valid());
  c.SeekForPrev("e");
  ASSERT_TRUE(c.Valid());
  EXPECT_EQ(c.key(), "d");
  c.Prev();
  ASSERT_TRUE(c.Valid());
  EXPECT_EQ(c.key(), "b");
  c.SeekForPrev("a");
  EXPECT_FALSE(c.Valid());
  c.SeekToLast();
  ASSERT_TRUE(c.Valid());
  EXPECT_EQ(c.key(), "f");
  EXPECT_TRUE(c.status().ok());
  // Another family holds none of these.
  Cursor other = db->NewCursor(Family::kState);
  other.SeekToFirst();
  EXPECT_FALSE(other.Valid());
}

TEST(DatabaseTest, AReadOnlyInstanceReadsButNeverWrites) {
  TempDir dir;
  DatabaseOptions ro;
  ro.read_only = true;
  // Nothing to read yet: no database is created.
  EXPECT_FALSE(Database::Open(dir.Sub("db"), ro).ok());
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "db" / "CURRENT"));

  auto db = OpenOrDie(dir.Sub("db"));
  ASSERT_NE(db, nullptr);
  WriteBatch b = db->NewBatch();
  b.Put(Family::kState, "k", "1");
  ASSERT_TRUE(db->Write(b).ok());

  auto reader = OpenOrDie(dir.Sub("db"), ro);
  ASSERT_NE(reader, nullptr);
  EXPECT_TRUE(reader->read_only());
  EXPECT_EQ(GetOrDie(*reader, Family::kState, "k"), "1");
  Status h = reader->health();
  EXPECT_EQ(h.code(), Status::Code::kUnavailable) << h.ToString();
  WriteBatch w = reader->NewBatch();
  w.Put(Family::kState, "k", "2");
  EXPECT_FALSE(reader->Write(w).ok());
  EXPECT_EQ(GetOrDie(*db, Family::kState, "k"), "1");

  // It catches up with the writer when told to.
  WriteBatch more = db->NewBatch();
  more.Put(Family::kState, "k", "3");
  ASSERT_TRUE(db->Write(more).ok());
  ASSERT_TRUE(reader->Refresh().ok());
  EXPECT_EQ(GetOrDie(*reader, Family::kState, "k"), "3");
  // The writer is unaffected by its reader.
  EXPECT_TRUE(db->health().ok());
}

// A write whose log append fails: refused, nothing of it visible, and every later write refused
// with the same error even once the disk works again; after a restart none of it is there and
// writes succeed.
TEST(DatabaseTest, AFailedWriteIsInvisibleAndSticky) {
  for (FaultError error : {FaultError::kIOError, FaultError::kNoSpace}) {
    SCOPED_TRACE(sagetrail::testing::FaultErrorName(error));
    TempDir dir;
    auto fs = std::make_shared<FaultInjectionFileSystem>();
    DatabaseOptions o;
    o.env = MakeEnv(fs);
    auto db = OpenOrDie(dir.Sub("db"), o);
    ASSERT_NE(db, nullptr);
    WriteBatch b = db->NewBatch();
    b.Put(Family::kState, "k", "1");
    ASSERT_TRUE(db->Write(b).ok());

    fs->Arm(Fault{.op = FsOp::kAppend, .nth = 1, .error = error, .file_pattern = "*.log"});
    WriteBatch bad = db->NewBatch();
    bad.Put(Family::kRecords, "r", "x");
    bad.Put(Family::kState, "k", "2");
    Status s = db->Write(bad);
    ASSERT_TRUE(fs->fired());
    EXPECT_FALSE(s.ok());
    EXPECT_FALSE(db->health().ok());
    EXPECT_EQ(GetOrDie(*db, Family::kState, "k"), "1");
    EXPECT_EQ(GetOrDie(*db, Family::kRecords, "r"), std::nullopt);

    fs->Disarm();
    WriteBatch later = db->NewBatch();
    later.Put(Family::kState, "k", "3");
    Status again = db->Write(later);
    EXPECT_FALSE(again.ok());
    EXPECT_EQ(again.message(), s.message());
    EXPECT_EQ(GetOrDie(*db, Family::kState, "k"), "1");

    db.reset();
    db = OpenOrDie(dir.Sub("db"), o);
    ASSERT_NE(db, nullptr);
    EXPECT_TRUE(db->health().ok());
    EXPECT_EQ(GetOrDie(*db, Family::kState, "k"), "1");
    EXPECT_EQ(GetOrDie(*db, Family::kRecords, "r"), std::nullopt);
    WriteBatch fine = db->NewBatch();
    fine.Put(Family::kState, "k", "4");
    EXPECT_TRUE(db->Write(fine).ok());
    EXPECT_EQ(GetOrDie(*db, Family::kState, "k"), "4");
  }
}

// A failed flush (its table file cannot be written) makes the database refuse writes at once:
// health() says so before any write is tried.
TEST(DatabaseTest, AFailedFlushIsSticky) {
  for (FaultError error : {FaultError::kIOError, FaultError::kNoSpace}) {
    SCOPED_TRACE(sagetrail::testing::FaultErrorName(error));
    TempDir dir;
    auto fs = std::make_shared<FaultInjectionFileSystem>();
    DatabaseOptions o;
    o.env = MakeEnv(fs);
    auto db = OpenOrDie(dir.Sub("db"), o);
    ASSERT_NE(db, nullptr);
    WriteBatch b = db->NewBatch();
    b.Put(Family::kState, "k", "1");
    ASSERT_TRUE(db->Write(b).ok());
    fs->Arm(Fault{.op = FsOp::kAppend, .nth = 1, .error = error, .file_pattern = "*.sst"});
    EXPECT_FALSE(db->Flush().ok());
    ASSERT_TRUE(fs->fired());
    fs->Disarm();
    EXPECT_FALSE(db->health().ok());
    WriteBatch later = db->NewBatch();
    later.Put(Family::kState, "k", "2");
    EXPECT_FALSE(db->Write(later).ok());
    EXPECT_EQ(GetOrDie(*db, Family::kState, "k"), "1");
    db.reset();
    db = OpenOrDie(dir.Sub("db"), o);
    ASSERT_NE(db, nullptr);
    EXPECT_EQ(GetOrDie(*db, Family::kState, "k"), "1");
    EXPECT_TRUE(db->health().ok());
  }
}

}  // namespace
}  // namespace sagetrail::store
