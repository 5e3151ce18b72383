// CloudTrailService: its operation table (what it implements, which input checks run first) and
// what it answers for the operations it does not implement.
#include "cloudtrail/cloudtrail_service.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "fakes/fake_event_store.h"
#include "fakes/test_support.h"

namespace sagetrail::cloudtrail {
namespace {

namespace json = boost::json;

class CloudTrailServiceTest : public ::testing::Test {
 protected:
  aws::RequestContext Ctx(const std::string& op, const char* input) {
    aws::RequestContext ctx;
    ctx.service = sagetrail::testing::Models().Find("cloudtrail");
    ctx.operation = ctx.service->FindOperation(op);
    EXPECT_NE(ctx.operation, nullptr) << op;
    ctx.authenticated = true;
    ctx.account_id = sagetrail::testing::kAccountA;
    ctx.identity.account_id = ctx.account_id;
    ctx.region = "us-east-1";
    ctx.input = json::parse(input);
    return ctx;
  }

  sagetrail::testing::FakeEventStore events_;
  sagetrail::testing::FakeClock clock_;
  CloudTrailService service_{events_, clock_, std::chrono::hours(2160)};
};

TEST_F(CloudTrailServiceTest, ImplementsLookupEventsOnly) {
  EXPECT_EQ(service_.name(), "cloudtrail");
  EXPECT_TRUE(service_.Implements("LookupEvents"));
  for (const char* op : {"CreateTrail", "DescribeTrails", "GetTrail", "lookupevents", ""}) {
    EXPECT_FALSE(service_.Implements(op)) << op;
  }
}

TEST_F(CloudTrailServiceTest, LookupEventsRunsThroughTheTable) {
  auto ctx = Ctx("LookupEvents", "{}");
  auto out = service_.Invoke(ctx);
  ASSERT_TRUE(out.ok()) << out.error().message;
  ASSERT_TRUE(out->is_object());
  EXPECT_TRUE(out->as_object().contains("Events"));
}

TEST_F(CloudTrailServiceTest, InputChecksBelongToTheirOperation) {
  auto bad = Ctx("LookupEvents", R"({"MaxResults":0})");
  auto err = service_.CheckInput(bad);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->code, "InvalidMaxResultsException");
  EXPECT_FALSE(service_.CheckInput(Ctx("LookupEvents", R"({"MaxResults":5})")).has_value());
  // Other operations have no checks of their own.
  EXPECT_FALSE(service_.CheckInput(Ctx("DescribeTrails", R"({"MaxResults":0})")).has_value());
}

TEST_F(CloudTrailServiceTest, UnimplementedOperationIsNotImplemented) {
  auto ctx = Ctx("DescribeTrails", "{}");
  auto out = service_.Invoke(ctx);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, "NotImplemented");
  EXPECT_EQ(out.error().message,
            "sagetrail does not implement CloudTrail operation DescribeTrails yet");
}

}  // namespace
}  // namespace sagetrail::cloudtrail
