// EventExporter: JSON ({"Records":[...]}) and CSV output of the event store, with filters,
// CSV quoting, progress reports and attribute parsing.
#include "cloudtrail/export/event_exporter.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>

#include "fakes/fake_event_store.h"
#include "fakes/temp_dir.h"
#include "fakes/test_event_database.h"

namespace sagetrail::cloudtrail {
namespace {

namespace json = boost::json;
using sagetrail::testing::kAccountA;
using sagetrail::testing::kAccountB;
using sagetrail::testing::TempDir;
using sagetrail::testing::TestEventId;
using sagetrail::testing::TestRecord;
using sagetrail::testing::TestRecordBody;

const TimePoint kT0 = FromUnixSeconds(1763805600);
TimePoint At(int64_t s) { return kT0 + std::chrono::seconds(s); }

constexpr char kHeader[] =
    "Event name,Event time,User name,Event source,Resource type,Resource name,AWS access key,"
    "AWS region,Error code,Event ID,Read-only,Source IP address\r\n";

class EventExporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<sagetrail::testing::TestEventDatabase>(dir_.Sub("db"), random_);
    store_ = &db_->store();
  }

  void Add(std::vector<EventRecord> records) { ASSERT_TRUE(store_->Append(records).ok()); }

  // Runs an export into a temporary file and returns what was written.
  std::string Export(const ExportOptions& options, uint64_t* written = nullptr,
                     const EventExporter::Progress& progress = nullptr) {
    std::FILE* f = std::tmpfile();
    EXPECT_NE(f, nullptr);
    if (f == nullptr) return "";
    EventExporter exporter(*store_);
    auto n = exporter.Export(options, f, progress);
    EXPECT_TRUE(n.ok()) << n.error().ToString();
    if (written && n.ok()) *written = *n;
    std::fflush(f);
    std::rewind(f);
    std::string out;
    char buf[4096];
    size_t got;
    while ((got = std::fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, got);
    std::fclose(f);
    return out;
  }

  static ExportOptions Json() { return ExportOptions{}; }
  static ExportOptions Csv() {
    ExportOptions o;
    o.format = ExportFormat::kCsv;
    return o;
  }

  // The eventIDs of a JSON export, checking that it parses as {"Records":[...]}.
  static std::vector<std::string> JsonIds(const std::string& text) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    EXPECT_FALSE(ec) << ec.message() << "\n" << text;
    std::vector<std::string> ids;
    if (ec) return ids;
    EXPECT_TRUE(v.is_object());
    EXPECT_EQ(v.as_object().size(), 1u);
    for (const auto& r : v.at("Records").as_array()) {
      ids.push_back(std::string(r.at("eventID").as_string()));
    }
    return ids;
  }

  static std::vector<std::string> CsvLines(const std::string& text) {
    std::vector<std::string> lines;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t end = text.find("\r\n", pos);
      if (end == std::string::npos) end = text.size();
      lines.push_back(text.substr(pos, end - pos));
      pos = end + 2;
    }
    return lines;
  }

  TempDir dir_;
  SystemRandom random_;
  std::unique_ptr<sagetrail::testing::TestEventDatabase> db_;
  EventStore* store_ = nullptr;
};

TEST_F(EventExporterTest, EmptyStore) {
  uint64_t written = 99;
  std::string text = Export(Json(), &written);
  EXPECT_EQ(written, 0u);
  EXPECT_TRUE(JsonIds(text).empty());
  EXPECT_EQ(json::parse(text), json::parse(R"({"Records":[]})"));
  EXPECT_EQ(Export(Csv(), &written), kHeader);
  EXPECT_EQ(written, 0u);
  EXPECT_STREQ(EventExporter::CsvHeader(), kHeader);
}

TEST_F(EventExporterTest, JsonHasEveryManagementRecordInOrder) {
  std::vector<EventRecord> records;
  for (uint64_t i = 1; i <= 30; ++i) {
    records.push_back(TestRecord(i, At(static_cast<int64_t>(i)), i % 2 ? kAccountA : kAccountB,
                                 i % 3 ? "us-east-1" : "eu-west-1"));
  }
  records[4].management = false;  // id 5: a data event
  Add(records);
  uint64_t written = 0;
  std::string text = Export(Json(), &written);
  auto ids = JsonIds(text);
  EXPECT_EQ(written, 29u);
  ASSERT_EQ(ids.size(), 29u);
  EXPECT_EQ(ids.front(), TestEventId(1));
  EXPECT_EQ(ids.back(), TestEventId(30));
  EXPECT_EQ(std::find(ids.begin(), ids.end(), TestEventId(5)), ids.end());
  // The records are the stored bodies, unchanged.
  json::value v = json::parse(text);
  EXPECT_EQ(v.at("Records").as_array()[0], json::parse(records[0].body));
  // Data events on request.
  ExportOptions with_data = Json();
  with_data.include_data_events = true;
  ids = JsonIds(Export(with_data, &written));
  EXPECT_EQ(written, 30u);
  EXPECT_EQ(ids[4], TestEventId(5));
}

TEST_F(EventExporterTest, ASingleRecordIsValidJson) {
  Add({TestRecord(1, At(0))});
  EXPECT_EQ(JsonIds(Export(Json())), (std::vector<std::string>{TestEventId(1)}));
}

TEST_F(EventExporterTest, Filters) {
  std::vector<EventRecord> records;
  for (uint64_t i = 1; i <= 40; ++i) {
    records.push_back(TestRecord(i, At(static_cast<int64_t>(i) * 10), i % 2 ? kAccountA : kAccountB,
                                 i % 4 < 2 ? "us-east-1" : "eu-west-1"));
  }
  Add(records);
  auto ids = [&](const ExportOptions& o) { return JsonIds(Export(o)); };
  auto want = [&](auto pred) {
    std::vector<std::string> out;
    for (const auto& r : records) {
      if (pred(r)) out.push_back(r.event_id);
    }
    return out;
  };

  ExportOptions o = Json();
  o.start = At(100);
  o.end = At(200);
  EXPECT_EQ(ids(o), want([](const EventRecord& r) {
              return r.event_time >= At(100) && r.event_time <= At(200);
            }));
  EXPECT_EQ(ids(o).size(), 11u);  // inclusive at both ends

  o = Json();
  o.account_id = kAccountB;
  EXPECT_EQ(ids(o), want([](const EventRecord& r) { return r.account_id == kAccountB; }));
  o.region = "eu-west-1";
  EXPECT_EQ(ids(o), want([](const EventRecord& r) {
              return r.account_id == kAccountB && r.region == "eu-west-1";
            }));

  const std::pair<LookupAttribute, std::string> attrs[] = {
      {LookupAttribute::kEventId, TestEventId(17)},
      {LookupAttribute::kEventName, "DeleteModel"},
      {LookupAttribute::kReadOnly, "true"},
      {LookupAttribute::kUsername, "alice"},
      {LookupAttribute::kEventSource, "cloudtrail.amazonaws.com"},
      {LookupAttribute::kAccessKeyId, "AKIABOB00000000000B0"},
      {LookupAttribute::kResourceType, "AWS::SageMaker::Endpoint"},
      {LookupAttribute::kResourceName, "model-4"},
  };
  for (const auto& [attr, value] : attrs) {
    o = Json();
    o.attribute = attr;
    o.value = value;
    auto got = ids(o);
    // Named captures: clang 14 cannot capture structured bindings.
    EXPECT_EQ(got, want([&a = attr, &v = value](const EventRecord& r) {
                return sagetrail::testing::MatchesLookupAttribute(r, a, v);
              }))
        << value;
    EXPECT_FALSE(got.empty()) << value;
  }
  // ReadOnly in any case; a resource by its ARN.
  o = Json();
  o.attribute = LookupAttribute::kReadOnly;
  o.value = "FALSE";
  EXPECT_EQ(ids(o), want([](const EventRecord& r) { return !r.read_only; }));
  o.attribute = LookupAttribute::kResourceName;
  o.value = std::string("arn:aws:sagemaker:us-east-1:") + kAccountA + ":model/model-4";
  EXPECT_EQ(ids(o), want([&](const EventRecord& r) {
              return r.account_id == kAccountA && r.region == "us-east-1" &&
                     sagetrail::testing::MatchesLookupAttribute(r, LookupAttribute::kResourceName,
                                                                "model-4");
            }));
  // Filters combine.
  o = Json();
  o.attribute = LookupAttribute::kEventName;
  o.value = "CreateModel";
  o.account_id = kAccountB;
  o.end = At(200);
  EXPECT_EQ(ids(o), want([](const EventRecord& r) {
              return r.event_name == "CreateModel" && r.account_id == kAccountB &&
                     r.event_time <= At(200);
            }));
}

TEST_F(EventExporterTest, CsvRowsAndQuoting) {
  EventRecord plain = TestRecord(1, At(0));
  plain.body = R"({"eventTime":"2025-11-22T10:00:00Z","sourceIPAddress":"203.0.113.7"})";
  EventRecord awkward = TestRecord(2, At(1), kAccountA, "eu-west-1");
  awkward.event_name = "Say\"Hi\"";
  awkward.username = "smith, john";
  awkward.read_only = true;
  awkward.access_key_id = "";
  awkward.resources = {{"AWS::SageMaker::Model", "m1", ""}, {"AWS::SageMaker::Endpoint", "e1", ""}};
  awkward.body =
      R"({"errorCode":"Bad\nThing","sourceIPAddress":"sagemaker.amazonaws.com","eventTime":"x"})";
  EventRecord broken = TestRecord(3, At(2));
  broken.resources.clear();
  broken.body = "not json";
  Add({plain, awkward, broken});
  uint64_t written = 0;
  std::string text = Export(Csv(), &written);
  EXPECT_EQ(written, 3u);
  EXPECT_EQ(text.substr(0, sizeof(kHeader) - 1), kHeader);
  std::string rows = text.substr(sizeof(kHeader) - 1);
  EXPECT_EQ(
      rows,
      "DescribeModel,2025-11-22T10:00:00Z,bob,sagemaker.amazonaws.com,"
      "AWS::SageMaker::Model,model-1,AKIABOB00000000000B0,us-east-1,," +
          TestEventId(1) +
          ",true,203.0.113.7\r\n"
          "\"Say\"\"Hi\"\"\",2025-11-22T10:00:01Z,\"smith, john\",sagemaker.amazonaws.com,"
          "\"AWS::SageMaker::Model, AWS::SageMaker::Endpoint\",\"m1, e1\",,eu-west-1,"
          "\"Bad\nThing\"," +
          TestEventId(2) +
          ",true,sagemaker.amazonaws.com\r\n"
          "ListModels,2025-11-22T10:00:02Z,alice,sagemaker.amazonaws.com,,,AKIAALICE0000000000A,"
          "us-east-1,," +
          TestEventId(3) + ",true,\r\n");
}

TEST_F(EventExporterTest, CsvFiltersLikeJson) {
  std::vector<EventRecord> records;
  for (uint64_t i = 1; i <= 12; ++i) records.push_back(TestRecord(i, At(static_cast<int64_t>(i))));
  records[0].management = false;
  Add(records);
  ExportOptions o = Csv();
  o.attribute = LookupAttribute::kUsername;
  o.value = "bob";  // ids 1, 4, 7, 10; 1 is a data event
  uint64_t written = 0;
  auto lines = CsvLines(Export(o, &written));
  EXPECT_EQ(written, 3u);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_NE(lines[1].find(TestEventId(4)), std::string::npos);
  EXPECT_NE(lines[3].find(TestEventId(10)), std::string::npos);
  o.include_data_events = true;
  lines = CsvLines(Export(o, &written));
  EXPECT_EQ(written, 4u);
  EXPECT_NE(lines[1].find(TestEventId(1)), std::string::npos);
}

TEST_F(EventExporterTest, ManyRecordsAfterRetentionWithProgress) {
  std::vector<EventRecord> records;
  for (uint64_t i = 1; i <= 4500; ++i) {
    records.push_back(TestRecord(i, At(static_cast<int64_t>(i))));
    if (records.size() == 500) {
      Add(records);
      records.clear();
    }
  }
  ASSERT_TRUE(db_->db().Flush().ok());  // some of it in table files, some in the log
  // Retention removed the oldest records: the export starts at the first record left.
  ASSERT_TRUE(store_->DeleteOlderThan(At(1200), 100000).ok());
  auto range = store_->SeqRange();
  ASSERT_TRUE(range.ok());
  ASSERT_GT(range->first, 1u);
  std::vector<std::pair<uint64_t, uint64_t>> reports;
  uint64_t written = 0;
  auto ids = JsonIds(Export(
      Json(), &written, [&](uint64_t done, uint64_t total) { reports.emplace_back(done, total); }));
  uint64_t expected = 4500 - range->first + 1;
  EXPECT_EQ(written, expected);
  ASSERT_EQ(ids.size(), expected);
  EXPECT_EQ(ids.front(), TestEventId(range->first));
  EXPECT_EQ(ids.back(), TestEventId(4500));
  ASSERT_GE(reports.size(), 2u);
  EXPECT_EQ(reports.front(), std::make_pair(uint64_t{0}, expected));
  EXPECT_EQ(reports.back(), std::make_pair(expected, expected));
  for (size_t i = 1; i < reports.size(); ++i) EXPECT_GE(reports[i].first, reports[i - 1].first);
}

TEST_F(EventExporterTest, WorksOnAReadOnlyStore) {
  std::vector<EventRecord> records = {TestRecord(1, At(0)), TestRecord(2, At(1))};
  Add(records);
  auto [ro_db, ro] = db_->OpenReadOnly();
  ASSERT_NE(ro, nullptr);
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  EventExporter exporter(*ro);
  auto n = exporter.Export(Json(), f);
  std::fclose(f);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2u);
}

TEST(EventExporterParseTest, ParseAttribute) {
  using A = LookupAttribute;
  const std::pair<const char*, A> keys[] = {
      {"EventId", A::kEventId},           {"EventName", A::kEventName},
      {"ReadOnly", A::kReadOnly},         {"Username", A::kUsername},
      {"ResourceType", A::kResourceType}, {"ResourceName", A::kResourceName},
      {"EventSource", A::kEventSource},   {"AccessKeyId", A::kAccessKeyId}};
  for (const auto& [key, attr] : keys) {
    auto p = EventExporter::ParseAttribute(std::string(key) + "=value");
    ASSERT_TRUE(p.has_value()) << key;
    EXPECT_EQ(p->first, attr);
    EXPECT_EQ(p->second, "value");
  }
  auto arn = EventExporter::ParseAttribute("ResourceName=arn:aws:x=y");
  ASSERT_TRUE(arn.has_value());
  EXPECT_EQ(arn->second, "arn:aws:x=y");
  EXPECT_FALSE(EventExporter::ParseAttribute("EventName"));
  EXPECT_FALSE(EventExporter::ParseAttribute("Region=us-east-1"));
  EXPECT_FALSE(EventExporter::ParseAttribute("eventname=CreateModel"));
  EXPECT_FALSE(EventExporter::ParseAttribute(""));
}

// --- the command line's filters --------------------------------------------------------------

// "Now" for the filters' checks.
const TimePoint kNow = FromUnixMillis(1764000000000);  // 2025-11-24T16:00:00Z

// ApplyFilters' message for `filters` (empty when they are accepted), with regions checked
// against a fixed list.
std::string FilterError(const ExportFilters& filters, ExportOptions* options = nullptr) {
  ExportOptions scratch;
  auto known = [](std::string_view r) { return r == "us-east-1" || r == "eu-west-1"; };
  auto error = EventExporter::ApplyFilters(filters, known, kNow, options ? options : &scratch);
  return error.value_or("");
}

TEST(EventExporterFiltersTest, ValidFiltersAreSet) {
  ExportFilters f;
  f.start = "2025-11-22T10:00:00Z";
  f.end = "1763809200.5";
  f.attributes = {"ReadOnly=TRUE"};
  f.account_id = "123456789012";
  f.region = "eu-west-1";
  ExportOptions o;
  EXPECT_EQ(FilterError(f, &o), "");
  EXPECT_EQ(o.start, kT0);
  EXPECT_EQ(o.end, FromUnixMillis(1763809200500));
  EXPECT_EQ(o.attribute, LookupAttribute::kReadOnly);
  EXPECT_EQ(o.value, "TRUE");
  EXPECT_EQ(o.account_id, "123456789012");
  EXPECT_EQ(o.region, "eu-west-1");
  EXPECT_EQ(FilterError({}), "");
}

TEST(EventExporterFiltersTest, TimeRangeAndAttributesAreCheckedAsLookupEventsChecksThem) {
  ExportFilters range;
  range.start = "2025-11-22T11:00:00Z";
  range.end = "2025-11-22T10:00:00Z";
  EXPECT_EQ(FilterError(range), "InvalidTimeRangeException: Start time must be before end time.");
  range.end = range.start;  // an instant is a valid range
  EXPECT_EQ(FilterError(range), "");

  auto attribute_error = [](std::vector<std::string> attributes) {
    ExportFilters f;
    f.attributes = std::move(attributes);
    return FilterError(f);
  };
  EXPECT_EQ(attribute_error({"ReadOnly=maybe"}),
            "InvalidLookupAttributesException: The value of the ReadOnly lookup attribute must be "
            "true or false.");
  EXPECT_EQ(attribute_error({"Region=us-east-1"}),
            "InvalidLookupAttributesException: Lookup attribute key Region is not valid. Valid "
            "keys are: EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, "
            "EventSource, AccessKeyId.");
  EXPECT_EQ(
      attribute_error({"eventname=CreateModel"})
          .rfind("InvalidLookupAttributesException: Lookup attribute key eventname is not valid.",
                 0),
      0u);
  EXPECT_EQ(attribute_error({"EventName=CreateModel", "Username=alice"}),
            "InvalidLookupAttributesException: You cannot specify more than one lookup "
            "attribute.");
  for (const char* empty : {"EventName=", "EventName"}) {
    EXPECT_EQ(attribute_error({empty}),
              "InvalidLookupAttributesException: The lookup attribute value cannot be empty.")
        << empty;
  }
}

TEST(EventExporterFiltersTest, UnreadableTimesAccountsAndRegionsAreRefused) {
  for (const char* bad : {"yesterday", "nan", "inf", "1e9", "-5", "12.", "2025-13-01",
                          "2025-11-22T25:00:00Z", " 1763805600", "0x10"}) {
    ExportFilters f;
    f.start = bad;
    EXPECT_EQ(FilterError(f).rfind("not a time: '" + std::string(bad) + "'", 0), 0u) << bad;
    ExportFilters g;
    g.end = bad;
    EXPECT_NE(FilterError(g), "") << bad;
  }
  for (const char* bad : {"12345678901", "1234567890123", "12345678901a"}) {
    ExportFilters f;
    f.account_id = bad;
    EXPECT_EQ(FilterError(f),
              "not an account id: '" + std::string(bad) + "' (an account id is 12 digits)");
  }
  for (const char* bad : {"us-east-1x", "mars-1", "a"}) {
    ExportFilters f;
    f.region = bad;
    EXPECT_EQ(FilterError(f),
              "not an AWS region: '" + std::string(bad) + "' (sagetrail serves no calls there)");
  }
  // Without a region list, only the form is checked.
  ExportFilters f;
  f.region = "US_EAST_1";
  ExportOptions o;
  EXPECT_TRUE(EventExporter::ApplyFilters(f, nullptr, kNow, &o).has_value());
  f.region = "mars-1";
  EXPECT_FALSE(EventExporter::ApplyFilters(f, nullptr, kNow, &o).has_value());
}

// As in LookupEvents, a range that starts after now and gives no end is no range.
TEST(EventExporterFiltersTest, StartAfterNowWithoutEndIsRefused) {
  ExportFilters f;
  f.start = "2030-01-01T00:00:00Z";
  EXPECT_EQ(FilterError(f), "InvalidTimeRangeException: Start time must be before end time.");
  f.end = "2030-01-02T00:00:00Z";  // an explicit future range is a range
  EXPECT_EQ(FilterError(f), "");
  f.end.clear();
  f.start = "2025-11-24T15:00:00Z";  // before now
  EXPECT_EQ(FilterError(f), "");
}

}  // namespace
}  // namespace sagetrail::cloudtrail
