// EventWriter over a fake store (group commit, commit order, callbacks, sticky failure,
// draining) and over a real RocksEventStore (retention sweeps driven by a FakeClock).
#include "cloudtrail/store/event_writer.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

#include "fakes/fake_event_store.h"
#include "fakes/temp_dir.h"
#include "fakes/test_event_database.h"
#include "fakes/test_support.h"

namespace sagetrail::cloudtrail {
namespace {

using sagetrail::testing::FakeClock;
using sagetrail::testing::FakeEventStore;
using sagetrail::testing::kAccountA;
using sagetrail::testing::Models;
using sagetrail::testing::TempDir;
using sagetrail::testing::TestEventId;
using sagetrail::testing::TestRecord;

// The statuses `done` callbacks received, by the index they were given, and in what order.
class Callbacks {
 public:
  std::function<void(Status)> Make(int index, std::function<void()> also = nullptr) {
    return [this, index, also](Status s) {
      if (also) also();
      std::lock_guard<std::mutex> l(mu_);
      statuses_[index] = s;
      order_.push_back(index);
      cv_.notify_all();
    };
  }
  bool WaitFor(size_t n, std::chrono::seconds timeout = std::chrono::seconds(30)) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, timeout, [&] { return order_.size() >= n; });
  }
  size_t count() const {
    std::lock_guard<std::mutex> l(mu_);
    return order_.size();
  }
  std::vector<int> order() const {
    std::lock_guard<std::mutex> l(mu_);
    return order_;
  }
  Status status(int index) const {
    std::lock_guard<std::mutex> l(mu_);
    auto it = statuses_.find(index);
    return it == statuses_.end() ? Status::Internal("not called") : it->second;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<int, Status> statuses_;
  std::vector<int> order_;
};

std::vector<std::vector<std::string>> NonEmpty(std::vector<std::vector<std::string>> batches) {
  std::erase_if(batches, [](const auto& b) { return b.empty(); });
  return batches;
}

// Polls `pred` for at most 30 s (the writer's probe runs about once a second).
template <typename Pred>
bool Eventually(Pred pred) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

class EventWriterTest : public ::testing::Test {
 protected:
  EventRecord Rec(uint64_t i) { return TestRecord(i, clock_.Now()); }

  FakeEventStore store_;
  SeededRandom random_{7};
  EventBuilder builder_{random_};
  FakeClock clock_;
  Callbacks calls_;
};

TEST_F(EventWriterTest, RecordsQueuedDuringACommitGoInOneLaterBatch) {
  store_.Hold();
  EventWriter writer(store_, builder_, clock_);
  std::vector<int> finished_at_callback(7, -1);
  auto cb = [&](int i) {
    return calls_.Make(i, [&, i] { finished_at_callback[i] = store_.appends_finished(); });
  };
  writer.Append(Rec(1), cb(1));
  ASSERT_TRUE(store_.WaitForAppendsStarted(1));
  // While the first commit is held in the store, its caller is still waiting.
  EXPECT_EQ(calls_.count(), 0u);
  for (int i = 2; i <= 6; ++i) writer.Append(Rec(i), cb(i));
  EXPECT_EQ(calls_.count(), 0u);
  store_.Release();
  writer.Flush();
  ASSERT_EQ(calls_.count(), 6u);
  EXPECT_EQ(NonEmpty(store_.batches()),
            (std::vector<std::vector<std::string>>{
                {TestEventId(1)},
                {TestEventId(2), TestEventId(3), TestEventId(4), TestEventId(5), TestEventId(6)}}));
  EXPECT_EQ(calls_.order(), (std::vector<int>{1, 2, 3, 4, 5, 6}));
  // Each callback ran after the Append that carried its record had returned.
  EXPECT_GE(finished_at_callback[1], 1);
  for (int i = 2; i <= 6; ++i) {
    EXPECT_GE(finished_at_callback[i], 2) << i;
    EXPECT_TRUE(calls_.status(i).ok());
  }
  // The records reached the store with their seqs.
  auto records = store_.records();
  ASSERT_EQ(records.size(), 6u);
  EXPECT_EQ(records[5].seq, 6u);
  EXPECT_TRUE(writer.Ready().ok());
}

TEST_F(EventWriterTest, BatchesAreCappedAtMaxBatch) {
  store_.Hold();
  EventWriterOptions options;
  options.max_batch = 3;
  EventWriter writer(store_, builder_, clock_, options);
  writer.Append(Rec(1), calls_.Make(1));
  ASSERT_TRUE(store_.WaitForAppendsStarted(1));
  for (int i = 2; i <= 8; ++i) writer.Append(Rec(i), calls_.Make(i));
  store_.Release();
  writer.Flush();
  auto batches = NonEmpty(store_.batches());
  ASSERT_EQ(batches.size(), 4u);
  EXPECT_EQ(batches[1].size(), 3u);
  EXPECT_EQ(batches[2].size(), 3u);
  EXPECT_EQ(batches[3].size(), 1u);
  EXPECT_EQ(calls_.count(), 8u);
}

TEST_F(EventWriterTest, AFailedCommitIsStickyUntilRestart) {
  store_.SetAppendStatus(Status::IOError("disk full"));
  EventWriter writer(store_, builder_, clock_);
  EXPECT_TRUE(writer.Ready().ok());
  store_.Hold();
  writer.Append(Rec(1), calls_.Make(1));
  ASSERT_TRUE(store_.WaitForAppendsStarted(1));
  writer.Append(Rec(2), calls_.Make(2));
  writer.Append(Rec(3), calls_.Make(3));
  store_.Release();
  ASSERT_TRUE(calls_.WaitFor(3));
  for (int i = 1; i <= 3; ++i) {
    Status s = calls_.status(i);
    EXPECT_EQ(s.code(), Status::Code::kIOError) << i;
    EXPECT_EQ(s.message(), "disk full");
  }
  EXPECT_FALSE(writer.Ready().ok());
  EXPECT_TRUE(store_.records().empty());
  // Even when the store could write again, nothing more is committed (or acknowledged) until
  // the process restarts and recovers.
  store_.SetAppendStatus(Status::Ok());
  writer.Append(Rec(4), calls_.Make(4));
  ASSERT_TRUE(calls_.WaitFor(4));
  EXPECT_EQ(calls_.status(4).message(), "disk full");
  EXPECT_FALSE(writer.Ready().ok());
  EXPECT_FALSE(writer.Flush().ok());
  EXPECT_TRUE(store_.records().empty());
}

// Commits happen in the order places were taken, whatever order calls are submitted in; a place
// given up holds nothing back.
TEST_F(EventWriterTest, CommitsFollowTheOrderOfTheirPlaces) {
  EventWriter writer(store_, builder_, clock_);
  aws::LogTicket first = writer.Reserve();
  aws::LogTicket second = writer.Reserve();
  aws::LogTicket dropped = writer.Reserve();
  aws::LogTicket fourth = writer.Reserve();
  EXPECT_LT(first.position(), second.position());
  writer.Commit(std::move(fourth), {store::Mutation::Put("k", "4")}, calls_.Make(4));
  writer.Commit(std::move(second), {store::Mutation::Put("k", "2")}, calls_.Make(2));
  // Nothing is committed while the first place is still taken.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(calls_.count(), 0u);
  EXPECT_TRUE(store_.state().empty());
  { aws::LogTicket gone = std::move(dropped); }  // given up
  writer.Commit(std::move(first), {store::Mutation::Put("k", "1")}, calls_.Make(1));
  ASSERT_TRUE(calls_.WaitFor(3));
  EXPECT_EQ(calls_.order(), (std::vector<int>{1, 2, 4}));
  EXPECT_EQ(store_.state().at("k"), "4");  // applied in place order: the last one wins
}

// A call's record and its changes are one commit.
TEST_F(EventWriterTest, ACallsRecordAndChangesCommitTogether) {
  EventWriter writer(store_, builder_, clock_);
  auto ctx = std::make_shared<aws::RequestContext>();
  ctx->authenticated = true;
  ctx->service = Models().Find("sagemaker");
  ctx->operation = ctx->service->FindOperation("CreateModel");
  ctx->account_id = kAccountA;
  ctx->region = "us-east-1";
  ctx->identity.account_id = kAccountA;
  ctx->input = boost::json::object{{"ModelName", "m"}};
  ctx->completed_at = clock_.Now();  // recent, so no retention sweep can take the record
  ctx->audit = &writer;
  ctx->mutations = {store::Mutation::Put("sagemaker/m", "{}")};
  ctx->TakeTicket();
  ASSERT_TRUE(ctx->ticket.valid());
  store_.SetAppendStatus(Status::IOError("no space"));
  writer.Record(ctx, calls_.Make(1));
  ASSERT_TRUE(calls_.WaitFor(1));
  EXPECT_FALSE(calls_.status(1).ok());
  EXPECT_TRUE(store_.records().empty());
  EXPECT_TRUE(store_.state().empty());
  // A restart, and the same call again: both land.
  store_.ClearFailure();
  store_.SetAppendStatus(Status::Ok());
  EventWriter after(store_, builder_, clock_);
  ctx->audit = &after;
  ctx->ticket = {};
  ctx->mutations = {store::Mutation::Put("sagemaker/m", "{}")};
  after.Record(ctx, calls_.Make(2));
  ASSERT_TRUE(calls_.WaitFor(2));
  EXPECT_TRUE(calls_.status(2).ok());
  EXPECT_EQ(store_.records().size(), 1u);
  EXPECT_EQ(store_.state().count("sagemaker/m"), 1u);
}

TEST_F(EventWriterTest, DestructorDrainsTheQueue) {
  store_.Hold();
  auto writer = std::make_unique<EventWriter>(store_, builder_, clock_);
  writer->Append(Rec(1), calls_.Make(1));
  ASSERT_TRUE(store_.WaitForAppendsStarted(1));
  for (int i = 2; i <= 50; ++i) writer->Append(Rec(i), calls_.Make(i));
  std::thread destroy([&] { writer.reset(); });
  // Give the destructor a moment to start waiting; correctness does not depend on it.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  store_.Release();
  destroy.join();
  EXPECT_EQ(calls_.count(), 50u);
  for (int i = 1; i <= 50; ++i) EXPECT_TRUE(calls_.status(i).ok()) << i;
  EXPECT_EQ(store_.records().size(), 50u);
}

TEST_F(EventWriterTest, ACallThatNeverReachedAServiceIsNotRecorded) {
  EventWriter writer(store_, builder_, clock_);
  auto unsigned_call = std::make_shared<aws::RequestContext>();
  unsigned_call->service = Models().Find("sagemaker");
  unsigned_call->operation = unsigned_call->service->FindOperation("ListModels");
  writer.Record(unsigned_call, calls_.Make(1));

  auto unresolved = std::make_shared<aws::RequestContext>();
  unresolved->authenticated = true;
  unresolved->service = Models().Find("sagemaker");
  writer.Record(unresolved, calls_.Make(2));
  ASSERT_TRUE(calls_.WaitFor(2));
  EXPECT_TRUE(calls_.status(1).ok());
  EXPECT_TRUE(calls_.status(2).ok());
  writer.Flush();
  EXPECT_TRUE(store_.records().empty());
  EXPECT_TRUE(NonEmpty(store_.batches()).empty());
}

TEST_F(EventWriterTest, ACallThatReachedAServiceIsRecorded) {
  EventWriter writer(store_, builder_, clock_);
  auto ctx = std::make_shared<aws::RequestContext>();
  ctx->request_id = "req-1";
  ctx->authenticated = true;
  ctx->service = Models().Find("sagemaker");
  ctx->operation = ctx->service->FindOperation("ListModels");
  ctx->account_id = kAccountA;
  ctx->region = "eu-west-1";
  ctx->identity.type = aws::IdentityType::kIAMUser;
  ctx->identity.user_name = "alice";
  ctx->identity.account_id = kAccountA;
  ctx->input = boost::json::object();
  ctx->completed_at = clock_.Now();
  writer.Record(ctx, calls_.Make(1));
  ASSERT_TRUE(calls_.WaitFor(1));
  EXPECT_TRUE(calls_.status(1).ok());
  auto records = store_.records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].event_name, "ListModels");
  EXPECT_EQ(records[0].region, "eu-west-1");
  EXPECT_EQ(records[0].username, "alice");
  EXPECT_NE(records[0].body.find("\"requestID\":\"req-1\""), std::string::npos);
}

// Counts DeleteOlderThan calls on a real store, so a test can wait out the writer's own first
// sweep before it makes anything old.
class CountingStore final : public EventStore {
 public:
  explicit CountingStore(EventStore& inner) : inner_(inner) {}
  Status Commit(std::vector<EventRecord>& b, const store::Mutations& m) override {
    return inner_.Commit(b, m);
  }
  Status health() const override { return inner_.health(); }
  Result<LookupPage> Lookup(const LookupQuery& q) override { return inner_.Lookup(q); }
  Result<std::vector<EventRecord>> ReadAfter(uint64_t a, size_t l) override {
    return inner_.ReadAfter(a, l);
  }
  Result<std::pair<uint64_t, uint64_t>> SeqRange() override { return inner_.SeqRange(); }
  Result<size_t> DeleteOlderThan(TimePoint cutoff, size_t limit) override {
    auto r = inner_.DeleteOlderThan(cutoff, limit);
    deletes_++;
    return r;
  }
  const std::string& secret() const override { return inner_.secret(); }
  int deletes() const { return deletes_.load(); }

 private:
  EventStore& inner_;
  std::atomic<int> deletes_{0};
};

TEST_F(EventWriterTest, SweepRetentionDropsOldEventsOnly) {
  TempDir dir;
  sagetrail::testing::TestEventDatabase db(dir.Sub("db"), random_);
  CountingStore store(db.store());
  EventWriterOptions options;
  options.retention = std::chrono::hours(1);
  options.retention_interval = std::chrono::hours(24);
  EventWriter writer(store, builder_, clock_, options);
  ASSERT_TRUE(Eventually([&] { return store.deletes() >= 1; }));  // its first, idle sweep

  const TimePoint now = clock_.Now();
  std::vector<EventRecord> old, recent;
  for (uint64_t i = 1; i <= 120; ++i) {
    old.push_back(TestRecord(i, now - std::chrono::hours(3) + std::chrono::seconds(i)));
  }
  for (uint64_t i = 121; i <= 140; ++i) {
    recent.push_back(TestRecord(i, now - std::chrono::minutes(10) + std::chrono::seconds(i)));
  }
  int n = 0;
  for (auto* set : {&old, &recent}) {
    for (const auto& r : *set) {
      writer.Append(r, calls_.Make(n++));
      if (n % 5 == 0) writer.Flush();
    }
    writer.Flush();
  }
  ASSERT_EQ(calls_.count(), 140u);

  EXPECT_EQ(writer.SweepRetention(), old.size());
  auto range = store.SeqRange();
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(range->first, old.size() + 1);
  EXPECT_EQ(range->second, 140u);
  // Every recent event is still there, and no old one is found, by any attribute.
  LookupQuery q;
  q.account_id = kAccountA;
  q.region = "us-east-1";
  q.start = now - std::chrono::hours(5);
  q.end = now + std::chrono::hours(1);
  q.max_results = 1000;
  auto page = store.Lookup(q);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->events.size(), recent.size());
  EXPECT_EQ(page->events.front().event_id, TestEventId(140));
  q.attribute = LookupAttribute::kEventId;
  q.value = TestEventId(3);
  EXPECT_TRUE(store.Lookup(q)->events.empty());
  EXPECT_EQ(writer.SweepRetention(), 0u);  // nothing more is old yet
  // Their index keys go at compaction.
  ASSERT_TRUE(db.db().CompactAll().ok());
  size_t index_keys = 0;
  auto c = db.db().NewCursor(store::Family::kIndex);
  for (c.SeekToFirst(); c.Valid(); c.Next()) ++index_keys;
  EXPECT_GT(index_keys, 0u);
  clock_.Advance(std::chrono::hours(2));
  EXPECT_EQ(writer.SweepRetention(), recent.size());
  ASSERT_TRUE(db.db().CompactAll().ok());
  c = db.db().NewCursor(store::Family::kIndex);
  c.SeekToFirst();
  EXPECT_FALSE(c.Valid());
}

}  // namespace
}  // namespace sagetrail::cloudtrail
