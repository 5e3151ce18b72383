// LookupEvents: CloudTrail's input checks with their codes and messages, and Run() over a real
// the event store: output fields, default and explicit page sizes, NextToken paging and binding,
// time ranges and the retention window.
#include "cloudtrail/lookup/lookup_events.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "common/crypto.h"
#include "fakes/fake_event_store.h"
#include "fakes/temp_dir.h"
#include "fakes/test_event_database.h"
#include "fakes/test_support.h"

namespace sagetrail::cloudtrail {
namespace {

namespace json = boost::json;
using sagetrail::testing::FakeClock;
using sagetrail::testing::kAccountA;
using sagetrail::testing::kAccountB;
using sagetrail::testing::TempDir;
using sagetrail::testing::TestEventId;
using sagetrail::testing::TestRecord;

const std::chrono::hours kRetention{24 * 90};

std::optional<aws::AwsError> Check(std::string_view input) {
  return LookupEvents::CheckInput(json::parse(input));
}

void ExpectError(std::string_view input, const std::string& code, const std::string& message) {
  auto e = Check(input);
  ASSERT_TRUE(e.has_value()) << input;
  EXPECT_EQ(e->code, code) << input;
  EXPECT_EQ(e->message, message) << input;
  EXPECT_EQ(e->http_status, 400);
  EXPECT_TRUE(e->sender_fault);
}

TEST(LookupEventsCheckTest, AcceptsValidInput) {
  EXPECT_FALSE(Check("{}"));
  EXPECT_FALSE(Check(R"({"LookupAttributes":[]})"));
  for (const char* key : {"EventId", "EventName", "Username", "ResourceType", "ResourceName",
                          "EventSource", "AccessKeyId"}) {
    std::string in = std::string(R"({"LookupAttributes":[{"AttributeKey":")") + key +
                     R"(","AttributeValue":"v"}]})";
    EXPECT_FALSE(Check(in)) << key;
  }
  for (const char* v : {"true", "false", "TRUE", "False"}) {
    EXPECT_FALSE(Check(std::string(R"({"LookupAttributes":[{"AttributeKey":"ReadOnly",)") +
                       R"("AttributeValue":")" + v + R"("}]})"))
        << v;
  }
  EXPECT_FALSE(Check(R"({"MaxResults":1})"));
  EXPECT_FALSE(Check(R"({"MaxResults":50})"));
  EXPECT_FALSE(Check(R"({"EventCategory":"insight"})"));
  EXPECT_FALSE(Check(R"({"StartTime":1763805600,"EndTime":1763805600})"));
  EXPECT_FALSE(Check(R"({"StartTime":1763805600})"));
}

TEST(LookupEventsCheckTest, LookupAttributeErrors) {
  ExpectError(R"({"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"a"},
                                      {"AttributeKey":"Username","AttributeValue":"b"}]})",
              "InvalidLookupAttributesException",
              "You cannot specify more than one lookup attribute.");
  ExpectError(R"({"LookupAttributes":[{"AttributeKey":"Region","AttributeValue":"a"}]})",
              "InvalidLookupAttributesException",
              "Lookup attribute key Region is not valid. Valid keys are: EventId, EventName, "
              "ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId.");
  ExpectError(R"({"LookupAttributes":[{"AttributeKey":"eventname","AttributeValue":"a"}]})",
              "InvalidLookupAttributesException",
              "Lookup attribute key eventname is not valid. Valid keys are: EventId, EventName, "
              "ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId.");
  ExpectError(R"({"LookupAttributes":[{"AttributeValue":"a"}]})",
              "InvalidLookupAttributesException",
              "Lookup attribute key null is not valid. Valid keys are: EventId, EventName, "
              "ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId.");
  ExpectError(R"({"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":""}]})",
              "InvalidLookupAttributesException", "The lookup attribute value cannot be empty.");
  ExpectError(R"({"LookupAttributes":[{"AttributeKey":"EventName"}]})",
              "InvalidLookupAttributesException", "The lookup attribute value cannot be empty.");
  ExpectError(R"({"LookupAttributes":[{"AttributeKey":"ReadOnly","AttributeValue":"yes"}]})",
              "InvalidLookupAttributesException",
              "The value of the ReadOnly lookup attribute must be true or false.");
}

TEST(LookupEventsCheckTest, MaxResultsCategoryAndTimeErrors) {
  for (const char* in : {R"({"MaxResults":0})", R"({"MaxResults":51})", R"({"MaxResults":-1})"}) {
    ExpectError(in, "InvalidMaxResultsException", "MaxResults must be between 1 and 50.");
  }
  ExpectError(R"({"EventCategory":"management"})", "InvalidEventCategoryException",
              "The event category management is not valid. The only valid event category is "
              "insight.");
  ExpectError(R"({"EventCategory":"Insight"})", "InvalidEventCategoryException",
              "The event category Insight is not valid. The only valid event category is "
              "insight.");
  ExpectError(R"({"StartTime":1763805601,"EndTime":1763805600})", "InvalidTimeRangeException",
              "Start time must be before end time.");
  ExpectError(R"({"StartTime":"2025-11-22T10:00:00.500Z","EndTime":1763805600})",
              "InvalidTimeRangeException", "Start time must be before end time.");
  // Insights events are looked up by EventId, EventName or EventSource only.
  ExpectError(
      R"({"EventCategory":"insight","LookupAttributes":[{"AttributeKey":"Username","AttributeValue":"a"}]})",
      "InvalidLookupAttributesException",
      "Lookup attribute key Username is not valid for the insight event category. Valid keys "
      "are: EventId, EventName, EventSource.");
  EXPECT_FALSE(LookupEvents::CheckInput(
                   json::parse(R"({"EventCategory":"insight","LookupAttributes":)"
                               R"([{"AttributeKey":"EventName","AttributeValue":"a"}]})"))
                   .has_value());
}

class LookupEventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<sagetrail::testing::TestEventDatabase>(dir_.Sub("db"), random_);
    store_ = &db_->store();
  }

  TimePoint Ago(int64_t seconds) const { return clock_.Now() - std::chrono::seconds(seconds); }

  void Add(std::vector<EventRecord> records) {
    ASSERT_TRUE(store_->Append(records).ok());
    for (auto& r : records) records_.push_back(r);
  }
  // `n` events one second apart ending a second ago; ids first..first+n-1, oldest first.
  void AddMany(size_t n, uint64_t first = 1, const std::string& account = kAccountA,
               const std::string& region = "us-east-1") {
    std::vector<EventRecord> batch;
    for (size_t i = 0; i < n; ++i) {
      batch.push_back(TestRecord(first + i, Ago(static_cast<int64_t>(n - i)), account, region));
    }
    Add(std::move(batch));
  }

  aws::RequestContext Ctx(std::string_view input, const std::string& account = kAccountA,
                          const std::string& region = "us-east-1") {
    aws::RequestContext ctx;
    ctx.account_id = account;
    ctx.region = region;
    ctx.input = json::parse(input);
    return ctx;
  }

  Result<json::value, aws::AwsError> Run(std::string_view input,
                                         const std::string& account = kAccountA,
                                         const std::string& region = "us-east-1") {
    LookupEvents lookup(*store_, clock_, kRetention);
    auto ctx = Ctx(input, account, region);
    EXPECT_FALSE(LookupEvents::CheckInput(ctx.input).has_value()) << input;
    return lookup.Run(ctx);
  }

  // Every page of `input` (a JSON object without NextToken); event ids in order.
  std::vector<std::string> RunAll(const std::string& input, int* pages = nullptr) {
    std::vector<std::string> ids;
    json::object in = json::parse(input).as_object();
    int n = 0;
    while (true) {
      auto out = Run(json::serialize(in));
      EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
      if (!out.ok()) break;
      ++n;
      for (const auto& e : out->at("Events").as_array()) {
        ids.push_back(std::string(e.at("EventId").as_string()));
      }
      const json::object& o = out->as_object();
      if (!o.contains("NextToken")) break;
      EXPECT_FALSE(o.at("NextToken").as_string().empty());
      in["NextToken"] = o.at("NextToken");
      if (n > 1000) break;
    }
    if (pages) *pages = n;
    return ids;
  }

  std::string FirstToken(const std::string& input) {
    auto out = Run(input);
    EXPECT_TRUE(out.ok());
    if (!out.ok() || !out->as_object().contains("NextToken")) return "";
    return std::string(out->at("NextToken").as_string());
  }

  void ExpectInvalidToken(std::string_view input, const std::string& account = kAccountA,
                          const std::string& region = "us-east-1") {
    auto out = Run(input, account, region);
    ASSERT_FALSE(out.ok()) << input;
    EXPECT_EQ(out.error().code, "InvalidNextTokenException");
    EXPECT_EQ(out.error().message,
              "The next token is invalid or was issued for a different query.");
    EXPECT_EQ(out.error().http_status, 400);
  }

  static std::vector<std::string> Ids(const json::value& out) {
    std::vector<std::string> ids;
    for (const auto& e : out.at("Events").as_array()) {
      ids.push_back(std::string(e.at("EventId").as_string()));
    }
    return ids;
  }
  static std::string WithToken(std::string input, const std::string& token) {
    json::object o = json::parse(input).as_object();
    o["NextToken"] = token;
    return json::serialize(o);
  }

  TempDir dir_;
  SystemRandom random_;
  FakeClock clock_;
  std::unique_ptr<sagetrail::testing::TestEventDatabase> db_;
  EventStore* store_ = nullptr;
  std::vector<EventRecord> records_;
};

TEST_F(LookupEventsTest, OutputFields) {
  std::vector<EventRecord> batch = {TestRecord(1, Ago(10)), TestRecord(2, Ago(5))};
  batch[1].username.clear();
  batch[1].access_key_id.clear();
  batch[1].resources.clear();
  batch[1].event_time += std::chrono::milliseconds(250);
  batch[1].body = sagetrail::testing::TestRecordBody(batch[1]);
  Add(batch);
  auto out = Run("{}");
  ASSERT_TRUE(out.ok()) << out.error().message;
  const json::array& events = out->at("Events").as_array();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_FALSE(out->as_object().contains("NextToken"));

  // Newest first: record 2, which has no user, key or resources.
  const json::object& e2 = events[0].as_object();
  EXPECT_EQ(e2.at("EventId").as_string(), TestEventId(2));
  EXPECT_EQ(e2.at("EventName").as_string(), "DeleteModel");
  EXPECT_EQ(e2.at("ReadOnly").as_string(), "false");
  EXPECT_FALSE(e2.contains("Username"));
  EXPECT_FALSE(e2.contains("AccessKeyId"));
  EXPECT_EQ(e2.at("Resources"), json::array());
  EXPECT_EQ(e2.at("EventTime").as_double(), 1763805595.25);
  EXPECT_EQ(e2.at("CloudTrailEvent").as_string(), records_[1].body);

  const json::object& e1 = events[1].as_object();
  EXPECT_EQ(e1.at("EventId").as_string(), TestEventId(1));
  EXPECT_EQ(e1.at("EventName").as_string(), "DescribeModel");
  EXPECT_EQ(e1.at("ReadOnly").as_string(), "true");
  EXPECT_EQ(e1.at("Username").as_string(), "bob");
  EXPECT_EQ(e1.at("AccessKeyId").as_string(), "AKIABOB00000000000B0");
  EXPECT_EQ(e1.at("EventSource").as_string(), "sagemaker.amazonaws.com");
  EXPECT_EQ(e1.at("EventTime").as_int64(), 1763805590);
  EXPECT_EQ(e1.at("Resources"),
            json::parse(R"([{"ResourceType":"AWS::SageMaker::Model","ResourceName":"model-1"}])"));
  EXPECT_EQ(e1.at("CloudTrailEvent").as_string(), records_[0].body);
  // The record is itself JSON.
  EXPECT_EQ(json::parse(e1.at("CloudTrailEvent").as_string()).at("eventID").as_string(),
            TestEventId(1));
}

TEST_F(LookupEventsTest, DefaultPageIs50) {
  AddMany(60);
  auto out = Run("{}");
  ASSERT_TRUE(out.ok());
  auto ids = Ids(*out);
  ASSERT_EQ(ids.size(), 50u);
  EXPECT_EQ(ids.front(), TestEventId(60));
  EXPECT_EQ(ids.back(), TestEventId(11));
  EXPECT_TRUE(out->as_object().contains("NextToken"));
  out = Run(R"({"MaxResults":3})");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(Ids(*out),
            (std::vector<std::string>{TestEventId(60), TestEventId(59), TestEventId(58)}));
}

TEST_F(LookupEventsTest, PagingThroughNextTokenHasNoGapsOrDuplicates) {
  AddMany(137);
  int pages = 0;
  auto ids = RunAll(R"({"MaxResults":10})", &pages);
  EXPECT_EQ(pages, 14);
  ASSERT_EQ(ids.size(), 137u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 137u);
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], TestEventId(137 - i));
  // Events added after the first page do not show up in later pages.
  std::string token = FirstToken(R"({"MaxResults":10})");
  AddMany(5, 1000);
  auto next = Run(WithToken(R"({"MaxResults":10})", token));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(Ids(*next).front(), TestEventId(127));
  // The page size may change between pages.
  next = Run(WithToken(R"({"MaxResults":2})", token));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(Ids(*next), (std::vector<std::string>{TestEventId(127), TestEventId(126)}));
}

TEST_F(LookupEventsTest, PagingWithAnAttributeAndATimeRange) {
  AddMany(100);
  std::string input =
      R"({"MaxResults":4,"StartTime":)" + std::to_string(ToUnixSeconds(Ago(80))) +
      R"(,"EndTime":)" + std::to_string(ToUnixSeconds(Ago(20))) +
      R"(,"LookupAttributes":[{"AttributeKey":"ReadOnly","AttributeValue":"TRUE"}]})";
  auto ids = RunAll(input);
  // Ago(k) is id 101 - k: ids 21..81, read-only when id % 4 is 1 or 3.
  std::vector<std::string> want;
  for (int id = 81; id >= 21; --id) {
    if (id % 4 == 1 || id % 4 == 3) want.push_back(TestEventId(id));
  }
  EXPECT_EQ(ids, want);
}

TEST_F(LookupEventsTest, EveryAttributeThroughRun) {
  AddMany(30);
  auto ids = [&](const std::string& key, const std::string& value) {
    return RunAll(R"({"LookupAttributes":[{"AttributeKey":")" + key + R"(","AttributeValue":")" +
                  value + R"("}]})");
  };
  EXPECT_EQ(ids("EventId", TestEventId(9)), (std::vector<std::string>{TestEventId(9)}));
  EXPECT_EQ(ids("EventName", "CreateModel").size(), 7u);  // 4, 8, ..., 28
  EXPECT_EQ(ids("ReadOnly", "false").size(), 15u);
  EXPECT_EQ(ids("Username", "root").size(), 10u);
  EXPECT_EQ(ids("ResourceType", "AWS::SageMaker::Endpoint").size(), 5u);
  EXPECT_EQ(
      ids("ResourceName", "model-2"),
      (std::vector<std::string>{TestEventId(30), TestEventId(16), TestEventId(9), TestEventId(2)}));
  EXPECT_EQ(ids("ResourceName",
                std::string("arn:aws:sagemaker:us-east-1:") + kAccountA + ":model/model-2")
                .size(),
            4u);
  EXPECT_EQ(ids("EventSource", "cloudtrail.amazonaws.com").size(), 6u);
  EXPECT_EQ(ids("AccessKeyId", "AKIAALICE0000000000A").size(), 10u);
  EXPECT_TRUE(ids("Username", "nobody").empty());
}

TEST_F(LookupEventsTest, TokensAreBoundToTheirQuery) {
  AddMany(30);
  AddMany(30, 100, kAccountA, "eu-west-1");
  AddMany(30, 200, kAccountB, "us-east-1");
  const std::string base =
      R"({"MaxResults":5,"LookupAttributes":[{"AttributeKey":"EventSource","AttributeValue":"sagemaker.amazonaws.com"}],"StartTime":)" +
      std::to_string(ToUnixSeconds(Ago(3600))) + "}";
  std::string token = FirstToken(base);
  ASSERT_FALSE(token.empty());
  // The same query continues.
  auto ok = Run(WithToken(base, token));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(Ids(*ok).size(), 5u);
  // The same instant written another way is the same query.
  json::object iso = json::parse(base).as_object();
  iso["StartTime"] = FormatIso8601(Ago(3600));
  EXPECT_TRUE(Run(WithToken(json::serialize(iso), token)).ok());

  // Anything else that selects events is a different query.
  json::object other_attr = json::parse(base).as_object();
  other_attr["LookupAttributes"] =
      json::parse(R"([{"AttributeKey":"EventName","AttributeValue":"CreateModel"}])");
  ExpectInvalidToken(WithToken(json::serialize(other_attr), token));
  json::object other_value = json::parse(base).as_object();
  other_value["LookupAttributes"] = json::parse(
      R"([{"AttributeKey":"EventSource","AttributeValue":"cloudtrail.amazonaws.com"}])");
  ExpectInvalidToken(WithToken(json::serialize(other_value), token));
  json::object no_attr = json::parse(base).as_object();
  no_attr.erase("LookupAttributes");
  ExpectInvalidToken(WithToken(json::serialize(no_attr), token));
  json::object other_start = json::parse(base).as_object();
  other_start["StartTime"] = ToUnixSeconds(Ago(3601));
  ExpectInvalidToken(WithToken(json::serialize(other_start), token));
  json::object with_end = json::parse(base).as_object();
  with_end["EndTime"] = ToUnixSeconds(clock_.Now());
  ExpectInvalidToken(WithToken(json::serialize(with_end), token));
  ExpectInvalidToken(WithToken(base, token), kAccountA, "eu-west-1");
  ExpectInvalidToken(WithToken(base, token), kAccountB, "us-east-1");

  // Tampered, truncated or made up.
  auto raw = Base64Decode(token);
  ASSERT_TRUE(raw.has_value());
  std::string tampered = *raw;
  tampered[9] = static_cast<char>(tampered[9] ^ 1);  // the seq
  ExpectInvalidToken(WithToken(base, Base64Encode(tampered)));
  ExpectInvalidToken(WithToken(base, token.substr(0, token.size() - 4)));
  ExpectInvalidToken(WithToken(base, "eyJzZXEiOjF9"));
  ExpectInvalidToken(WithToken(base, "not a token"));
}

TEST_F(LookupEventsTest, TokensFromAnotherStoreAreRejected) {
  AddMany(10);
  std::string token = FirstToken(R"({"MaxResults":2})");
  TempDir other_dir;
  sagetrail::testing::TestEventDatabase other(other_dir.Sub("db"), random_);
  std::vector<EventRecord> copy = records_;
  ASSERT_TRUE(other.store().Append(copy).ok());
  LookupEvents lookup(other.store(), clock_, kRetention);
  auto out = lookup.Run(Ctx(WithToken(R"({"MaxResults":2})", token)));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, "InvalidNextTokenException");
}

TEST_F(LookupEventsTest, TimeRangeIsInclusive) {
  AddMany(10);  // ids 1..10 at Ago(10)..Ago(1)
  std::string input = R"({"StartTime":)" + std::to_string(ToUnixSeconds(Ago(7))) +
                      R"(,"EndTime":)" + std::to_string(ToUnixSeconds(Ago(4))) + "}";
  auto out = Run(input);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(Ids(*out), (std::vector<std::string>{TestEventId(7), TestEventId(6), TestEventId(5),
                                                 TestEventId(4)}));
  // Only an end: everything up to it.
  out = Run(R"({"EndTime":)" + std::to_string(ToUnixSeconds(Ago(9))) + "}");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(Ids(*out), (std::vector<std::string>{TestEventId(2), TestEventId(1)}));
}

TEST_F(LookupEventsTest, StartIsClampedToRetention) {
  const int64_t day = 24 * 3600;
  Add({TestRecord(1, Ago(100 * day)), TestRecord(2, Ago(89 * day)), TestRecord(3, Ago(60))});
  auto out = Run(R"({"StartTime":)" + std::to_string(ToUnixSeconds(Ago(200 * day))) + "}");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(Ids(*out), (std::vector<std::string>{TestEventId(3), TestEventId(2)}));
  out = Run("{}");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(Ids(*out), (std::vector<std::string>{TestEventId(3), TestEventId(2)}));
  // A range entirely before the window finds nothing (and is no error).
  out = Run(R"({"StartTime":)" + std::to_string(ToUnixSeconds(Ago(200 * day))) + R"(,"EndTime":)" +
            std::to_string(ToUnixSeconds(Ago(95 * day))) + "}");
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(Ids(*out).empty());
}

// The range defaults to [now - retention, now]: a StartTime after now, or an EndTime before the
// window, leaves the start after the end.
TEST_F(LookupEventsTest, DefaultEndsMakeARangeInvalid) {
  const int64_t day = 24 * 3600;
  for (const std::string& input :
       {R"({"StartTime":)" + std::to_string(ToUnixSeconds(clock_.Now()) + 3600) + "}",
        R"({"EndTime":)" + std::to_string(ToUnixSeconds(Ago(95 * day))) + "}"}) {
    auto out = Run(input);
    ASSERT_FALSE(out.ok()) << input;
    EXPECT_EQ(out.error().code, "InvalidTimeRangeException");
    EXPECT_EQ(out.error().message, "Start time must be before end time.");
  }
  EXPECT_TRUE(Run(R"({"StartTime":)" + std::to_string(ToUnixSeconds(Ago(60))) + "}").ok());
}

TEST_F(LookupEventsTest, PartitionsAndInsights) {
  AddMany(3);
  AddMany(2, 10, kAccountB, "us-east-1");
  auto out = Run("{}", kAccountB, "us-east-1");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(Ids(*out), (std::vector<std::string>{TestEventId(11), TestEventId(10)}));
  out = Run("{}", kAccountA, "ap-south-1");
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(Ids(*out).empty());
  EXPECT_FALSE(out->as_object().contains("NextToken"));
  // No Insights events are generated.
  out = Run(R"({"EventCategory":"insight"})");
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(Ids(*out).empty());
}

TEST_F(LookupEventsTest, DataEventsAreNotInEventHistory) {
  std::vector<EventRecord> batch = {TestRecord(1, Ago(3)), TestRecord(2, Ago(2))};
  batch[1].management = false;
  Add(batch);
  auto out = Run("{}");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(Ids(*out), (std::vector<std::string>{TestEventId(1)}));
}

}  // namespace
}  // namespace sagetrail::cloudtrail
