// SageMaker batch transform jobs through SageMakerService::Invoke with hand-made requests, time
// driven by a FakeClock and a ManualScheduler: the model check at creation, the lifecycle and
// Stop, the error texts, List sorting, filtering and paging, persistence after the call's
// after_audit actions, and lifecycles resuming after a restart.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <optional>

#include "aws/protocol/generic_value.h"
#include "sagemaker/sagemaker_service_test.h"

namespace sagetrail::sagemaker {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kArnPrefix[] = "arn:aws:sagemaker:us-west-2:123456789012:transform-job/";

class TransformJobsTest : public testing::SageMakerServiceTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(SageMakerServiceTest::SetUp());
    ASSERT_TRUE(
        Do("CreateModel", R"({"ModelName":"Scorer","PrimaryContainer":{"Image":"img"}})").ok());
  }

  Timings TestTimings() const override {
    Timings timings;
    timings.transform_job = seconds(60);  // started after 15 s, done after 60 s
    timings.stopping = seconds(5);
    return timings;
  }

  std::vector<Resource> OnDisk() const { return SageMakerServiceTest::OnDisk("transform-job"); }

  json::object Describe(const std::string& name) {
    auto d = Do("DescribeTransformJob", Named(name));
    EXPECT_TRUE(d.ok()) << name;
    return d.ok() ? d->as_object() : json::object();
  }
  std::string StatusOf(const std::string& name) {
    json::object d = Describe(name);
    return d.contains("TransformJobStatus") ? std::string(d.at("TransformJobStatus").as_string())
                                            : std::string("<none>");
  }

  static std::string Create(const std::string& name, const std::string& model = "scorer",
                            const std::string& extra = "") {
    return R"({"TransformJobName":")" + name + R"(","ModelName":")" + model + R"(",
      "TransformInput":{"DataSource":{"S3DataSource":{"S3DataType":"S3Prefix",
                                                      "S3Uri":"s3://b/batch/in"}},
                        "ContentType":"text/csv","SplitType":"Line"},
      "TransformOutput":{"S3OutputPath":"s3://b/batch/out","AssembleWith":"Line"},
      "TransformResources":{"InstanceType":"ml.m5.large","InstanceCount":1})" +
           extra + "}";
  }
  static std::string Named(const std::string& name) {
    return R"({"TransformJobName":")" + name + R"("})";
  }
  static std::vector<std::string> Names(const json::value& list_output) {
    std::vector<std::string> names;
    for (const auto& j : list_output.at("TransformJobSummaries").as_array()) {
      names.push_back(std::string(j.at("TransformJobName").as_string()));
    }
    return names;
  }
  static std::optional<TimePoint> Time(const json::object& o, const char* member) {
    auto it = o.find(member);
    return it == o.end() ? std::nullopt : aws::ToTimePoint(it->value());
  }
};

TEST_F(TransformJobsTest, ImplementsTheTransformJobOperations) {
  for (const char* op :
       {"CreateTransformJob", "DescribeTransformJob", "ListTransformJobs", "StopTransformJob"}) {
    EXPECT_TRUE(service_->Implements(op)) << op;
  }
}

TEST_F(TransformJobsTest, RunsFromInProgressToCompleted) {
  const TimePoint t0 = clock_.Now();
  auto created = Do("CreateTransformJob", Create("Batch-Score", "SCORER", R"(,
      "MaxConcurrentTransforms":4,"MaxPayloadInMB":6,"BatchStrategy":"MultiRecord",
      "Environment":{"LOG":"debug"},"Tags":[{"Key":"cost","Value":"batch"}])"));
  ASSERT_TRUE(created.ok()) << created.error().message;
  const std::string arn = std::string(kArnPrefix) + "batch-score";
  EXPECT_EQ(*created, json::parse(R"({"TransformJobArn":")" + arn + R"("})"));

  json::object d = Describe("batch-score");
  EXPECT_EQ(d.at("TransformJobName").as_string(), "Batch-Score");
  EXPECT_EQ(d.at("TransformJobArn").as_string(), arn);
  EXPECT_EQ(d.at("TransformJobStatus").as_string(), "InProgress");
  EXPECT_EQ(d.at("ModelName").as_string(), "SCORER");  // as given
  EXPECT_EQ(Time(d, "CreationTime"), t0);
  EXPECT_EQ(d.at("MaxConcurrentTransforms").as_int64(), 4);
  EXPECT_EQ(d.at("MaxPayloadInMB").as_int64(), 6);
  EXPECT_EQ(d.at("BatchStrategy").as_string(), "MultiRecord");
  EXPECT_EQ(d.at("Environment"), json::parse(R"({"LOG":"debug"})"));
  EXPECT_EQ(d.at("TransformOutput"),
            json::parse(R"({"S3OutputPath":"s3://b/batch/out","AssembleWith":"Line"})"));
  EXPECT_EQ(d.at("TransformInput").at("SplitType").as_string(), "Line");
  EXPECT_EQ(d.at("TransformResources").at("InstanceType").as_string(), "ml.m5.large");
  // Not members of DescribeTransformJob's output.
  EXPECT_FALSE(d.contains("Tags"));
  EXPECT_FALSE(d.contains("LastModifiedTime"));
  EXPECT_FALSE(d.contains("TransformStartTime"));

  scheduler_->AdvanceTo(t0 + seconds(15) - milliseconds(1));
  EXPECT_FALSE(Describe("batch-score").contains("TransformStartTime"));
  scheduler_->AdvanceTo(t0 + seconds(15));
  d = Describe("batch-score");
  EXPECT_EQ(d.at("TransformJobStatus").as_string(), "InProgress");
  EXPECT_EQ(Time(d, "TransformStartTime"), t0 + seconds(15));

  scheduler_->AdvanceTo(t0 + seconds(60) - milliseconds(1));
  EXPECT_EQ(StatusOf("batch-score"), "InProgress");
  scheduler_->AdvanceTo(t0 + seconds(60));
  d = Describe("batch-score");
  EXPECT_EQ(d.at("TransformJobStatus").as_string(), "Completed");
  EXPECT_EQ(Time(d, "TransformEndTime"), t0 + seconds(60));
  EXPECT_FALSE(d.contains("FailureReason"));
  EXPECT_EQ(scheduler_->pending(), 0u);

  // The summary carries LastModifiedTime, which Describe leaves out.
  auto list = Do("ListTransformJobs", "{}");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(
      list->at("TransformJobSummaries").as_array()[0],
      json::parse(R"({"TransformJobName":"Batch-Score","TransformJobArn":")" + arn +
                  R"(","CreationTime":)" + std::to_string(ToUnixSeconds(t0)) +
                  R"(,"TransformEndTime":)" + std::to_string(ToUnixSeconds(t0 + seconds(60))) +
                  R"(,"LastModifiedTime":)" + std::to_string(ToUnixSeconds(t0 + seconds(60))) +
                  R"(,"TransformJobStatus":"Completed"})"));

  auto disk = OnDisk();
  ASSERT_EQ(disk.size(), 1u);
  EXPECT_EQ(disk[0].status, "Completed");
  EXPECT_EQ(disk[0].tags, json::parse(R"([{"Key":"cost","Value":"batch"}])"));
}

TEST_F(TransformJobsTest, TheModelMustExist) {
  ExpectError(Call("CreateTransformJob", Create("orphan", "No-Such-Model"), nullptr),
              "ValidationException",
              "Could not find model "
              "\"arn:aws:sagemaker:us-west-2:123456789012:model/no-such-model\".");
  ExpectError(Call("DescribeTransformJob", Named("orphan"), nullptr), "ValidationException",
              "Could not find requested job with name orphan");
  // A deleted model is gone for new jobs too.
  ASSERT_TRUE(Do("DeleteModel", R"({"ModelName":"Scorer"})").ok());
  ExpectError(Call("CreateTransformJob", Create("late"), nullptr), "ValidationException",
              "Could not find model \"arn:aws:sagemaker:us-west-2:123456789012:model/scorer\".");
  EXPECT_TRUE(OnDisk().empty());
}

TEST_F(TransformJobsTest, StopGoesThroughStoppingToStopped) {
  const TimePoint t0 = clock_.Now();
  ASSERT_TRUE(Do("CreateTransformJob", Create("halt")).ok());
  scheduler_->AdvanceTo(t0 + seconds(20));
  auto stopped = Do("StopTransformJob", Named("HALT"));
  ASSERT_TRUE(stopped.ok()) << stopped.error().message;
  EXPECT_EQ(*stopped, json::object());
  EXPECT_EQ(StatusOf("halt"), "Stopping");
  ExpectError(Call("StopTransformJob", Named("halt"), nullptr), "ValidationException",
              "The request was rejected because the transform job is in status Stopping.");
  scheduler_->AdvanceTo(t0 + seconds(25) - milliseconds(1));
  EXPECT_EQ(StatusOf("halt"), "Stopping");
  scheduler_->AdvanceTo(t0 + seconds(25));
  json::object d = Describe("halt");
  EXPECT_EQ(d.at("TransformJobStatus").as_string(), "Stopped");
  EXPECT_EQ(Time(d, "TransformStartTime"), t0 + seconds(15));
  EXPECT_EQ(Time(d, "TransformEndTime"), t0 + seconds(25));
  // The completion planned before the Stop is stale.
  scheduler_->AdvanceTo(t0 + seconds(120));
  EXPECT_EQ(StatusOf("halt"), "Stopped");
  ExpectError(Call("StopTransformJob", Named("halt"), nullptr), "ValidationException",
              "The request was rejected because the transform job is in status Stopped.");

  ASSERT_TRUE(Do("CreateTransformJob", Create("done")).ok());
  scheduler_->AdvanceBy(seconds(60));
  ASSERT_EQ(StatusOf("done"), "Completed");
  ExpectError(Call("StopTransformJob", Named("done"), nullptr), "ValidationException",
              "The request was rejected because the transform job is in status Completed.");

  // Stopped before its instances came up: no start time.
  ASSERT_TRUE(Do("CreateTransformJob", Create("early")).ok());
  ASSERT_TRUE(Do("StopTransformJob", Named("early")).ok());
  scheduler_->AdvanceBy(seconds(60));
  d = Describe("early");
  EXPECT_EQ(d.at("TransformJobStatus").as_string(), "Stopped");
  EXPECT_FALSE(d.contains("TransformStartTime"));
}

TEST_F(TransformJobsTest, DuplicateAndMissingNames) {
  ASSERT_TRUE(Do("CreateTransformJob", Create("Nightly")).ok());
  for (const char* name : {"Nightly", "nightly", "NIGHTLY"}) {
    ExpectError(Call("CreateTransformJob", Create(name), nullptr), "ResourceInUse",
                "Transform job names must be unique within an AWS account and region, and a "
                "transform job with this name already exists (" +
                    std::string(kArnPrefix) + "nightly)");
  }
  // The name check comes before the model check.
  ExpectError(Call("CreateTransformJob", Create("nightly", "missing"), nullptr), "ResourceInUse",
              "Transform job names must be unique within an AWS account and region, and a "
              "transform job with this name already exists (" +
                  std::string(kArnPrefix) + "nightly)");
  ExpectError(Call("DescribeTransformJob", Named("Ghost"), nullptr), "ValidationException",
              "Could not find requested job with name Ghost");
  ExpectError(Call("StopTransformJob", Named("Ghost"), nullptr), "ValidationException",
              "Could not find requested job with name Ghost");
}

TEST_F(TransformJobsTest, ListSortsFiltersAndPages) {
  const TimePoint t0 = clock_.Now();
  // charlie +0 s, Alpha +20, echo +40, Delta +60, bravo +80.
  for (const char* n : {"charlie", "Alpha", "echo", "Delta", "bravo"}) {
    ASSERT_TRUE(Do("CreateTransformJob", Create(n)).ok());
    scheduler_->AdvanceBy(seconds(20));
  }
  // Now +100 s: charlie (done +60), Alpha (+80) and echo (+100) Completed; Delta and bravo run.
  ASSERT_TRUE(Do("StopTransformJob", Named("delta")).ok());
  auto list = Do("ListTransformJobs", "{}");
  ASSERT_TRUE(list.ok());
  // Default: newest first.
  EXPECT_EQ(Names(*list), (std::vector<std::string>{"bravo", "Delta", "echo", "Alpha", "charlie"}));
  list = Do("ListTransformJobs", R"({"SortOrder":"Ascending"})");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(Names(*list), (std::vector<std::string>{"charlie", "Alpha", "echo", "Delta", "bravo"}));
  list = Do("ListTransformJobs", R"({"StatusEquals":"Completed"})");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(Names(*list), (std::vector<std::string>{"echo", "Alpha", "charlie"}));
  list = Do("ListTransformJobs", R"({"StatusEquals":"Stopping"})");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(Names(*list), (std::vector<std::string>{"Delta"}));
  list = Do("ListTransformJobs", R"({"SortBy":"Name","SortOrder":"Ascending"})");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(Names(*list), (std::vector<std::string>{"Alpha", "bravo", "charlie", "Delta", "echo"}));
  // Changed at +90 s or later: bravo started at +95, Delta began stopping and echo completed at
  // +100.
  list = Do("ListTransformJobs",
            R"({"LastModifiedTimeAfter":)" + std::to_string(ToUnixSeconds(t0 + seconds(90))) + "}");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(Names(*list), (std::vector<std::string>{"bravo", "Delta", "echo"}));
  list = Do("ListTransformJobs",
            R"({"CreationTimeBefore":)" + std::to_string(ToUnixSeconds(t0 + seconds(40))) + "}");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(Names(*list), (std::vector<std::string>{"Alpha", "charlie"}));

  std::vector<std::string> all;
  std::string token;
  int pages = 0;
  do {
    json::object in{{"MaxResults", 2}, {"SortBy", "Name"}};
    if (!token.empty()) in["NextToken"] = token;
    auto page = Do("ListTransformJobs", json::serialize(in));
    ASSERT_TRUE(page.ok());
    for (auto& n : Names(*page)) all.push_back(n);
    const json::object& o = page->as_object();
    token = o.contains("NextToken") ? std::string(o.at("NextToken").as_string()) : "";
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(all, (std::vector<std::string>{"echo", "Delta", "charlie", "bravo", "Alpha"}));
}

TEST_F(TransformJobsTest, NothingHappensBeforeTheActionsRun) {
  const TimePoint t0 = clock_.Now();
  std::vector<std::function<Status()>> create;
  ASSERT_TRUE(Call("CreateTransformJob", Create("pending"), &create).ok());
  ASSERT_FALSE(create.empty());
  EXPECT_EQ(StatusOf("pending"), "InProgress");
  EXPECT_TRUE(OnDisk().empty());
  EXPECT_EQ(scheduler_->pending(), 0u);
  for (auto& a : create) ASSERT_TRUE(a().ok());
  ASSERT_EQ(OnDisk().size(), 1u);
  EXPECT_EQ(NextTransition(OnDisk()[0]), t0 + seconds(15));

  std::vector<std::function<Status()>> stop;
  ASSERT_TRUE(Call("StopTransformJob", Named("pending"), &stop).ok());
  EXPECT_EQ(StatusOf("pending"), "Stopping");
  EXPECT_EQ(OnDisk()[0].status, "InProgress");
  for (auto& a : stop) ASSERT_TRUE(a().ok());
  EXPECT_EQ(OnDisk()[0].status, "Stopping");
}

TEST_F(TransformJobsTest, LifecyclesResumeAfterARestart) {
  const TimePoint t0 = clock_.Now();
  ASSERT_TRUE(Do("CreateTransformJob", Create("survivor")).ok());
  ASSERT_TRUE(Do("CreateTransformJob", Create("halting")).ok());
  scheduler_->AdvanceTo(t0 + seconds(16));
  ASSERT_TRUE(Do("StopTransformJob", Named("halting")).ok());  // Stopped due at +21 s
  json::object before = Describe("survivor");

  Restart();
  EXPECT_EQ(Describe("survivor"), before);
  EXPECT_EQ(StatusOf("halting"), "Stopping");
  scheduler_->AdvanceTo(t0 + seconds(21));
  EXPECT_EQ(StatusOf("halting"), "Stopped");
  scheduler_->AdvanceTo(t0 + seconds(60));
  json::object d = Describe("survivor");
  EXPECT_EQ(d.at("TransformJobStatus").as_string(), "Completed");
  EXPECT_EQ(Time(d, "TransformStartTime"), t0 + seconds(15));
  EXPECT_EQ(Time(d, "TransformEndTime"), t0 + seconds(60));
}

}  // namespace
}  // namespace sagetrail::sagemaker
