// LogEventStore over temporary directories: lookups by every attribute against a reference,
// paging, partitions, data events, monotonic times, recovery (reopen, torn tails, corruption),
// segment rolling, retention, read-only snapshots, the writer lock and the paging secret.
#include "cloudtrail/store/log_event_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "fakes/fake_event_store.h"
#include "fakes/temp_dir.h"
#include "fakes/test_support.h"

namespace sagetrail::cloudtrail {
namespace {

namespace fs = std::filesystem;
using sagetrail::testing::ExpectedLookup;
using sagetrail::testing::kAccountA;
using sagetrail::testing::kAccountB;
using sagetrail::testing::TempDir;
using sagetrail::testing::TestEventId;
using sagetrail::testing::TestRecord;
using sagetrail::testing::TestRecordBody;

const TimePoint kT0 = FromUnixSeconds(1763805600);  // 2025-11-22T10:00:00Z

TimePoint At(int64_t seconds) { return kT0 + std::chrono::seconds(seconds); }

class LogEventStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<LogEventStore> Open(LogStoreOptions options = {}) {
    auto s = LogEventStore::Open(dir_.Sub("events"), options, random_);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().ToString());
    return s.ok() ? std::move(s).value() : nullptr;
  }
  static LogStoreOptions Small(uint64_t segment_bytes = 4096) {
    LogStoreOptions o;
    o.segment_bytes = segment_bytes;
    return o;
  }
  static LogStoreOptions ReadOnly() {
    LogStoreOptions o;
    o.read_only = true;
    return o;
  }

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

  std::vector<std::string> SegmentFiles() const {
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(dir_.Sub("events"))) {
      if (e.path().extension() == ".log") files.push_back(e.path().string());
    }
    std::sort(files.begin(), files.end());
    return files;
  }
  std::map<std::string, uintmax_t> FileSizes() const {
    std::map<std::string, uintmax_t> sizes;
    for (const auto& e : fs::directory_iterator(dir_.Sub("events"))) {
      sizes[e.path().filename().string()] = fs::file_size(e.path());
    }
    return sizes;
  }

  static void AppendBytes(const std::string& path, const std::string& bytes) {
    std::ofstream f(path, std::ios::binary | std::ios::app);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  static void FlipByte(const std::string& path, uintmax_t offset) {
    std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
    f.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x5a);
    f.seekp(static_cast<std::streamoff>(offset));
    f.write(&c, 1);
  }

  TempDir dir_;
  SystemRandom random_;
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

TEST_F(LogEventStoreTest, AppendAssignsIncreasingSeqsAcrossBatches) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
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

TEST_F(LogEventStoreTest, LookupByEveryAttributeMatchesAReference) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
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

TEST_F(LogEventStoreTest, LookupReturnsWholeRecords) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
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

TEST_F(LogEventStoreTest, LookupEachAttributeExplicitly) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
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

TEST_F(LogEventStoreTest, EventIdLookupWorksForAnyIdTextAndStaysInItsPartition) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
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

TEST_F(LogEventStoreTest, NewestFirst) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
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

TEST_F(LogEventStoreTest, TimeRangeIsInclusiveAtBothEnds) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
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

TEST_F(LogEventStoreTest, PagingHasNoGapsOrDuplicates) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
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

TEST_F(LogEventStoreTest, PartitionsAreIsolated) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
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

TEST_F(LogEventStoreTest, DataEventsAreNeverLookedUpButAreRead) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
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

TEST_F(LogEventStoreTest, EventTimesAreMadeMonotonic) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
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
  store.reset();
  store = Open();
  ASSERT_NE(store, nullptr);
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

TEST_F(LogEventStoreTest, ReopenRecoversEverythingIdentically) {
  std::vector<EventRecord> records;
  const std::vector<std::pair<std::string, std::string>> parts = {{kAccountA, "us-east-1"},
                                                                  {kAccountB, "eu-west-1"}};
  for (uint64_t i = 1; i <= 150; ++i) {
    const auto& [account, region] = parts[i % 2];
    records.push_back(TestRecord(i, At(static_cast<int64_t>(i)), account, region));
    if (i % 9 == 0) records.back().management = false;
  }
  std::string secret;
  {
    auto store = Open(Small(8192));
    ASSERT_NE(store, nullptr);
    AppendAll(*store, records, 11);
    secret = store->secret();
    EXPECT_GT(store->segment_count(), 2u);
  }
  auto store = Open(Small(8192));
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->secret(), secret);
  auto range = store->SeqRange();
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(*range, std::make_pair(uint64_t{1}, uint64_t{150}));
  auto all = store->ReadAfter(0, 1000);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ((*all)[i].seq, records[i].seq);
    EXPECT_EQ((*all)[i].event_id, records[i].event_id);
    EXPECT_EQ((*all)[i].body, records[i].body);
    EXPECT_EQ((*all)[i].management, records[i].management);
  }
  ExpectLookupsMatchReference(*store, records, records, parts, 9);
  // Appends continue where the log left off.
  std::vector<EventRecord> next = {TestRecord(151, At(151))};
  ASSERT_TRUE(store->Append(next).ok());
  EXPECT_EQ(next[0].seq, 151u);
}

TEST_F(LogEventStoreTest, TornTailOfGarbageIsCutOffOnReopen) {
  auto records = MakeRecords(20);
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    AppendAll(*store, records, 5);
  }
  auto files = SegmentFiles();
  ASSERT_EQ(files.size(), 1u);
  uintmax_t good = fs::file_size(files.back());
  AppendBytes(files.back(), std::string("\x17\x00\x00\x00garbage that is no record", 29));
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(fs::file_size(files.back()), good);
    EXPECT_EQ(LookupAll(*store, Query(), 50), ExpectedLookup(records, Query()));
    std::vector<EventRecord> more = {TestRecord(21, At(21)), TestRecord(22, At(22))};
    ASSERT_TRUE(store->Append(more).ok());
    EXPECT_EQ(more[0].seq, 21u);
    records.insert(records.end(), more.begin(), more.end());
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(LookupAll(*store, Query(), 50), ExpectedLookup(records, Query()));
  auto all = store->ReadAfter(0, 100);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 22u);
}

TEST_F(LogEventStoreTest, RecordTruncatedMidwayIsCutOffOnReopen) {
  auto records = MakeRecords(10);
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    AppendAll(*store, records, 10);
  }
  auto files = SegmentFiles();
  ASSERT_EQ(files.size(), 1u);
  uintmax_t size = fs::file_size(files.back());
  fs::resize_file(files.back(), size - 7);
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    records.pop_back();
    EXPECT_EQ(LookupAll(*store, Query(), 50), ExpectedLookup(records, Query()));
    EXPECT_LT(fs::file_size(files.back()), size - 7);
    auto range = store->SeqRange();
    ASSERT_TRUE(range.ok());
    EXPECT_EQ(range->second, 9u);
    std::vector<EventRecord> more = {TestRecord(50, At(50))};
    ASSERT_TRUE(store->Append(more).ok());
    EXPECT_EQ(more[0].seq, 10u);
    records.push_back(more[0]);
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(LookupAll(*store, Query(), 50), ExpectedLookup(records, Query()));
}

TEST_F(LogEventStoreTest, TornTailInANewSegmentKeepsEarlierSegments) {
  auto records = MakeRecords(60);
  {
    auto store = Open(Small());
    ASSERT_NE(store, nullptr);
    AppendAll(*store, records, 4);
    ASSERT_GT(store->segment_count(), 2u);
  }
  auto files = SegmentFiles();
  AppendBytes(files.back(), std::string(3, '\x01'));  // shorter than a frame header
  auto store = Open(Small());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(LookupAll(*store, Query(), 7), ExpectedLookup(records, Query()));
}

TEST_F(LogEventStoreTest, CorruptionInAnEarlierSegmentFailsOpen) {
  auto records = MakeRecords(60);
  {
    auto store = Open(Small());
    ASSERT_NE(store, nullptr);
    AppendAll(*store, records, 4);
    ASSERT_GT(store->segment_count(), 2u);
  }
  auto files = SegmentFiles();
  ASSERT_GT(files.size(), 2u);
  FlipByte(files[1], fs::file_size(files[1]) / 2);
  auto reopened = LogEventStore::Open(dir_.Sub("events"), Small(), random_);
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.error().code(), Status::Code::kCorruption);
  EXPECT_NE(reopened.error().message().find(fs::path(files[1]).filename().string()),
            std::string::npos)
      << reopened.error().message();
  // Nothing was cut off the damaged file, and a read-only open refuses too.
  auto ro = LogEventStore::Open(dir_.Sub("events"), ReadOnly(), random_);
  ASSERT_FALSE(ro.ok());
  EXPECT_EQ(ro.error().code(), Status::Code::kCorruption);
}

TEST_F(LogEventStoreTest, SegmentsRollAndReadAfterWorksFromAnySeq) {
  auto store = Open(Small());
  ASSERT_NE(store, nullptr);
  // Some records larger than a segment, and enough of them for several sparse-index entries.
  std::vector<EventRecord> records = MakeRecords(420);
  for (size_t i = 0; i < records.size(); i += 97) {
    records[i].body = TestRecordBody(records[i]);
    records[i].body.insert(records[i].body.size() - 1,
                           ",\"pad\":\"" + std::string(6000, 'x') + "\"");
  }
  AppendAll(*store, records, 7);
  EXPECT_GT(store->segment_count(), 10u);
  auto files = SegmentFiles();
  EXPECT_EQ(files.size(), store->segment_count());
  for (size_t i = 0; i + 1 < files.size(); ++i) {
    // A segment rolls once it reaches the limit: it holds at most one batch past it.
    EXPECT_GT(fs::file_size(files[i]), 0u);
  }
  for (uint64_t after = 0; after <= records.size(); ++after) {
    for (size_t limit : {size_t{1}, size_t{5}, size_t{1000}}) {
      auto got = store->ReadAfter(after, limit);
      ASSERT_TRUE(got.ok()) << got.error().ToString();
      size_t want = std::min<size_t>(limit, records.size() - after);
      ASSERT_EQ(got->size(), want) << "after " << after << " limit " << limit;
      for (size_t i = 0; i < got->size(); ++i) {
        ASSERT_EQ((*got)[i].seq, after + 1 + i);
        ASSERT_EQ((*got)[i].body, records[after + i].body);
      }
    }
  }
  auto none = store->ReadAfter(records.size() + 10, 10);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto zero = store->ReadAfter(0, 0);
  ASSERT_TRUE(zero.ok());
  EXPECT_TRUE(zero->empty());
  // Lookups reach into every segment.
  EXPECT_EQ(LookupAll(*store, Query(), 50), ExpectedLookup(records, Query()));
}

TEST_F(LogEventStoreTest, ReadAfterCrossesReadChunksAndReadsHugeRecords) {
  // One big segment: several MB, so reads cross chunk boundaries mid-record, with records both
  // far smaller and larger than a chunk.
  auto store = Open();
  ASSERT_NE(store, nullptr);
  std::vector<EventRecord> records = MakeRecords(9000);
  for (size_t i : {size_t{10}, size_t{4000}, size_t{8999}}) {
    records[i].body = TestRecordBody(records[i]);
    records[i].body.insert(records[i].body.size() - 1,
                           ",\"pad\":\"" + std::string(1536 * 1024 + i, 'p') + "\"");
  }
  AppendAll(*store, records, 500);
  ASSERT_EQ(store->segment_count(), 1u);
  for (uint64_t after : {uint64_t{0}, uint64_t{9}, uint64_t{10}, uint64_t{11}, uint64_t{3000},
                         uint64_t{3999}, uint64_t{8998}}) {
    auto got = store->ReadAfter(after, 100000);
    ASSERT_TRUE(got.ok()) << got.error().ToString();
    ASSERT_EQ(got->size(), records.size() - after) << after;
    for (size_t i = 0; i < got->size(); ++i) {
      ASSERT_EQ((*got)[i].seq, after + 1 + i);
      ASSERT_EQ((*got)[i].body.size(), records[after + i].body.size());
    }
    EXPECT_EQ(got->back().body, records.back().body);
  }
  auto page = store->Lookup(
      Query(kAccountA, "us-east-1", LookupAttribute::kEventId, records[4000].event_id));
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->events.size(), 1u);
  EXPECT_EQ(page->events[0].body, records[4000].body);
}

TEST_F(LogEventStoreTest, ReadersSeeConsistentStateWhileAppending) {
  auto store = Open(Small(16 * 1024));
  ASSERT_NE(store, nullptr);
  std::vector<EventRecord> records = MakeRecords(3000);
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&, t] {
      while (!done.load()) {
        if (t == 0) {
          LookupQuery q = Query(kAccountA, "us-east-1", LookupAttribute::kReadOnly, "false");
          q.max_results = 20;
          auto page = store->Lookup(q);
          if (!page.ok()) ++failures;
          for (size_t i = 1; page.ok() && i < page->events.size(); ++i) {
            if (page->events[i - 1].seq <= page->events[i].seq) ++failures;
          }
        } else {
          auto got = store->ReadAfter(0, 100000);
          if (!got.ok()) ++failures;
          for (size_t i = 0; got.ok() && i < got->size(); ++i) {
            if ((*got)[i].seq != i + 1) ++failures;
          }
        }
      }
    });
  }
  AppendAll(*store, records, 10);
  done = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(LookupAll(*store, Query(), 50), ExpectedLookup(records, Query()));
}

TEST_F(LogEventStoreTest, DeleteOlderThanDropsWholeOldSegmentsOnly) {
  auto store = Open(Small());
  ASSERT_NE(store, nullptr);
  auto records = MakeRecords(300, 60);  // one a minute
  AppendAll(*store, records, 5);
  size_t segments = store->segment_count();
  ASSERT_GT(segments, 5u);

  // Nothing is older than the first event.
  auto n = store->DeleteOlderThan(At(0), 1000);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
  EXPECT_EQ(store->segment_count(), segments);

  // A cutoff in the middle: only segments entirely before it go.
  const TimePoint cutoff = At(150 * 60) + std::chrono::seconds(30);
  n = store->DeleteOlderThan(cutoff, 1000);
  ASSERT_TRUE(n.ok());
  EXPECT_GT(*n, 0u);
  EXPECT_LT(store->segment_count(), segments);
  auto range = store->SeqRange();
  ASSERT_TRUE(range.ok());
  uint64_t first = range->first;
  EXPECT_EQ(*n, first - 1);
  EXPECT_EQ(range->second, 300u);
  // Seq s is at (s - 1) minutes: 151 is before the cutoff, 152 after it. What went was older
  // than the cutoff; what is older but survived shares a segment with a newer event.
  EXPECT_LE(first, 152u);
  EXPECT_LT(records[first - 2].event_time, cutoff);
  auto oldest = store->ReadAfter(0, 1);
  ASSERT_TRUE(oldest.ok());
  ASSERT_EQ(oldest->size(), 1u);
  EXPECT_EQ((*oldest)[0].seq, first);
  EXPECT_EQ(SegmentFiles().size(), store->segment_count());

  // A cutoff past everything leaves the active segment.
  n = store->DeleteOlderThan(At(1'000'000), 1000);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(store->segment_count(), 1u);
  EXPECT_EQ(SegmentFiles().size(), 1u);
  range = store->SeqRange();
  ASSERT_TRUE(range.ok());
  EXPECT_GT(range->first, first);
  EXPECT_EQ(range->second, 300u);
  // Appends continue in it.
  std::vector<EventRecord> more = {TestRecord(301, At(301 * 60))};
  ASSERT_TRUE(store->Append(more).ok());
  EXPECT_EQ(more[0].seq, 301u);
}

TEST_F(LogEventStoreTest, PrunedEventsVanishFromEveryIndex) {
  auto store = Open(Small());
  ASSERT_NE(store, nullptr);
  std::vector<EventRecord> records;
  const std::vector<std::pair<std::string, std::string>> parts = {{kAccountA, "us-east-1"},
                                                                  {kAccountB, "us-east-1"}};
  for (uint64_t i = 1; i <= 200; ++i) {
    records.push_back(TestRecord(i, At(static_cast<int64_t>(i) * 60), parts[i % 2].first));
  }
  AppendAll(*store, records, 3);
  auto n = store->DeleteOlderThan(At(120 * 60), 1000);
  ASSERT_TRUE(n.ok());
  ASSERT_GT(*n, 10u);
  auto range = store->SeqRange();
  ASSERT_TRUE(range.ok());
  std::vector<EventRecord> kept(records.begin() + static_cast<std::ptrdiff_t>(range->first - 1),
                                records.end());
  ExpectLookupsMatchReference(*store, records, kept, parts, 50);
  ExpectLookupsMatchReference(*store, records, kept, parts, 6);
  for (uint64_t seq = 1; seq < range->first; ++seq) {
    const EventRecord& r = records[seq - 1];
    EXPECT_TRUE(
        LookupAll(*store, Query(r.account_id, r.region, LookupAttribute::kEventId, r.event_id), 50)
            .empty())
        << r.event_id;
  }
  EXPECT_EQ(store->indexed_events(), kept.size());
  // And they stay gone after a restart.
  store.reset();
  store = Open(Small());
  ASSERT_NE(store, nullptr);
  ExpectLookupsMatchReference(*store, records, kept, parts, 50);
}

TEST_F(LogEventStoreTest, ReadOnlyOpenSeesASnapshotAndNeverWrites) {
  auto writer = Open();
  ASSERT_NE(writer, nullptr);
  auto records = MakeRecords(40);
  std::vector<EventRecord> first(records.begin(), records.begin() + 25);
  AppendAll(*writer, first, 5);
  auto before = FileSizes();
  auto ro = LogEventStore::Open(dir_.Sub("events"), ReadOnly(), random_);
  ASSERT_TRUE(ro.ok()) << ro.error().ToString();
  auto& reader = **ro;
  EXPECT_EQ(reader.secret(), writer->secret());
  EXPECT_EQ(LookupAll(reader, Query(), 50), ExpectedLookup(first, Query()));

  std::vector<EventRecord> rest(records.begin() + 25, records.end());
  AppendAll(*writer, rest, 5);
  // The reader keeps its snapshot, in lookups and in reads.
  EXPECT_EQ(LookupAll(reader, Query(), 50), ExpectedLookup(first, Query()));
  auto all = reader.ReadAfter(0, 1000);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 25u);
  auto range = reader.SeqRange();
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(range->second, 25u);

  // It refuses every write.
  std::vector<EventRecord> batch = {TestRecord(100, At(100))};
  Status s = reader.Append(batch);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kUnavailable);
  EXPECT_FALSE(reader.Probe().ok());
  auto deleted = reader.DeleteOlderThan(At(1'000'000), 1000);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 0u);
  writer.reset();
  auto after = FileSizes();
  for (const auto& [name, size] : before) {
    if (name.ends_with(".log")) {
      EXPECT_GE(after[name], size) << name;
    }
  }
  EXPECT_EQ(after.count("probe"), 0u);
}

TEST_F(LogEventStoreTest, ReadOnlyOpenLeavesATornTailAlone) {
  auto records = MakeRecords(10);
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    AppendAll(*store, records, 10);
  }
  auto files = SegmentFiles();
  AppendBytes(files.back(), "torn");
  auto before = FileSizes();
  {
    auto ro = LogEventStore::Open(dir_.Sub("events"), ReadOnly(), random_);
    ASSERT_TRUE(ro.ok()) << ro.error().ToString();
    EXPECT_EQ(LookupAll(**ro, Query(), 50), ExpectedLookup(records, Query()));
    auto all = (*ro)->ReadAfter(0, 100);
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(all->size(), 10u);
  }
  EXPECT_EQ(FileSizes(), before);
  // A writer then repairs it.
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(fs::file_size(files.back()), before[fs::path(files.back()).filename().string()] - 4);
}

TEST_F(LogEventStoreTest, ReadOnlyOpenOfAMissingDirectoryIsEmptyAndCreatesNothing) {
  auto ro = LogEventStore::Open(dir_.Sub("nothing-here"), ReadOnly(), random_);
  ASSERT_TRUE(ro.ok()) << ro.error().ToString();
  auto page = (*ro)->Lookup(Query());
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->events.empty());
  auto range = (*ro)->SeqRange();
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(*range, std::make_pair(uint64_t{0}, uint64_t{0}));
  EXPECT_FALSE(fs::exists(dir_.Sub("nothing-here")));
}

TEST_F(LogEventStoreTest, OnlyOneWriterPerDirectory) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto second = LogEventStore::Open(dir_.Sub("events"), LogStoreOptions{}, random_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), Status::Code::kUnavailable);
  EXPECT_NE(second.error().message().find(dir_.Sub("events")), std::string::npos);
  // A reader is fine beside the writer.
  EXPECT_TRUE(LogEventStore::Open(dir_.Sub("events"), ReadOnly(), random_).ok());
  store.reset();
  EXPECT_NE(Open(), nullptr);
}

TEST_F(LogEventStoreTest, SeqRangeFollowsAppendsAndPruning) {
  auto store = Open(Small());
  ASSERT_NE(store, nullptr);
  auto range = store->SeqRange();
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(*range, std::make_pair(uint64_t{0}, uint64_t{0}));
  auto records = MakeRecords(100, 60);
  AppendAll(*store, records, 10);
  range = store->SeqRange();
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(*range, std::make_pair(uint64_t{1}, uint64_t{100}));
  ASSERT_TRUE(store->DeleteOlderThan(At(1'000'000), 1000).ok());
  range = store->SeqRange();
  ASSERT_TRUE(range.ok());
  EXPECT_GT(range->first, 1u);
  EXPECT_EQ(range->second, 100u);
}

TEST_F(LogEventStoreTest, SecretIs32BytesAndStable) {
  std::string secret;
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    secret = store->secret();
  }
  EXPECT_EQ(secret.size(), 32u);
  EXPECT_NE(secret, std::string(32, '\0'));
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->secret(), secret);
  TempDir other;
  auto another = LogEventStore::Open(other.Sub("events"), LogStoreOptions{}, random_);
  ASSERT_TRUE(another.ok());
  EXPECT_EQ((*another)->secret().size(), 32u);
  EXPECT_NE((*another)->secret(), secret);
}

TEST_F(LogEventStoreTest, FullDurabilityWritesTheSameLog) {
  LogStoreOptions full = Small();
  full.durability = Durability::kFull;
  auto records = MakeRecords(50);
  {
    auto store = Open(full);
    ASSERT_NE(store, nullptr);
    AppendAll(*store, records, 6);
    EXPECT_TRUE(store->Probe().ok());
  }
  auto store = Open(Small());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(LookupAll(*store, Query(), 50), ExpectedLookup(records, Query()));
}

}  // namespace
}  // namespace sagetrail::cloudtrail
