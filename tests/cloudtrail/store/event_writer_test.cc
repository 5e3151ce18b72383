// EventWriter over a fake store (group commit, callbacks, health, draining) and over a real
// LogEventStore (retention sweeps driven by a FakeClock).
#include "cloudtrail/store/event_writer.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

#include "cloudtrail/store/log_event_store.h"
#include "fakes/fake_event_store.h"
#include "fakes/temp_dir.h"
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

TEST_F(EventWriterTest, AFailingStoreFailsTheCallsAndMarksTheWriterUnready) {
  store_.SetAppendStatus(Status::IOError("disk full"));
  store_.SetProbeStatus(Status::IOError("still full"));
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
  Status ready = writer.Ready();
  EXPECT_EQ(ready.code(), Status::Code::kUnavailable);
  EXPECT_TRUE(store_.records().empty());

  // While probes fail it stays unready.
  ASSERT_TRUE(store_.WaitForProbes(1));
  EXPECT_FALSE(writer.Ready().ok());

  // A successful probe brings it back without any new call.
  store_.SetProbeStatus(Status::Ok());
  EXPECT_TRUE(Eventually([&] { return writer.Ready().ok(); }));
  EXPECT_TRUE(store_.records().empty());
}

TEST_F(EventWriterTest, ASuccessfulAppendAlsoRestoresReadiness) {
  store_.SetAppendStatus(Status::IOError("disk full"));
  store_.SetProbeStatus(Status::IOError("still full"));
  EventWriter writer(store_, builder_, clock_);
  writer.Append(Rec(1), calls_.Make(1));
  ASSERT_TRUE(calls_.WaitFor(1));
  EXPECT_FALSE(writer.Ready().ok());
  store_.SetAppendStatus(Status::Ok());
  writer.Append(Rec(2), calls_.Make(2));
  ASSERT_TRUE(calls_.WaitFor(2));
  EXPECT_TRUE(calls_.status(2).ok());
  EXPECT_TRUE(writer.Ready().ok());
  auto records = store_.records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].event_id, TestEventId(2));
}

TEST_F(EventWriterTest, FlushDoesNotPassForAProbe) {
  // A flush commits nothing, so it proves nothing about the store.
  store_.SetAppendStatus(Status::IOError("disk full"));
  store_.SetProbeStatus(Status::IOError("still full"));
  EventWriter writer(store_, builder_, clock_);
  writer.Append(Rec(1), calls_.Make(1));
  ASSERT_TRUE(calls_.WaitFor(1));
  ASSERT_FALSE(writer.Ready().ok());
  writer.Flush();
  EXPECT_FALSE(writer.Ready().ok());
  writer.Flush();
  EXPECT_FALSE(writer.Ready().ok());
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
  // Completed at once, on the caller's thread.
  EXPECT_EQ(calls_.count(), 1u);
  EXPECT_TRUE(calls_.status(1).ok());

  auto unresolved = std::make_shared<aws::RequestContext>();
  unresolved->authenticated = true;
  unresolved->service = Models().Find("sagemaker");
  writer.Record(unresolved, calls_.Make(2));
  EXPECT_EQ(calls_.count(), 2u);
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

TEST_F(EventWriterTest, ServiceEventsAreRecordedAtTheClocksTime) {
  EventWriter writer(store_, builder_, clock_);
  clock_.Advance(std::chrono::milliseconds(1500));
  aws::ServiceEvent e;
  e.account_id = kAccountA;
  e.region = "us-east-1";
  e.event_source = "sagemaker.amazonaws.com";
  e.event_name = "CreateTrainingJob";
  e.invoked_by = "sagemaker.amazonaws.com";
  writer.RecordServiceEvent(e, calls_.Make(1));
  ASSERT_TRUE(calls_.WaitFor(1));
  EXPECT_TRUE(calls_.status(1).ok());
  auto records = store_.records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].event_time, FromUnixSeconds(1763805601));
  EXPECT_EQ(records[0].event_name, "CreateTrainingJob");
  EXPECT_NE(records[0].body.find("\"eventType\":\"AwsServiceEvent\""), std::string::npos);
}

// Counts DeleteOlderThan calls on a real store, so a test can wait out the writer's own first
// sweep before it makes anything old.
class CountingStore final : public EventStore {
 public:
  explicit CountingStore(EventStore& inner) : inner_(inner) {}
  Status Append(std::vector<EventRecord>& b) override { return inner_.Append(b); }
  Status Probe() override { return inner_.Probe(); }
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

TEST_F(EventWriterTest, SweepRetentionDropsOldSegments) {
  TempDir dir;
  LogStoreOptions log_options;
  log_options.segment_bytes = 4096;
  auto log = LogEventStore::Open(dir.Sub("events"), log_options, random_);
  ASSERT_TRUE(log.ok()) << log.error().ToString();
  CountingStore store(**log);
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
      if (n % 5 == 0) writer.Flush();  // small commits, so the log rolls several segments
    }
    writer.Flush();
  }
  ASSERT_EQ(calls_.count(), 140u);
  ASSERT_GT((*log)->segment_count(), 3u);

  size_t dropped = writer.SweepRetention();
  EXPECT_GT(dropped, 0u);
  EXPECT_LE(dropped, old.size());
  auto range = store.SeqRange();
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(range->first, dropped + 1);
  EXPECT_EQ(range->second, 140u);
  // Every recent event is still there.
  LookupQuery q;
  q.account_id = kAccountA;
  q.region = "us-east-1";
  q.start = now - std::chrono::hours(5);
  q.end = now + std::chrono::hours(1);
  q.max_results = 1000;
  auto page = store.Lookup(q);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->events.size(), 140u - dropped);
  EXPECT_EQ(page->events.front().event_id, TestEventId(140));
  EXPECT_EQ(writer.SweepRetention(), 0u);  // nothing more is old yet

  // Two hours later the recent ones are old too; the active segment stays.
  clock_.Advance(std::chrono::hours(2));
  size_t more = writer.SweepRetention();
  EXPECT_GT(more, 0u);
  EXPECT_EQ((*log)->segment_count(), 1u);
}

}  // namespace
}  // namespace sagetrail::cloudtrail
