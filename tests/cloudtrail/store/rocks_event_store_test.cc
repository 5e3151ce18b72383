// RocksEventStore over a real Database in temporary directories: lookups by every attribute
// against a reference, paging, partitions, data events, monotonic times, records committed with
// state changes, reopening, retention, read-only instances beside a writer, the writer lock and
// the paging secret.
#include "cloudtrail/store/rocks_event_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "fakes/fake_event_store.h"
#include "fakes/temp_dir.h"
#include "fakes/test_event_database.h"
#include "fakes/test_support.h"

namespace sagetrail::cloudtrail {
namespace {

namespace fs = std::filesystem;
using sagetrail::testing::ExpectedLookup;
using sagetrail::testing::kAccountA;
using sagetrail::testing::kAccountB;
using sagetrail::testing::TempDir;
using sagetrail::testing::TestEventDatabase;
using sagetrail::testing::TestEventId;
using sagetrail::testing::TestRecord;
using sagetrail::testing::TestRecordBody;

const TimePoint kT0 = FromUnixSeconds(1763805600);  // 2025-11-22T10:00:00Z

TimePoint At(int64_t seconds) { return kT0 + std::chrono::seconds(seconds); }

class RocksEventStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { db_ = std::make_unique<TestEventDatabase>(dir_.Sub("db"), random_); }
  RocksEventStore& Store() { return db_->store(); }

  // Appends `records` in batches of `batch`, keeping the seqs (and times) the store assigned.
  static void AppendAll(EventStore& store, std::vector<EventRecord>& records, size_t batch) {
    for (size_t i = 0; i < records.size(); i += batch) {
      std::vector<EventRecord> b(
          records.begin() + static_cast<std::ptrdiff_t>(i),
          records.begin() + static_cast<std::ptrdiff_t>(std::min(records.size(), i + batch)));
      Status s = store.Append(b);
      ASSERT_TRUE(s.ok()) << s.ToString();
      for (size_t j = 0; j < b.size(); ++j) records[i + j] = b[j];
    }
  }

  static LookupQuery Query(const std::string& account = kAccountA,
                           const std::string& region = "us-east-1",
                           LookupAttribute a = LookupAttribute::kNone, std::string value = "") {
    LookupQuery q;
    q.account_id = account;
    q.region = region;
    q.attribute = a;
    q.value = std::move(value);
    q.start = kT0 - std::chrono::hours(1);
    q.end = kT0 + std::chrono::hours(24 * 30);
    return q;
  }

  // Every page of `q`, `page_size` at a time, following the cursor; ids in order.
  static std::vector<std::string> LookupAll(EventStore& store, LookupQuery q, size_t page_size,
                                            int* pages = nullptr) {
    q.max_results = page_size;
    std::vector<std::string> ids;
    int n = 0;
    while (true) {
      auto page = store.Lookup(q);
      EXPECT_TRUE(page.ok()) << page.error().ToString();
      if (!page.ok()) break;
      ++n;
      EXPECT_LE(page->events.size(), page_size);
      for (const auto& r : page->events) ids.push_back(r.event_id);
      if (!page->more) break;
      EXPECT_EQ(page->events.size(), page_size) << "a short page must be the last";
      if (page->events.empty() || n > 10000) break;
      const EventRecord& last = page->events.back();
      q.after = std::make_pair(ToUnixMillis(last.event_time), last.seq);
    }
    if (pages) *pages = n;
    return ids;
  }

  static std::vector<std::string> Ids(const std::vector<EventRecord>& records) {
    std::vector<std::string> ids;
    for (const auto& r : records) ids.push_back(r.event_id);
    return ids;
  }

  TempDir dir_;
  SystemRandom random_;
  std::unique_ptr<TestEventDatabase> db_;
};

std::vector<EventRecord> MakeRecords(size_t n, int64_t step_seconds = 1,
                                     const std::string& account = kAccountA,
                                     const std::string& region = "us-east-1",
                                     uint64_t first_id = 1) {
  std::vector<EventRecord> out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(
        TestRecord(first_id + i, At(static_cast<int64_t>(i) * step_seconds), account, region));
  }
  return out;
}

// Every (attribute, value) worth asking about `records`, plus a value nothing has.
std::vector<std::pair<LookupAttribute, std::string>> AllQueries(
    const std::vector<EventRecord>& records) {
  std::set<std::pair<LookupAttribute, std::string>> q;
  for (const auto& r : records) {
    q.insert({LookupAttribute::kEventId, r.event_id});
    q.insert({LookupAttribute::kEventName, r.event_name});
    q.insert({LookupAttribute::kReadOnly, r.read_only ? "true" : "false"});
    if (!r.username.empty()) q.insert({LookupAttribute::kUsername, r.username});
    q.insert({LookupAttribute::kEventSource, r.event_source});
    if (!r.access_key_id.empty()) q.insert({LookupAttribute::kAccessKeyId, r.access_key_id});
    for (const auto& res : r.resources) {
      q.insert({LookupAttribute::kResourceType, res.type});
      q.insert({LookupAttribute::kResourceName, res.name});
      if (!res.arn.empty()) q.insert({LookupAttribute::kResourceName, res.arn});
    }
  }
  q.insert({LookupAttribute::kNone, ""});
  for (LookupAttribute a :
       {LookupAttribute::kEventId, LookupAttribute::kEventName, LookupAttribute::kUsername,
        LookupAttribute::kResourceType, LookupAttribute::kResourceName,
        LookupAttribute::kEventSource, LookupAttribute::kAccessKeyId}) {
    q.insert({a, "no-such-value"});
  }
  return {q.begin(), q.end()};
}

void ExpectLookupsMatchReference(EventStore& store, const std::vector<EventRecord>& all,
                                 const std::vector<EventRecord>& visible,
                                 const std::vector<std::pair<std::string, std::string>>& parts,
                                 size_t page_size) {
  int checked = 0;
  for (const auto& [account, region] : parts) {
    for (const auto& [attr, value] : AllQueries(all)) {
      LookupQuery q;
      q.account_id = account;
      q.region = region;
      q.attribute = attr;
      q.value = value;
      q.start = kT0 - std::chrono::hours(1);
      q.end = kT0 + std::chrono::hours(24 * 30);
      auto want = ExpectedLookup(visible, q);
      auto got = [&] {
        std::vector<std::string> ids;
        LookupQuery p = q;
        p.max_results = page_size;
        while (true) {
          auto page = store.Lookup(p);
          EXPECT_TRUE(page.ok());
          if (!page.ok()) break;
          for (const auto& r : page->events) ids.push_back(r.event_id);
          if (!page->more || page->events.empty()) break;
          p.after =
              std::make_pair(ToUnixMillis(page->events.back().event_time), page->events.back().seq);
        }
        return ids;
      }();
      EXPECT_EQ(got, want) << "account " << account << " region " << region << " attribute "
                           << static_cast<int>(attr) << " value '" << value << "'";
      ++checked;
    }
  }
  EXPECT_GT(checked, 50);
}

TEST_F(RocksEventStoreTest, AppendAssignsIncreasingSeqsAcrossBatches) {
  EventStore* store = &Store();
  auto records = MakeRecords(10);
  AppendAll(*store, records, 3);
  for (size_t i = 0; i < records.size(); ++i) EXPECT_EQ(records[i].seq, i + 1);
  auto range = store->SeqRange();
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(*range, std::make_pair(uint64_t{1}, uint64_t{10}));
  std::vector<EventRecord> empty;
  EXPECT_TRUE(store->Append(empty).ok());
  std::vector<EventRecord> more = {TestRecord(99, At(100))};
  ASSERT_TRUE(store->Append(more).ok());
  EXPECT_EQ(more[0].seq, 11u);
}

TEST_F(RocksEventStoreTest, LookupByEveryAttributeMatchesAReference) {
  EventStore* store = &Store();
  // Four partitions interleaved in time, plus data events that must never show up.
  std::vector<EventRecord> records;
  const std::vector<std::pair<std::string, std::string>> parts = {{kAccountA, "us-east-1"},
                                                                  {kAccountA, "eu-west-1"},
                                                                  {kAccountB, "us-east-1"},
                                                                  {kAccountB, "eu-west-1"}};
  for (uint64_t i = 1; i <= 240; ++i) {
    const auto& [account, region] = parts[i % 4];
    EventRecord r = TestRecord(i, At(static_cast<int64_t>(i)), account, region);
    if (i % 11 == 0) {
      r.management = false;
      r.event_name = "InvokeEndpoint";
      r.body = TestRecordBody(r);
    }
    records.push_back(r);
  }
  AppendAll(*store, records, 13);
  ExpectLookupsMatchReference(*store, records, records, parts, 50);
  ExpectLookupsMatchReference(*store, records, records, {parts[0]}, 4);
}

// Events milliseconds apart committed in large groups share index blocks (one key per shared
// value per 100 ms of a commit): lookups with any time window, any page size and any paging
// point still return exactly the reference's events, newest first.
TEST_F(RocksEventStoreTest, BlocksOfAGroupCommitAnswerEveryWindowAndPage) {
  EventStore* store = &Store();
  std::vector<EventRecord> records;
  const std::vector<std::pair<std::string, std::string>> parts = {{kAccountA, "us-east-1"},
                                                                  {kAccountB, "us-east-1"}};
  for (uint64_t i = 1; i <= 600; ++i) {
    const auto& [account, region] = parts[i % 7 == 0 ? 1 : 0];
    // 7 ms apart, with a few equal times and a jump of a second now and then.
    int64_t ms = static_cast<int64_t>(i) * 7 - (i % 5 == 0 ? 7 : 0) + (i > 300 ? 1000 : 0);
    records.push_back(TestRecord(i, kT0 + std::chrono::milliseconds(ms), account, region));
  }
  AppendAll(*store, records, 97);
  for (size_t page : {size_t{1}, size_t{3}, size_t{50}}) {
    ExpectLookupsMatchReference(*store, records, records, parts, page);
  }
  // Windows that start and end inside blocks.
  std::mt19937_64 rnd(7);
  auto uniform = [&](uint64_t n) { return rnd() % n; };
  for (int round = 0; round < 200; ++round) {
    const auto& [attr, value] = [&] {
      auto all = AllQueries(records);
      return all[uniform(all.size())];
    }();
    LookupQuery q = Query(kAccountA, "us-east-1", attr, value);
    int64_t a = static_cast<int64_t>(uniform(6000)), b = static_cast<int64_t>(uniform(6000));
    q.start = kT0 + std::chrono::milliseconds(std::min(a, b));
    q.end = kT0 + std::chrono::milliseconds(std::max(a, b));
    auto want = ExpectedLookup(records, q);
    EXPECT_EQ(LookupAll(*store, q, 1 + uniform(5)), want)
        << "attribute " << static_cast<int>(attr) << " value " << value << " window " << a << "-"
        << b;
  }
}

TEST_F(RocksEventStoreTest, LookupReturnsWholeRecords) {
  EventStore* store = &Store();
  auto records = MakeRecords(12);
  AppendAll(*store, records, 5);
  auto page =
      store->Lookup(Query(kAccountA, "us-east-1", LookupAttribute::kEventId, records[6].event_id));
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->events.size(), 1u);
  const EventRecord& got = page->events[0];
  const EventRecord& want = records[6];
  EXPECT_EQ(got.seq, want.seq);
  EXPECT_EQ(got.account_id, want.account_id);
  EXPECT_EQ(got.region, want.region);
  EXPECT_EQ(got.event_time, want.event_time);
  EXPECT_EQ(got.event_id, want.event_id);
  EXPECT_EQ(got.event_name, want.event_name);
  EXPECT_EQ(got.event_source, want.event_source);
  EXPECT_EQ(got.username, want.username);
  EXPECT_EQ(got.access_key_id, want.access_key_id);
  EXPECT_EQ(got.read_only, want.read_only);
  EXPECT_TRUE(got.management);
  ASSERT_EQ(got.resources.size(), want.resources.size());
  for (size_t i = 0; i < got.resources.size(); ++i) {
    EXPECT_EQ(got.resources[i].type, want.resources[i].type);
    EXPECT_EQ(got.resources[i].name, want.resources[i].name);
    EXPECT_EQ(got.resources[i].arn, want.resources[i].arn);
  }
  EXPECT_EQ(got.body, want.body);
  EXPECT_FALSE(page->more);
}

TEST_F(RocksEventStoreTest, LookupEachAttributeExplicitly) {
  EventStore* store = &Store();
  auto records = MakeRecords(24);
  AppendAll(*store, records, 24);
  auto ids = [&](LookupAttribute a, const std::string& v) {
    return LookupAll(*store, Query(kAccountA, "us-east-1", a, v), 50);
  };
  // Record i (1-based id) has name kNames[i % 4], user kUsers[i % 3], source cloudtrail iff
  // i % 5 == 0, resource model-(i % 7) unless ListModels, endpoint iff i % 6 == 0.
  EXPECT_EQ(ids(LookupAttribute::kEventId, TestEventId(7)),
            (std::vector<std::string>{TestEventId(7)}));
  EXPECT_EQ(ids(LookupAttribute::kEventName, "DeleteModel"),
            (std::vector<std::string>{TestEventId(22), TestEventId(18), TestEventId(14),
                                      TestEventId(10), TestEventId(6), TestEventId(2)}));
  std::vector<std::string> ro, rw;
  for (int i = 24; i >= 1; --i) (i % 4 == 1 || i % 4 == 3 ? ro : rw).push_back(TestEventId(i));
  EXPECT_EQ(ids(LookupAttribute::kReadOnly, "true"), ro);
  EXPECT_EQ(ids(LookupAttribute::kReadOnly, "false"), rw);
  EXPECT_EQ(
      ids(LookupAttribute::kUsername, "root"),
      (std::vector<std::string>{TestEventId(23), TestEventId(20), TestEventId(17), TestEventId(14),
                                TestEventId(11), TestEventId(8), TestEventId(5), TestEventId(2)}));
  EXPECT_EQ(ids(LookupAttribute::kEventSource, "cloudtrail.amazonaws.com"),
            (std::vector<std::string>{TestEventId(20), TestEventId(15), TestEventId(10),
                                      TestEventId(5)}));
  EXPECT_EQ(
      ids(LookupAttribute::kAccessKeyId, "AKIABOB00000000000B0"),
      (std::vector<std::string>{TestEventId(22), TestEventId(19), TestEventId(16), TestEventId(13),
                                TestEventId(10), TestEventId(7), TestEventId(4), TestEventId(1)}));
  EXPECT_EQ(ids(LookupAttribute::kResourceType, "AWS::SageMaker::Endpoint"),
            (std::vector<std::string>{TestEventId(24), TestEventId(18), TestEventId(12),
                                      TestEventId(6)}));
  // model-3: ids 3, 10, 17, 24 (3 is ListModels: no model resource).
  std::vector<std::string> model3 = {TestEventId(24), TestEventId(17), TestEventId(10)};
  EXPECT_EQ(ids(LookupAttribute::kResourceName, "model-3"), model3);
  EXPECT_EQ(ids(LookupAttribute::kResourceName,
                std::string("arn:aws:sagemaker:us-east-1:") + kAccountA + ":model/model-3"),
            model3);
  EXPECT_TRUE(ids(LookupAttribute::kResourceName, "MODEL-3").empty());
  EXPECT_TRUE(ids(LookupAttribute::kUsername, "nobody").empty());
  // An endpoint resource has no ARN; its name alone finds it.
  EXPECT_EQ(ids(LookupAttribute::kResourceName, "ep-2"),
            (std::vector<std::string>{TestEventId(18), TestEventId(6)}));
}

TEST_F(RocksEventStoreTest, EventIdLookupWorksForAnyIdTextAndStaysInItsPartition) {
  EventStore* store = &Store();
  std::vector<EventRecord> records = {TestRecord(1, At(0)), TestRecord(2, At(1), kAccountB)};
  records[0].event_id = "not-a-uuid: plain text";
  records[0].body = TestRecordBody(records[0]);
  const std::string kId = "6b1b42b9-0d1f-4c8e-9e0a-3c2b1a0f9e8d";
  records[1].event_id = kId;
  records[1].body = TestRecordBody(records[1]);
  AppendAll(*store, records, 2);
  auto a = LookupAll(
      *store, Query(kAccountA, "us-east-1", LookupAttribute::kEventId, "not-a-uuid: plain text"),
      50);
  EXPECT_EQ(a, (std::vector<std::string>{"not-a-uuid: plain text"}));
  // The other account's id is not visible from this partition.
  EXPECT_TRUE(
      LookupAll(*store, Query(kAccountA, "us-east-1", LookupAttribute::kEventId, kId), 50).empty());
  EXPECT_EQ(LookupAll(*store, Query(kAccountB, "us-east-1", LookupAttribute::kEventId, kId), 50),
            (std::vector<std::string>{kId}));
  // The same hex digits in upper case, or without dashes, are not the same id.
  std::string upper = kId;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string no_dashes = kId;
  std::erase(no_dashes, '-');
  EXPECT_TRUE(
      LookupAll(*store, Query(kAccountB, "us-east-1", LookupAttribute::kEventId, no_dashes), 50)
          .empty());
  EXPECT_TRUE(LookupAll(*store, Query(kAccountB, "us-east-1", LookupAttribute::kEventId, upper), 50)
                  .empty());
}

TEST_F(RocksEventStoreTest, NewestFirst) {
  EventStore* store = &Store();
  auto records = MakeRecords(30);
  AppendAll(*store, records, 7);
  auto page = store->Lookup(Query());
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->events.size(), 30u);
  for (size_t i = 1; i < page->events.size(); ++i) {
    EXPECT_GT(page->events[i - 1].seq, page->events[i].seq);
    EXPECT_GE(page->events[i - 1].event_time, page->events[i].event_time);
  }
  EXPECT_EQ(page->events.front().event_id, TestEventId(30));
  EXPECT_FALSE(page->more);
}

TEST_F(RocksEventStoreTest, TimeRangeIsInclusiveAtBothEnds) {
  EventStore* store = &Store();
  auto records = MakeRecords(20, 10);  // at 0, 10, ..., 190 s
  AppendAll(*store, records, 20);
  LookupQuery q = Query();
  q.start = At(50);
  q.end = At(120);
  EXPECT_EQ(
      LookupAll(*store, q, 50),
      (std::vector<std::string>{TestEventId(13), TestEventId(12), TestEventId(11), TestEventId(10),
                                TestEventId(9), TestEventId(8), TestEventId(7), TestEventId(6)}));
  // One millisecond inside either end drops that end's event.
  q.start = At(50) + std::chrono::milliseconds(1);
  q.end = At(120) - std::chrono::milliseconds(1);
  auto ids = LookupAll(*store, q, 50);
  EXPECT_EQ(ids.front(), TestEventId(12));
  EXPECT_EQ(ids.back(), TestEventId(7));
  // A single instant.
  q.start = q.end = At(70);
  EXPECT_EQ(LookupAll(*store, q, 50), (std::vector<std::string>{TestEventId(8)}));
  // Same with an attribute (the posting-list path).
  q.attribute = LookupAttribute::kEventName;
  q.value = "ListModels";  // ids 3, 7, 11, 15, ...
  q.start = At(30);        // id 4
  q.end = At(110);         // id 12
  EXPECT_EQ(LookupAll(*store, q, 50), (std::vector<std::string>{TestEventId(11), TestEventId(7)}));
  // A range before everything.
  q.start = At(-100);
  q.end = At(-1);
  EXPECT_TRUE(LookupAll(*store, q, 50).empty());
}

TEST_F(RocksEventStoreTest, PagingHasNoGapsOrDuplicates) {
  EventStore* store = &Store();
  // Several events per second, so pages split inside one second.
  std::vector<EventRecord> records;
  for (uint64_t i = 1; i <= 137; ++i) records.push_back(TestRecord(i, At(i / 4)));
  AppendAll(*store, records, 9);
  int pages = 0;
  auto ids = LookupAll(*store, Query(), 10, &pages);
  EXPECT_EQ(pages, 14);
  EXPECT_EQ(ids, ExpectedLookup(records, Query()));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 137u);
  // With an attribute and a time range.
  LookupQuery q = Query(kAccountA, "us-east-1", LookupAttribute::kReadOnly, "false");
  q.start = At(5);
  q.end = At(30);
  EXPECT_EQ(LookupAll(*store, q, 3), ExpectedLookup(records, q));
  EXPECT_FALSE(ExpectedLookup(records, q).empty());
  // A page that ends exactly at the last event says there is no more.
  LookupQuery exact = Query();
  exact.max_results = 137;
  auto page = store->Lookup(exact);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->events.size(), 137u);
  EXPECT_FALSE(page->more);
  exact.max_results = 136;
  page = store->Lookup(exact);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->more);
}

TEST_F(RocksEventStoreTest, PartitionsAreIsolated) {
  EventStore* store = &Store();
  std::vector<EventRecord> records = {
      TestRecord(1, At(0), kAccountA, "us-east-1"), TestRecord(2, At(1), kAccountA, "us-west-2"),
      TestRecord(3, At(2), kAccountB, "us-east-1"), TestRecord(4, At(3), kAccountA, "us-east-1")};
  AppendAll(*store, records, 4);
  EXPECT_EQ(LookupAll(*store, Query(kAccountA, "us-east-1"), 50),
            (std::vector<std::string>{TestEventId(4), TestEventId(1)}));
  EXPECT_EQ(LookupAll(*store, Query(kAccountA, "us-west-2"), 50),
            (std::vector<std::string>{TestEventId(2)}));
  EXPECT_EQ(LookupAll(*store, Query(kAccountB, "us-east-1"), 50),
            (std::vector<std::string>{TestEventId(3)}));
  EXPECT_TRUE(LookupAll(*store, Query(kAccountB, "us-west-2"), 50).empty());
  EXPECT_TRUE(LookupAll(*store, Query("999999999999", "us-east-1"), 50).empty());
  // The same attribute value in other partitions does not leak in.
  EXPECT_EQ(LookupAll(*store,
                      Query(kAccountA, "us-west-2", LookupAttribute::kEventSource,
                            "sagemaker.amazonaws.com"),
                      50),
            (std::vector<std::string>{TestEventId(2)}));
}

TEST_F(RocksEventStoreTest, DataEventsAreNeverLookedUpButAreRead) {
  EventStore* store = &Store();
  auto records = MakeRecords(6);
  for (size_t i = 0; i < records.size(); i += 2) records[i].management = false;
  AppendAll(*store, records, 6);
  for (const auto& [attr, value] : AllQueries(records)) {
    auto ids = LookupAll(*store, Query(kAccountA, "us-east-1", attr, value), 50);
    for (const auto& id : ids) {
      EXPECT_TRUE(id == TestEventId(2) || id == TestEventId(4) || id == TestEventId(6)) << id;
    }
  }
  EXPECT_TRUE(LookupAll(*store,
                        Query(kAccountA, "us-east-1", LookupAttribute::kEventId, TestEventId(1)),
                        50)
                  .empty());
  auto all = store->ReadAfter(0, 100);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ((*all)[i].event_id, records[i].event_id);
    EXPECT_EQ((*all)[i].management, i % 2 == 1);
  }
}

TEST_F(RocksEventStoreTest, EventTimesAreMadeMonotonic) {
  EventStore* store = &Store();
  std::vector<EventRecord> batch = {TestRecord(1, At(5) + std::chrono::milliseconds(800)),
                                    TestRecord(2, At(5) + std::chrono::milliseconds(200)),
                                    TestRecord(3, At(2)), TestRecord(4, At(9))};
  ASSERT_TRUE(store->Append(batch).ok());
  const TimePoint t5 = At(5) + std::chrono::milliseconds(800);
  // Same second: the time moves, the text stays.
  EXPECT_EQ(batch[1].event_time, t5);
  EXPECT_EQ(batch[1].body, TestRecordBody(TestRecord(2, At(5))));
  // An earlier second: both move.
  EXPECT_EQ(batch[2].event_time, t5);
  EXPECT_NE(batch[2].body.find("\"eventTime\":\"2025-11-22T10:00:05Z\""), std::string::npos)
      << batch[2].body;
  EXPECT_EQ(batch[2].body.find("10:00:02Z"), std::string::npos);
  EXPECT_EQ(batch[3].event_time, At(9));
  // Across batches too, and what is stored is what was rewritten.
  std::vector<EventRecord> late = {TestRecord(5, At(1))};
  ASSERT_TRUE(store->Append(late).ok());
  EXPECT_EQ(late[0].event_time, At(9));
  auto all = store->ReadAfter(0, 10);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 5u);
  for (size_t i = 1; i < all->size(); ++i) {
    EXPECT_GE((*all)[i].event_time, (*all)[i - 1].event_time);
  }
  EXPECT_EQ((*all)[2].body, batch[2].body);
  EXPECT_EQ((*all)[4].body, late[0].body);
  EXPECT_NE((*all)[4].body.find("10:00:09Z"), std::string::npos);
  // And after a restart the last time is remembered.
  db_->Reopen();
  store = &Store();
  std::vector<EventRecord> after = {TestRecord(6, At(3))};
  ASSERT_TRUE(store->Append(after).ok());
  EXPECT_EQ(after[0].event_time, At(9));
  EXPECT_NE(after[0].body.find("10:00:09Z"), std::string::npos);
  // Lookups by time see the moved times.
  LookupQuery q = Query();
  q.start = q.end = At(9);
  EXPECT_EQ(LookupAll(*store, q, 50),
            (std::vector<std::string>{TestEventId(6), TestEventId(5), TestEventId(4)}));
}

TEST_F(RocksEventStoreTest, ReopenRecoversEverythingIdentically) {
  std::vector<EventRecord> records;
  const std::vector<std::pair<std::string, std::string>> parts = {{kAccountA, "us-east-1"},
                                                                  {kAccountB, "eu-west-1"}};
  for (uint64_t i = 1; i <= 150; ++i) {
    const auto& [account, region] = parts[i % 2];
    records.push_back(TestRecord(i, At(static_cast<int64_t>(i)), account, region));
    if (i % 9 == 0) records.back().management = false;
  }
  AppendAll(Store(), records, 11);
  ASSERT_TRUE(db_->db().Flush().ok());  // part in table files, part in the log only
  std::vector<EventRecord> tail = {TestRecord(151, At(151))};
  ASSERT_TRUE(Store().Append(tail).ok());
  records.push_back(tail[0]);
  std::string secret = Store().secret();
  db_->Reopen();
  EventStore& store = Store();
  EXPECT_EQ(store.secret(), secret);
  auto range = store.SeqRange();
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(*range, std::make_pair(uint64_t{1}, uint64_t{151}));
  auto all = store.ReadAfter(0, 1000);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ((*all)[i].seq, records[i].seq);
    EXPECT_EQ((*all)[i].event_id, records[i].event_id);
    EXPECT_EQ((*all)[i].body, records[i].body);
    EXPECT_EQ((*all)[i].management, records[i].management);
  }
  ExpectLookupsMatchReference(store, records, records, parts, 9);
  // Appends continue where the log left off.
  std::vector<EventRecord> next = {TestRecord(152, At(152))};
  ASSERT_TRUE(store.Append(next).ok());
  EXPECT_EQ(next[0].seq, 152u);
}

TEST_F(RocksEventStoreTest, ReadAfterFromAnySeqAndLimit) {
  auto records = MakeRecords(300);
  AppendAll(Store(), records, 37);
  for (uint64_t after : {uint64_t{0}, uint64_t{1}, uint64_t{150}, uint64_t{299}, uint64_t{300}}) {
    auto got = Store().ReadAfter(after, 1000);
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(got->size(), 300 - after);
    if (!got->empty()) {
      EXPECT_EQ(got->front().seq, after + 1);
    }
  }
  auto limited = Store().ReadAfter(10, 5);
  ASSERT_TRUE(limited.ok());
  ASSERT_EQ(limited->size(), 5u);
  EXPECT_EQ(limited->back().seq, 15u);
  // A huge record reads back whole.
  EventRecord big = TestRecord(301, At(301));
  big.body = std::string(3 << 20, 'x');
  std::vector<EventRecord> one = {big};
  ASSERT_TRUE(Store().Append(one).ok());
  auto got = Store().ReadAfter(300, 1);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->front().body.size(), 3u << 20);
}

TEST_F(RocksEventStoreTest, StateMutationsCommitWithTheirRecords) {
  std::vector<EventRecord> batch = {TestRecord(1, At(0))};
  store::Mutations m = {store::Mutation::Put("svc/a", "1"), store::Mutation::Put("svc/b", "2")};
  ASSERT_TRUE(Store().Commit(batch, m).ok());
  std::vector<EventRecord> none;
  ASSERT_TRUE(Store().Commit(none, {store::Mutation::Delete("svc/a")}).ok());
  auto a = db_->db().Get(store::Family::kState, "svc/a");
  auto b = db_->db().Get(store::Family::kState, "svc/b");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(a->has_value());
  EXPECT_EQ(**b, "2");
  db_->Reopen();
  b = db_->db().Get(store::Family::kState, "svc/b");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(**b, "2");
  EXPECT_EQ(Store().SeqRange()->second, 1u);
}

TEST_F(RocksEventStoreTest, DeleteOlderThanDropsOnlyOldRecordsAndTheirLookups) {
  auto records = MakeRecords(100, 60);  // one a minute
  AppendAll(Store(), records, 10);
  ASSERT_TRUE(db_->db().Flush().ok());
  auto dropped = Store().DeleteOlderThan(At(30 * 60), 1000);
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(*dropped, 30u);
  auto range = Store().SeqRange();
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(*range, std::make_pair(uint64_t{31}, uint64_t{100}));
  std::vector<EventRecord> kept(records.begin() + 30, records.end());
  ExpectLookupsMatchReference(Store(), records, kept, {{kAccountA, "us-east-1"}}, 7);
  // The limit is honoured; nothing more goes until more is old.
  dropped = Store().DeleteOlderThan(At(60 * 60), 5);
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(*dropped, 5u);
  EXPECT_EQ(Store().SeqRange()->first, 36u);
  EXPECT_EQ(*Store().DeleteOlderThan(At(0), 1000), 0u);
}

// Retention may drop every record, while their index keys wait for compaction: sequence numbers
// must not start over after a restart, or those keys would find the new events under the old
// events' names.
TEST_F(RocksEventStoreTest, SeqsAreNeverReusedAfterRetentionDropsEverything) {
  auto old = MakeRecords(20, 60);
  AppendAll(Store(), old, 5);
  ASSERT_EQ(*Store().DeleteOlderThan(At(24 * 3600), 1000), 20u);
  db_->Reopen();
  // New events at later times, with other names.
  std::vector<EventRecord> fresh;
  for (uint64_t i = 0; i < 20; ++i) {
    EventRecord r = TestRecord(100 + i, At(2 * 24 * 3600 + static_cast<int64_t>(i)));
    fresh.push_back(std::move(r));
  }
  AppendAll(Store(), fresh, 5);
  EXPECT_EQ(fresh.front().seq, 21u);
  // Every lookup, for the old events' values too, finds exactly the new events.
  ExpectLookupsMatchReference(
      Store(),
      [&] {
        std::vector<EventRecord> all = old;
        all.insert(all.end(), fresh.begin(), fresh.end());
        return all;
      }(),
      fresh, {{kAccountA, "us-east-1"}}, 7);
  // And again after another restart with nothing dropped in between.
  db_->Reopen();
  std::vector<EventRecord> more = {TestRecord(200, At(3 * 24 * 3600))};
  ASSERT_TRUE(Store().Append(more).ok());
  EXPECT_EQ(more[0].seq, 41u);
}

TEST_F(RocksEventStoreTest, ReadOnlyInstanceBesideTheWriterSeesCommittedRecordsAndNeverWrites) {
  auto records = MakeRecords(20);
  AppendAll(Store(), records, 5);
  auto [ro_db, ro] = db_->OpenReadOnly();
  ASSERT_NE(ro, nullptr);
  EXPECT_EQ(ro->SeqRange()->second, 20u);
  EXPECT_EQ(LookupAll(*ro, Query(), 50), ExpectedLookup(records, Query()));
  EXPECT_EQ(ro->secret(), Store().secret());
  std::vector<EventRecord> refused = {TestRecord(99, At(99))};
  EXPECT_FALSE(ro->Append(refused).ok());
  EXPECT_FALSE(ro->health().ok());
  // New commits show after a refresh.
  std::vector<EventRecord> more = {TestRecord(21, At(21))};
  ASSERT_TRUE(Store().Append(more).ok());
  ASSERT_TRUE(ro_db->Refresh().ok());
  EXPECT_EQ(ro->SeqRange()->second, 21u);
  // A directory with no database is not created by a reader.
  store::DatabaseOptions o;
  o.read_only = true;
  EXPECT_FALSE(store::Database::Open(dir_.Sub("nothing-here"), o).ok());
  EXPECT_FALSE(fs::exists(dir_.Sub("nothing-here")));
}

TEST_F(RocksEventStoreTest, OnlyOneWriterPerDirectory) {
  auto second = store::Database::Open(dir_.Sub("db"), store::DatabaseOptions{});
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message().find("lock"), std::string::npos) << second.error().message();
  db_.reset();
  db_ = std::make_unique<TestEventDatabase>(dir_.Sub("db"), random_);
  EXPECT_TRUE(Store().health().ok());
}

TEST_F(RocksEventStoreTest, SecretIs32BytesStableAndPerDirectory) {
  std::string secret = Store().secret();
  EXPECT_EQ(secret.size(), 32u);
  EXPECT_NE(secret, std::string(32, '\0'));
  db_->Reopen();
  EXPECT_EQ(Store().secret(), secret);
  TempDir other;
  TestEventDatabase another(other.Sub("db"), random_);
  EXPECT_EQ(another.store().secret().size(), 32u);
  EXPECT_NE(another.store().secret(), secret);
}

TEST_F(RocksEventStoreTest, SyncedCommitsReadTheSame) {
  TempDir other;
  store::DatabaseOptions synced;
  synced.sync = true;
  auto records = MakeRecords(50);
  {
    TestEventDatabase db(other.Sub("db"), random_, synced);
    AppendAll(db.store(), records, 6);
  }
  TestEventDatabase db(other.Sub("db"), random_);
  EXPECT_EQ(LookupAll(db.store(), Query(), 50), ExpectedLookup(records, Query()));
}

TEST_F(RocksEventStoreTest, ReadersSeeConsistentPagesWhileCommitsGoOn) {
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (uint64_t i = 1; i <= 2000 && !stop; ++i) {
      std::vector<EventRecord> b = {TestRecord(i, At(static_cast<int64_t>(i)))};
      ASSERT_TRUE(Store().Append(b).ok());
    }
  });
  for (int k = 0; k < 200; ++k) {
    auto page = Store().Lookup(Query());
    ASSERT_TRUE(page.ok());
    for (size_t i = 1; i < page->events.size(); ++i) {
      EXPECT_GT(page->events[i - 1].seq, page->events[i].seq);
    }
  }
  stop = true;
  writer.join();
}

}  // namespace
}  // namespace sagetrail::cloudtrail
