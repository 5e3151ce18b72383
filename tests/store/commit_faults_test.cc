// The commit path under storage faults. A workload of calls, each committing its CloudTrail record
// and a state change in one batch through the EventWriter, with a flush and a compaction between
// them, runs over the fault-injecting file system: once without faults to count the operations of
// each kind it does, then once per operation (every N of every kind) with that operation failing
// (an I/O error, ENOSPC, or a short write). Whatever fails, the contract holds:
//   - the call whose commit met the fault and every later one are refused, the store reports
//     itself unavailable from the moment of the fault, and nothing is acknowledged afterwards,
//     not even once the fault is gone;
//   - after a restart without faults, the store holds exactly a prefix of the calls: every
//     acknowledged one, record and state change together or neither (the one that failed may be
//     in doubt, wholly there or wholly not), nothing refused without being tried, no seq or
//     event id twice, an index that points only at stored records; and it takes new commits.
// Also: faults while the database closes, and a disk that fills up and is freed.
#include <gtest/gtest.h>

#include <array>
#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "aws/request_context.h"
#include "cloudtrail/store/event_writer.h"
#include "common/coding.h"
#include "fakes/fake_event_store.h"
#include "fakes/fault_injection_fs.h"
#include "fakes/temp_dir.h"
#include "fakes/test_event_database.h"
#include "fakes/test_support.h"

namespace sagetrail::store {
namespace {

using cloudtrail::EventWriter;
using sagetrail::testing::FakeClock;
using sagetrail::testing::Fault;
using sagetrail::testing::FaultError;
using sagetrail::testing::FaultErrorName;
using sagetrail::testing::FaultInjectionFileSystem;
using sagetrail::testing::FsOp;
using sagetrail::testing::FsOpName;
using sagetrail::testing::kAccountA;
using sagetrail::testing::kFsOpKinds;
using sagetrail::testing::MakeEnv;
using sagetrail::testing::Models;
using sagetrail::testing::TempDir;
using sagetrail::testing::TestEventDatabase;

constexpr char kRegion[] = "us-east-1";

// What a workload's calls were told. Call i (from 1) commits its record (requestID "call-<i>")
// with "state/<i>" = "<i>" and "state/last" = "<i>".
struct CallLog {
  int calls = 0;                   // calls 1..calls were made
  std::map<int, Status> statuses;  // by call
  int first_failed = 0;            // 0: none failed

  void Add(int call, Status s) {
    calls = std::max(calls, call);
    if (!s.ok() && first_failed == 0) first_failed = call;
    statuses[call] = std::move(s);
  }
  bool acknowledged(int call) const {
    auto it = statuses.find(call);
    return it != statuses.end() && it->second.ok();
  }
};

std::string StateKey(int call) { return "state/" + std::to_string(call); }

std::shared_ptr<aws::RequestContext> MakeCall(int call, const Clock& clock) {
  auto ctx = std::make_shared<aws::RequestContext>();
  ctx->request_id = "call-" + std::to_string(call);
  ctx->authenticated = true;
  ctx->service = Models().Find("sagemaker");
  ctx->operation = ctx->service->FindOperation("CreateModel");
  ctx->account_id = kAccountA;
  ctx->region = kRegion;
  ctx->identity.type = aws::IdentityType::kIAMUser;
  ctx->identity.user_name = "alice";
  ctx->identity.account_id = kAccountA;
  ctx->input = boost::json::object{{"ModelName", "m-" + std::to_string(call)}};
  ctx->completed_at = clock.Now();
  ctx->mutations = {Mutation::Put(StateKey(call), std::to_string(call)),
                    Mutation::Put("state/last", std::to_string(call))};
  return ctx;
}

// Commits call `call` through `writer` and waits for its answer.
Status CommitCall(EventWriter& writer, int call, const Clock& clock) {
  std::promise<Status> answer;
  auto fut = answer.get_future();
  writer.Record(MakeCall(call, clock), [&answer](Status s) { answer.set_value(std::move(s)); });
  return fut.get();
}

// The call a stored record belongs to (0 if none).
int CallOf(const cloudtrail::EventRecord& r) {
  static const std::string kNeedle = "\"requestID\":\"call-";
  size_t pos = r.body.find(kNeedle);
  if (pos == std::string::npos) return 0;
  return std::atoi(r.body.c_str() + pos + kNeedle.size());
}

// The invariants a store recovered after `log` must satisfy (see the top of the file). Calls
// past log.calls (none were made) must be absent too.
::testing::AssertionResult CheckRecovered(TestEventDatabase& tdb, const CallLog& log) {
  std::ostringstream why;
  auto records = tdb.store().ReadAfter(0, 100000);
  if (!records.ok())
    return ::testing::AssertionFailure() << "ReadAfter: " << records.error().ToString();
  std::map<int, cloudtrail::EventRecord> by_call;
  std::set<uint64_t> seqs;
  std::set<std::string> event_ids;
  for (const cloudtrail::EventRecord& r : *records) {
    int call = CallOf(r);
    if (call <= 0) why << "a record of no call (seq " << r.seq << "); ";
    if (!seqs.insert(r.seq).second) why << "seq " << r.seq << " twice; ";
    if (!event_ids.insert(r.event_id).second) why << "event id " << r.event_id << " twice; ";
    if (!by_call.emplace(call, r).second) why << "call " << call << " recorded twice; ";
  }
  std::map<std::string, std::string> state;
  {
    Cursor c = tdb.db().NewCursor(Family::kState);
    for (c.SeekToFirst(); c.Valid(); c.Next()) state.emplace(c.key(), c.value());
    if (!c.status().ok()) why << "state cursor: " << c.status().ToString() << "; ";
  }
  // Record and state change together; the calls present are a prefix 1..m.
  int m = 0;
  const int last = std::max(log.calls, by_call.empty() ? 0 : by_call.rbegin()->first);
  for (int i = 1; i <= last; ++i) {
    bool record = by_call.contains(i);
    auto it = state.find(StateKey(i));
    bool change = it != state.end();
    if (record != change) {
      why << "call " << i
          << (record ? " has its record but not its state change"
                     : " has its state change but not its record")
          << "; ";
    }
    if (change && it->second != std::to_string(i)) why << StateKey(i) << " = " << it->second;
    if (record && change && i == m + 1) m = i;
    if ((record || change) && i > m) why << "call " << i << " present after a gap at " << m + 1;
    if (log.acknowledged(i) && !(record && change)) why << "acknowledged call " << i << " lost; ";
    if (log.first_failed != 0 && i > log.first_failed && (record || change)) {
      why << "call " << i << " present though refused after call " << log.first_failed
          << " failed; ";
    }
  }
  if (log.first_failed == 0 && m != log.calls) {
    why << "only " << m << " of " << log.calls << " calls present with no failure; ";
  }
  for (const auto& [key, value] : state) {
    if (key == "state/last") continue;
    int call = key.starts_with("state/") ? std::atoi(key.c_str() + 6) : 0;
    if (call < 1 || call > last) why << "unexpected state key " << key << "; ";
  }
  auto last_state = state.find("state/last");
  if (m == 0 ? last_state != state.end()
             : last_state == state.end() || last_state->second != std::to_string(m)) {
    why << "state/last is " << (last_state == state.end() ? "absent" : last_state->second)
        << " with calls 1.." << m << " present; ";
  }
  // In commit order: call i has seq i.
  for (const auto& [call, r] : by_call) {
    if (r.seq != static_cast<uint64_t>(call)) why << "call " << call << " has seq " << r.seq;
  }
  // The index points only at stored records, and finds each of them by its event id.
  {
    Cursor c = tdb.db().NewCursor(Family::kIndex);
    for (c.SeekToFirst(); c.Valid(); c.Next()) {
      std::vector<std::pair<int64_t, uint64_t>> events;
      if (!cloudtrail::RocksEventStore::DecodeIndexBlock(c.key(), c.value(), &events)) {
        why << "an index block that cannot be decoded; ";
      }
      for (const auto& [time, seq] : events) {
        if (!seqs.contains(seq)) why << "an index key of missing seq " << seq << "; ";
      }
    }
    if (!c.status().ok()) why << "index cursor: " << c.status().ToString() << "; ";
  }
  for (const auto& [call, r] : by_call) {
    cloudtrail::LookupQuery q;
    q.account_id = kAccountA;
    q.region = kRegion;
    q.attribute = cloudtrail::LookupAttribute::kEventId;
    q.value = r.event_id;
    q.start = FromUnixSeconds(0);
    q.end = FromUnixSeconds(4102444800);
    auto page = tdb.store().Lookup(q);
    if (!page.ok() || page->events.size() != 1 || page->events[0].seq != r.seq) {
      why << "call " << call << " not found by its event id; ";
    }
  }
  std::string problems = why.str();
  if (!problems.empty()) return ::testing::AssertionFailure() << problems;
  return ::testing::AssertionSuccess();
}

// What the workload does between calls.
enum class Step { kFlush, kCompact };

// Calls 1 and 2 go to the log and memtables, a flush writes them to table files, a compaction
// rewrites those, calls 3 and 4 go to a new log.
struct Workload {
  int calls = 4;
  std::map<int, std::vector<Step>> after = {{2, {Step::kFlush, Step::kCompact}}};
  bool sync = true;  // "full" durability: the log is synced at every commit
};

DatabaseOptions Options(const Workload& w, std::shared_ptr<rocksdb::Env> env) {
  DatabaseOptions o;
  o.sync = w.sync;
  o.env = std::move(env);
  o.write_buffer_bytes = 256u << 10;  // small logs to preallocate: quick to open
  o.block_cache_bytes = 1u << 20;
  return o;
}

// How long a fault lasts once it has fired.
enum class Lifetime {
  kRemovedWhenFired,       // the trouble passes at once: the store must go on refusing regardless
  kRemovedBeforeLastCall,  // e.g. space freed while the server runs: still refused until restart
  kThroughTheClose,        // the device stays broken until after the server stopped
};

class CommitFaultsTest : public ::testing::Test {
 protected:
  // Runs `w` over a fresh database on fs_, calling `arm` once the database is open. Checks the
  // refusals as it goes: from the call whose commit met the fault (or the first after a fault
  // in a flush or compaction) on, every call is refused and the store reports itself
  // unavailable. Fills log_.
  void RunWorkload(const Workload& w, const std::function<void()>& arm,
                   Lifetime lifetime = Lifetime::kRemovedWhenFired) {
    tdb_.reset();
    fs_ = std::make_shared<FaultInjectionFileSystem>();
    // A copy of a database created once (creating one takes longer than the rest).
    if (!std::filesystem::exists(dir_.path() / "template")) {
      TestEventDatabase created(dir_.Sub("template"), random_,
                                Options(w, MakeEnv(std::make_shared<FaultInjectionFileSystem>())));
      if (HasFatalFailure()) return;
    }
    std::filesystem::remove_all(dir_.path() / "db");
    std::filesystem::copy(dir_.path() / "template", dir_.path() / "db");
    random_ = SeededRandom(11);  // the same event ids every run: the same bytes written
    tdb_ = std::make_unique<TestEventDatabase>(dir_.Sub("db"), random_, Options(w, MakeEnv(fs_)));
    if (HasFatalFailure()) return;
    fs_->ResetCounts();
    arm();
    log_ = CallLog();
    EventWriter writer(tdb_->store(), builder_, clock_);
    auto remove_fault = [&] {
      fs_->Disarm();
      fs_->ClearSpaceLimit();
    };
    auto check_refusing = [&](const std::string& when) {
      if (!fs_->fired()) return;
      if (lifetime == Lifetime::kRemovedWhenFired) remove_fault();
      EXPECT_FALSE(writer.Ready().ok()) << "store ready " << when << " " << fs_->fired_at();
    };
    for (int i = 1; i <= w.calls; ++i) {
      if (i == w.calls && lifetime == Lifetime::kRemovedBeforeLastCall) remove_fault();
      bool fired = fs_->fired();
      Status s = CommitCall(writer, i, clock_);
      if (fs_->fired()) {
        EXPECT_FALSE(s.ok()) << "call " << i << " acknowledged "
                             << (fired ? "after " : "though its commit met ") << fs_->fired_at();
      } else {
        EXPECT_TRUE(s.ok()) << "call " << i << " failed with no fault: " << s.ToString();
      }
      log_.Add(i, s);
      check_refusing("after call " + std::to_string(i));
      auto steps = w.after.find(i);
      if (steps == w.after.end()) continue;
      for (Step step : steps->second) {
        const char* what = step == Step::kFlush ? "flush" : "compaction";
        Status done = step == Step::kFlush ? tdb_->db().Flush() : tdb_->db().CompactAll();
        if (!done.ok()) {
          EXPECT_TRUE(fs_->fired()) << what << " failed with no fault: " << done.ToString();
        }
        check_refusing(std::string("after the ") + what + " after call " + std::to_string(i));
      }
    }
    EXPECT_EQ(writer.Flush().ok(), !fs_->fired()) << fs_->fired_at();
  }

  // Closes the database (with whatever fault is still planned), reopens it without faults,
  // checks it against log_ and commits one more call.
  void ReopenAndCheck(const Workload& w) {
    tdb_.reset();
    TestEventDatabase tdb(dir_.Sub("db"), random_,
                          Options(w, MakeEnv(std::make_shared<FaultInjectionFileSystem>())));
    if (HasFatalFailure()) return;
    EXPECT_TRUE(CheckRecovered(tdb, log_));
    EXPECT_TRUE(tdb.db().health().ok()) << tdb.db().health().ToString();
    auto range = tdb.store().SeqRange();
    ASSERT_TRUE(range.ok());
    {
      EventWriter writer(tdb.store(), builder_, clock_);
      Status s = CommitCall(writer, log_.calls + 1, clock_);
      EXPECT_TRUE(s.ok()) << "the recovered store refuses: " << s.ToString();
    }
    auto record = tdb.store().ReadAfter(range->second, 10);
    ASSERT_TRUE(record.ok());
    ASSERT_EQ(record->size(), 1u);
    EXPECT_EQ(CallOf((*record)[0]), log_.calls + 1);
    EXPECT_EQ((*record)[0].seq, range->second + 1);
    auto change = tdb.db().Get(Family::kState, StateKey(log_.calls + 1));
    ASSERT_TRUE(change.ok());
    EXPECT_TRUE(change->has_value());
  }

  // Runs `w` without faults: the calls of `op` on files matching `pattern` (any if empty) it
  // does, from the database's open to the end of the workload. Also sets counts_ and bytes_.
  uint64_t Baseline(const Workload& w, FsOp op = FsOp::kAppend, const std::string& pattern = "") {
    RunWorkload(w, [&] { fs_->Arm(Fault{.op = op, .nth = UINT64_MAX, .file_pattern = pattern}); });
    uint64_t matches = fs_->matches();
    for (int k = 0; k < kFsOpKinds; ++k) counts_[k] = fs_->count(static_cast<FsOp>(k));
    bytes_ = fs_->bytes_written();
    tdb_.reset();
    std::filesystem::remove_all(dir_.Sub("db"));
    return matches;
  }

  // For N = 1.. every call of `fault.op` (on files matching its pattern) the workload does, runs
  // it with the Nth call failing, then restarts and checks.
  void Sweep(const Workload& w, Fault fault) {
    uint64_t n_max = Baseline(w, fault.op, fault.file_pattern);
    ASSERT_FALSE(HasFailure()) << "the workload fails without faults";
    if (n_max == 0) {
      GTEST_SKIP() << "the workload does no " << FsOpName(fault.op)
                   << (fault.file_pattern.empty() ? "" : " on " + fault.file_pattern);
    }
    for (uint64_t n = 1; n <= n_max; ++n) {
      fault.nth = n;
      SCOPED_TRACE(std::string(FsOpName(fault.op)) + " #" + std::to_string(n) + " of " +
                   std::to_string(n_max) +
                   (fault.file_pattern.empty() ? "" : " on " + fault.file_pattern) +
                   (fault.short_write ? ", short write, " : ", ") + FaultErrorName(fault.error));
      RunWorkload(w, [&] { fs_->Arm(fault); });
      EXPECT_TRUE(fs_->fired()) << "never fired";
      ReopenAndCheck(w);
      std::filesystem::remove_all(dir_.Sub("db"));
    }
  }

  TempDir dir_;
  SeededRandom random_{11};
  cloudtrail::EventBuilder builder_{random_};
  FakeClock clock_;
  std::shared_ptr<FaultInjectionFileSystem> fs_;
  std::unique_ptr<TestEventDatabase> tdb_;
  CallLog log_;
  std::array<uint64_t, kFsOpKinds> counts_{};
  uint64_t bytes_ = 0;
};

// The workload does the operations the sweeps rely on.
TEST_F(CommitFaultsTest, TheWorkloadExercisesTheCommitPath) {
  Workload w;
  Baseline(w);
  std::ostringstream seen;
  for (int k = 0; k < kFsOpKinds; ++k) {
    seen << FsOpName(static_cast<FsOp>(k)) << "=" << counts_[k] << " ";
  }
  seen << bytes_ << " bytes";
  RecordProperty("operations", seen.str());
  // Log appends and syncs at every commit; table files, the manifest and the directory at every
  // flush and compaction.
  auto count = [&](FsOp op) { return counts_[static_cast<int>(op)]; };
  EXPECT_GE(count(FsOp::kAppend), static_cast<uint64_t>(w.calls)) << seen.str();
  EXPECT_GE(count(FsOp::kSync), static_cast<uint64_t>(w.calls)) << seen.str();
  EXPECT_GE(count(FsOp::kFlush), static_cast<uint64_t>(w.calls)) << seen.str();
  EXPECT_GT(count(FsOp::kNewWritableFile), 0u) << seen.str();
  EXPECT_GT(count(FsOp::kClose), 0u) << seen.str();
  EXPECT_GT(count(FsOp::kDirFsync), 0u) << seen.str();
  EXPECT_GT(bytes_, 0u);
}

// The checker finds what it looks for: a state change without its record, a lost record, a
// call refused without being tried that is present anyway.
TEST_F(CommitFaultsTest, TheCheckerCatchesInconsistencies) {
  Workload w;
  w.after.clear();
  RunWorkload(w, [] {});
  ASSERT_FALSE(HasFailure());
  EXPECT_TRUE(CheckRecovered(*tdb_, log_));
  auto write = [&](auto fill) {
    WriteBatch b = tdb_->db().NewBatch();
    fill(b);
    ASSERT_TRUE(tdb_->db().Write(b).ok());
  };
  std::string seq2;
  PutBigEndian64(&seq2, 2);
  auto record2 = tdb_->db().Get(Family::kRecords, seq2);
  ASSERT_TRUE(record2.ok() && record2->has_value());

  write([&](WriteBatch& b) {
    b.Put(Family::kState, StateKey(w.calls + 1), std::to_string(w.calls + 1));
  });
  EXPECT_FALSE(CheckRecovered(*tdb_, log_));
  write([&](WriteBatch& b) { b.Delete(Family::kState, StateKey(w.calls + 1)); });
  EXPECT_TRUE(CheckRecovered(*tdb_, log_));

  write([&](WriteBatch& b) { b.Delete(Family::kRecords, seq2); });
  EXPECT_FALSE(CheckRecovered(*tdb_, log_));
  write([&](WriteBatch& b) { b.Put(Family::kRecords, seq2, **record2); });
  EXPECT_TRUE(CheckRecovered(*tdb_, log_));

  // As if call 2 had failed: calls 3 and 4 must not be there.
  CallLog failed = log_;
  failed.statuses[2] = Status::IOError("x");
  failed.statuses[3] = failed.statuses[4] = Status::Unavailable("refused");
  failed.first_failed = 2;
  EXPECT_FALSE(CheckRecovered(*tdb_, failed));
  // As if the last call had failed: it may be there or not (in doubt).
  failed = log_;
  failed.statuses[w.calls] = Status::IOError("sync");
  failed.first_failed = w.calls;
  EXPECT_TRUE(CheckRecovered(*tdb_, failed));

  write([&](WriteBatch& b) { b.Put(Family::kState, "state/last", "1"); });
  EXPECT_FALSE(CheckRecovered(*tdb_, log_));
}

struct SweepCase {
  FsOp op;
  FaultError error;
  bool short_write;
  bool sync;
  const char* file_pattern;
};

std::string CaseName(const ::testing::TestParamInfo<SweepCase>& info) {
  const SweepCase& c = info.param;
  return std::string(FsOpName(c.op)) + (c.short_write ? "Short" : "") + FaultErrorName(c.error) +
         (c.sync ? "Full" : "NormalLog");
}

class CommitFaultSweepTest : public CommitFaultsTest,
                             public ::testing::WithParamInterface<SweepCase> {};

TEST_P(CommitFaultSweepTest, EveryFailureIsRefusedStickyAndRecoverable) {
  const SweepCase& c = GetParam();
  Workload w;
  w.sync = c.sync;
  Sweep(w, Fault{.op = c.op,
                 .error = c.error,
                 .file_pattern = c.file_pattern,
                 .short_write = c.short_write});
}

// "full" durability (a sync per commit): every operation of every file. "normal" (the default):
// the same workload differs only in how it writes its log, so only the log's operations.
std::vector<SweepCase> AllCases() {
  std::vector<SweepCase> out;
  for (int k = 0; k < kFsOpKinds; ++k) {
    FsOp op = static_cast<FsOp>(k);
    bool write = op == FsOp::kAppend || op == FsOp::kPositionedAppend;
    out.push_back({op, FaultError::kIOError, false, true, ""});
    // ENOSPC where a disk reports it: creating, writing, syncing (delayed allocation) or
    // closing a file; not a buffered flush (nothing for POSIX files) or a directory's sync.
    if (op != FsOp::kFlush && op != FsOp::kDirFsync) {
      out.push_back({op, FaultError::kNoSpace, false, true, ""});
    }
    if (write) out.push_back({op, FaultError::kIOError, true, true, ""});
  }
  for (FsOp op : {FsOp::kNewWritableFile, FsOp::kAppend, FsOp::kFlush, FsOp::kSync, FsOp::kClose}) {
    out.push_back({op, FaultError::kIOError, false, false, "*.log"});
    out.push_back({op, FaultError::kNoSpace, false, false, "*.log"});
    if (op == FsOp::kAppend) out.push_back({op, FaultError::kIOError, true, false, "*.log"});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(AllOperations, CommitFaultSweepTest, ::testing::ValuesIn(AllCases()),
                         CaseName);

// A disk that fills up at any point of the workload: commits are refused from the first write
// that does not fit on, still refused once space is freed, and a restart (while still full or
// after) brings back every acknowledged call and full service.
TEST_F(CommitFaultsTest, ADiskThatFillsUpRefusesCleanlyAndRecoversAfterARestart) {
  Workload w;
  Baseline(w);
  ASSERT_FALSE(HasFailure());
  ASSERT_GT(bytes_, 0u);
  // Full at 16 points through the workload, and at its very last write.
  const uint64_t total = bytes_;
  std::vector<uint64_t> limits;
  for (uint64_t i = 0; i < 16; ++i) limits.push_back(total * i / 16);
  limits.push_back(total - 1);
  for (size_t i = 0; i < limits.size(); ++i) {
    // Space freed while the server runs (before the last call), or only after it stopped.
    Lifetime lifetime = i % 2 == 0 && i + 1 < limits.size() ? Lifetime::kRemovedBeforeLastCall
                                                            : Lifetime::kThroughTheClose;
    SCOPED_TRACE("full after " + std::to_string(limits[i]) + " of " + std::to_string(total) +
                 " bytes" + (lifetime == Lifetime::kThroughTheClose ? ", closed while full" : ""));
    RunWorkload(
        w, [&] { fs_->SetSpaceLimit(limits[i]); }, lifetime);
    if (lifetime == Lifetime::kThroughTheClose) {
      EXPECT_TRUE(fs_->fired());
    }
    if (fs_->fired()) {
      EXPECT_NE(fs_->fired_at().find("NoSpace"), std::string::npos) << fs_->fired_at();
      // Refused to the end, even when space was freed before the last call.
      EXPECT_FALSE(log_.acknowledged(w.calls));
    }
    ReopenAndCheck(w);
    std::filesystem::remove_all(dir_.Sub("db"));
  }
}

// A device that breaks for good at some log sync (every one from then on fails), through the
// close: the same guarantees.
TEST_F(CommitFaultsTest, ALogThatStaysBrokenThroughTheClose) {
  Workload w;
  uint64_t syncs = Baseline(w, FsOp::kSync, "*.log");
  ASSERT_GT(syncs, 0u);
  for (uint64_t n = 1; n <= syncs; ++n) {
    SCOPED_TRACE("log syncs fail from #" + std::to_string(n));
    RunWorkload(
        w,
        [&] {
          fs_->Arm(Fault{.op = FsOp::kSync, .nth = n, .file_pattern = "*.log", .repeat = true});
        },
        Lifetime::kThroughTheClose);
    ReopenAndCheck(w);
    std::filesystem::remove_all(dir_.Sub("db"));
  }
}

// Faults while the database closes after a clean workload: every call was acknowledged and
// all of them are there after the restart.
TEST_F(CommitFaultsTest, FaultsWhileClosingLoseNothing) {
  Workload w;
  RunWorkload(w, [] {});
  ASSERT_FALSE(HasFailure());
  fs_->ResetCounts();
  tdb_.reset();
  std::array<uint64_t, kFsOpKinds> at_close{};
  for (int k = 0; k < kFsOpKinds; ++k) at_close[k] = fs_->count(static_cast<FsOp>(k));
  std::filesystem::remove_all(dir_.Sub("db"));
  int runs = 0;
  for (int k = 0; k < kFsOpKinds; ++k) {
    for (FaultError error : {FaultError::kIOError, FaultError::kNoSpace}) {
      for (uint64_t n = 1; n <= at_close[k]; ++n) {
        FsOp op = static_cast<FsOp>(k);
        SCOPED_TRACE(std::string("closing: ") + FsOpName(op) + " #" + std::to_string(n) + ", " +
                     FaultErrorName(error));
        RunWorkload(w, [] {});
        fs_->ResetCounts();
        fs_->Arm(Fault{.op = op, .nth = n, .error = error});
        ReopenAndCheck(w);
        EXPECT_TRUE(fs_->fired());
        std::filesystem::remove_all(dir_.Sub("db"));
        ++runs;
      }
    }
  }
  EXPECT_GT(runs, 0);
  RecordProperty("runs", runs);
}

}  // namespace
}  // namespace sagetrail::store
