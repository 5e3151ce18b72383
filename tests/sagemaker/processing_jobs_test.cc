// SageMaker processing jobs through SageMakerService::Invoke with hand-made requests, time driven
// by a FakeClock and a ManualScheduler: the lifecycle (start, completion, Stop, the runtime
// limit), the error texts, List sorting, filtering and paging, persistence after the call's
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

constexpr char kArnPrefix[] = "arn:aws:sagemaker:us-west-2:123456789012:processing-job/";

class ProcessingJobsTest : public testing::SageMakerServiceTest {
 protected:
  Timings TestTimings() const override {
    Timings timings;
    timings.processing_job = seconds(40);  // started after 10 s, done after 40 s
    timings.stopping = seconds(5);
    return timings;
  }

  // The stored processing jobs, read through a second connection.
  std::vector<Resource> OnDisk() const { return SageMakerServiceTest::OnDisk("processing-job"); }

  json::object Describe(const std::string& name) {
    auto d = Do("DescribeProcessingJob", Named(name));
    EXPECT_TRUE(d.ok()) << name;
    return d.ok() ? d->as_object() : json::object();
  }
  std::string StatusOf(const std::string& name) {
    json::object d = Describe(name);
    return d.contains("ProcessingJobStatus") ? std::string(d.at("ProcessingJobStatus").as_string())
                                             : std::string("<none>");
  }

  static std::string Create(const std::string& name, const std::string& extra = "") {
    return R"({"ProcessingJobName":")" + name + R"(",
      "ProcessingResources":{"ClusterConfig":{"InstanceCount":1,"InstanceType":"ml.m5.xlarge",
                                              "VolumeSizeInGB":30}},
      "AppSpecification":{"ImageUri":"123456789012.dkr.ecr.us-west-2.amazonaws.com/prep:1",
                          "ContainerEntrypoint":["python3","/opt/ml/code/prep.py"]},
      "RoleArn":"arn:aws:iam::123456789012:role/SageMakerRole")" +
           extra + "}";
  }
  static std::string Named(const std::string& name) {
    return R"({"ProcessingJobName":")" + name + R"("})";
  }
  static std::vector<std::string> Names(const json::value& list_output) {
    std::vector<std::string> names;
    for (const auto& j : list_output.at("ProcessingJobSummaries").as_array()) {
      names.push_back(std::string(j.at("ProcessingJobName").as_string()));
    }
    return names;
  }
  static std::optional<TimePoint> Time(const json::object& o, const char* member) {
    auto it = o.find(member);
    return it == o.end() ? std::nullopt : aws::ToTimePoint(it->value());
  }
};

TEST_F(ProcessingJobsTest, ImplementsTheProcessingJobOperations) {
  ASSERT_NE(service_, nullptr);
  for (const char* op : {"CreateProcessingJob", "DescribeProcessingJob", "ListProcessingJobs",
                         "StopProcessingJob"}) {
    EXPECT_TRUE(service_->Implements(op)) << op;
  }
}

TEST_F(ProcessingJobsTest, RunsFromInProgressToCompleted) {
  ASSERT_NE(service_, nullptr);
  const TimePoint t0 = clock_.Now();
  auto created = Do("CreateProcessingJob", Create("Prep-Data", R"(,
      "ProcessingInputs":[{"InputName":"raw","S3Input":{"S3Uri":"s3://b/raw",
          "LocalPath":"/opt/ml/processing/input","S3DataType":"S3Prefix","S3InputMode":"File"}}],
      "ProcessingOutputConfig":{"Outputs":[{"OutputName":"out","S3Output":{"S3Uri":"s3://b/out",
          "LocalPath":"/opt/ml/processing/output","S3UploadMode":"EndOfJob"}}]},
      "StoppingCondition":{"MaxRuntimeInSeconds":3600},
      "Environment":{"MODE":"full"},
      "Tags":[{"Key":"team","Value":"ml"}])"));
  ASSERT_TRUE(created.ok()) << created.error().message;
  const std::string arn = std::string(kArnPrefix) + "prep-data";
  EXPECT_EQ(*created, json::parse(R"({"ProcessingJobArn":")" + arn + R"("})"));

  json::object d = Describe("PREP-DATA");
  EXPECT_EQ(d.at("ProcessingJobName").as_string(), "Prep-Data");
  EXPECT_EQ(d.at("ProcessingJobArn").as_string(), arn);
  EXPECT_EQ(d.at("ProcessingJobStatus").as_string(), "InProgress");
  EXPECT_EQ(Time(d, "CreationTime"), (t0));
  EXPECT_EQ(Time(d, "LastModifiedTime"), (t0));
  EXPECT_EQ(d.at("RoleArn").as_string(), "arn:aws:iam::123456789012:role/SageMakerRole");
  EXPECT_EQ(d.at("AppSpecification"),
            json::parse(R"({"ImageUri":"123456789012.dkr.ecr.us-west-2.amazonaws.com/prep:1",
                            "ContainerEntrypoint":["python3","/opt/ml/code/prep.py"]})"));
  EXPECT_EQ(d.at("ProcessingResources").at("ClusterConfig").at("VolumeSizeInGB").as_int64(), 30);
  EXPECT_EQ(d.at("ProcessingInputs").as_array().size(), 1u);
  EXPECT_EQ(d.at("ProcessingOutputConfig").at("Outputs").as_array().size(), 1u);
  EXPECT_EQ(d.at("StoppingCondition"), json::parse(R"({"MaxRuntimeInSeconds":3600})"));
  EXPECT_EQ(d.at("Environment"), json::parse(R"({"MODE":"full"})"));
  EXPECT_FALSE(d.contains("Tags"));  // not part of DescribeProcessingJob's output
  EXPECT_FALSE(d.contains("ProcessingStartTime"));
  EXPECT_FALSE(d.contains("ProcessingEndTime"));

  // The instances come up after a quarter of the processing time.
  scheduler_->AdvanceTo(t0 + seconds(10) - milliseconds(1));
  EXPECT_FALSE(Describe("prep-data").contains("ProcessingStartTime"));
  scheduler_->AdvanceTo(t0 + seconds(10));
  d = Describe("prep-data");
  EXPECT_EQ(d.at("ProcessingJobStatus").as_string(), "InProgress");
  EXPECT_EQ(Time(d, "ProcessingStartTime"), (t0 + seconds(10)));
  EXPECT_EQ(Time(d, "LastModifiedTime"), (t0 + seconds(10)));

  scheduler_->AdvanceTo(t0 + seconds(40) - milliseconds(1));
  EXPECT_EQ(StatusOf("prep-data"), "InProgress");
  scheduler_->AdvanceTo(t0 + seconds(40));
  d = Describe("prep-data");
  EXPECT_EQ(d.at("ProcessingJobStatus").as_string(), "Completed");
  EXPECT_EQ(Time(d, "ProcessingEndTime"), (t0 + seconds(40)));
  EXPECT_EQ(Time(d, "LastModifiedTime"), (t0 + seconds(40)));
  EXPECT_EQ(Time(d, "ProcessingStartTime"), (t0 + seconds(10)));
  EXPECT_FALSE(d.contains("FailureReason"));
  EXPECT_EQ(scheduler_->pending(), 0u);

  // The transitions saved what they changed.
  auto disk = OnDisk();
  ASSERT_EQ(disk.size(), 1u);
  EXPECT_EQ(disk[0].status, "Completed");
  EXPECT_EQ(Time(disk[0].body, "ProcessingEndTime"), (t0 + seconds(40)));
  EXPECT_EQ(disk[0].tags, json::parse(R"([{"Key":"team","Value":"ml"}])"));
  EXPECT_FALSE(NextTransition(disk[0]).has_value());
}

TEST_F(ProcessingJobsTest, StopGoesThroughStoppingToStopped) {
  ASSERT_NE(service_, nullptr);
  const TimePoint t0 = clock_.Now();
  ASSERT_TRUE(Do("CreateProcessingJob", Create("halt-me")).ok());
  scheduler_->AdvanceTo(t0 + seconds(15));
  auto stopped = Do("StopProcessingJob", Named("Halt-Me"));
  ASSERT_TRUE(stopped.ok()) << stopped.error().message;
  EXPECT_EQ(*stopped, json::object());
  json::object d = Describe("halt-me");
  EXPECT_EQ(d.at("ProcessingJobStatus").as_string(), "Stopping");
  EXPECT_EQ(Time(d, "LastModifiedTime"), (t0 + seconds(15)));

  ExpectError(Call("StopProcessingJob", Named("halt-me"), nullptr), "ValidationException",
              "The request was rejected because the processing job is in status Stopping.");

  scheduler_->AdvanceTo(t0 + seconds(20) - milliseconds(1));
  EXPECT_EQ(StatusOf("halt-me"), "Stopping");
  scheduler_->AdvanceTo(t0 + seconds(20));
  d = Describe("halt-me");
  EXPECT_EQ(d.at("ProcessingJobStatus").as_string(), "Stopped");
  EXPECT_EQ(Time(d, "ProcessingEndTime"), (t0 + seconds(20)));
  EXPECT_EQ(Time(d, "ProcessingStartTime"), (t0 + seconds(10)));

  // The completion planned before the Stop is stale and changes nothing.
  scheduler_->AdvanceTo(t0 + seconds(100));
  EXPECT_EQ(StatusOf("halt-me"), "Stopped");
  ExpectError(Call("StopProcessingJob", Named("halt-me"), nullptr), "ValidationException",
              "The request was rejected because the processing job is in status Stopped.");

  // A finished job cannot be stopped either.
  ASSERT_TRUE(Do("CreateProcessingJob", Create("done")).ok());
  scheduler_->AdvanceBy(seconds(40));
  ASSERT_EQ(StatusOf("done"), "Completed");
  ExpectError(Call("StopProcessingJob", Named("done"), nullptr), "ValidationException",
              "The request was rejected because the processing job is in status Completed.");
}

TEST_F(ProcessingJobsTest, StopBeforeTheStartNeverStarts) {
  ASSERT_NE(service_, nullptr);
  const TimePoint t0 = clock_.Now();
  ASSERT_TRUE(Do("CreateProcessingJob", Create("early")).ok());
  clock_.Advance(seconds(2));
  ASSERT_TRUE(Do("StopProcessingJob", Named("early")).ok());
  scheduler_->AdvanceTo(t0 + seconds(60));
  json::object d = Describe("early");
  EXPECT_EQ(d.at("ProcessingJobStatus").as_string(), "Stopped");
  EXPECT_FALSE(d.contains("ProcessingStartTime"));
  EXPECT_EQ(Time(d, "ProcessingEndTime"), (t0 + seconds(7)));
}

TEST_F(ProcessingJobsTest, MaxRuntimeStopsTheJob) {
  ASSERT_NE(service_, nullptr);
  const TimePoint t0 = clock_.Now();
  ASSERT_TRUE(Do("CreateProcessingJob",
                 Create("slow", R"(,"StoppingCondition":{"MaxRuntimeInSeconds":12})"))
                  .ok());
  // Started at +10 s; the limit counts from the start: Stopping at +22 s, Stopped at +27 s.
  scheduler_->AdvanceTo(t0 + seconds(22) - milliseconds(1));
  EXPECT_EQ(StatusOf("slow"), "InProgress");
  scheduler_->AdvanceTo(t0 + seconds(22));
  json::object d = Describe("slow");
  EXPECT_EQ(d.at("ProcessingJobStatus").as_string(), "Stopping");
  EXPECT_EQ(Time(d, "LastModifiedTime"), (t0 + seconds(22)));
  scheduler_->AdvanceTo(t0 + seconds(27));
  d = Describe("slow");
  EXPECT_EQ(d.at("ProcessingJobStatus").as_string(), "Stopped");
  EXPECT_EQ(Time(d, "ProcessingEndTime"), (t0 + seconds(27)));
  EXPECT_FALSE(d.contains("FailureReason"));
  scheduler_->AdvanceTo(t0 + seconds(100));
  EXPECT_EQ(StatusOf("slow"), "Stopped");

  // A limit the job stays within changes nothing: 30 s from +10 s is exactly the end.
  const TimePoint t1 = clock_.Now();
  ASSERT_TRUE(Do("CreateProcessingJob",
                 Create("in-time", R"(,"StoppingCondition":{"MaxRuntimeInSeconds":30})"))
                  .ok());
  scheduler_->AdvanceTo(t1 + seconds(40));
  EXPECT_EQ(StatusOf("in-time"), "Completed");
}

TEST_F(ProcessingJobsTest, DuplicateAndMissingNames) {
  ASSERT_NE(service_, nullptr);
  ASSERT_TRUE(Do("CreateProcessingJob", Create("Nightly-Prep")).ok());
  for (const char* name : {"Nightly-Prep", "nightly-prep", "NIGHTLY-PREP"}) {
    ExpectError(Call("CreateProcessingJob", Create(name), nullptr), "ResourceInUse",
                "Processing job names must be unique within an AWS account and region, and a "
                "processing job with this name already exists (" +
                    std::string(kArnPrefix) + "nightly-prep)");
  }
  // The duplicate changed nothing, even once the original finished.
  scheduler_->AdvanceBy(seconds(40));
  ExpectError(Call("CreateProcessingJob", Create("nightly-prep"), nullptr), "ResourceInUse",
              "Processing job names must be unique within an AWS account and region, and a "
              "processing job with this name already exists (" +
                  std::string(kArnPrefix) + "nightly-prep)");
  EXPECT_EQ(Describe("nightly-prep").at("ProcessingJobName").as_string(), "Nightly-Prep");

  ExpectError(Call("DescribeProcessingJob", Named("No-Such-Job"), nullptr), "ValidationException",
              "Could not find requested job with name No-Such-Job");
  ExpectError(Call("StopProcessingJob", Named("No-Such-Job"), nullptr), "ValidationException",
              "Could not find requested job with name No-Such-Job");
}

TEST_F(ProcessingJobsTest, ListSortsFiltersAndPages) {
  ASSERT_NE(service_, nullptr);
  const TimePoint t0 = clock_.Now();
  // charlie +0 s, Alpha +10, echo +20, Delta +30, bravo +40 (charlie done at +40 exactly).
  for (const char* n : {"charlie", "Alpha", "echo", "Delta", "bravo"}) {
    ASSERT_TRUE(Do("CreateProcessingJob", Create(n)).ok());
    scheduler_->AdvanceBy(seconds(10));
  }
  ASSERT_TRUE(Do("StopProcessingJob", Named("delta")).ok());
  // Now +50 s: charlie Completed (+40), Alpha Completed (+50), Delta Stopping.
  auto list = Do("ListProcessingJobs", "{}");
  ASSERT_TRUE(list.ok());
  // Default: oldest first.
  EXPECT_EQ(Names(*list), (std::vector<std::string>{"charlie", "Alpha", "echo", "Delta", "bravo"}));
  EXPECT_FALSE(list->as_object().contains("NextToken"));
  const json::array& s = list->at("ProcessingJobSummaries").as_array();
  EXPECT_EQ(s[0], json::parse(R"({"ProcessingJobName":"charlie","ProcessingJobArn":")" +
                              std::string(kArnPrefix) + R"(charlie","CreationTime":)" +
                              std::to_string(ToUnixSeconds(t0)) + R"(,"ProcessingEndTime":)" +
                              std::to_string(ToUnixSeconds(t0 + seconds(40))) +
                              R"(,"LastModifiedTime":)" +
                              std::to_string(ToUnixSeconds(t0 + seconds(40))) +
                              R"(,"ProcessingJobStatus":"Completed"})"));
  EXPECT_EQ(s[3].at("ProcessingJobStatus").as_string(), "Stopping");
  EXPECT_FALSE(s[3].as_object().contains("ProcessingEndTime"));

  list = Do("ListProcessingJobs", R"({"StatusEquals":"Completed"})");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(Names(*list), (std::vector<std::string>{"charlie", "Alpha"}));
  list = Do("ListProcessingJobs", R"({"StatusEquals":"InProgress","SortOrder":"Descending"})");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(Names(*list), (std::vector<std::string>{"bravo", "echo"}));
  list = Do("ListProcessingJobs", R"({"SortBy":"Name"})");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(Names(*list), (std::vector<std::string>{"Alpha", "bravo", "charlie", "Delta", "echo"}));
  list = Do("ListProcessingJobs", R"({"NameContains":"HARL"})");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(Names(*list), (std::vector<std::string>{"charlie"}));
  list = Do("ListProcessingJobs",
            R"({"LastModifiedTimeAfter":)" + std::to_string(ToUnixSeconds(t0 + seconds(45))) + "}");
  ASSERT_TRUE(list.ok());
  // Alpha completed, Delta began stopping and bravo started, all at +50 s.
  EXPECT_EQ(Names(*list), (std::vector<std::string>{"Alpha", "Delta", "bravo"}));

  std::vector<std::string> all;
  std::string token;
  int pages = 0;
  do {
    json::object in{{"MaxResults", 2}};
    if (!token.empty()) in["NextToken"] = token;
    auto page = Do("ListProcessingJobs", json::serialize(in));
    ASSERT_TRUE(page.ok());
    for (auto& n : Names(*page)) all.push_back(n);
    const json::object& o = page->as_object();
    token = o.contains("NextToken") ? std::string(o.at("NextToken").as_string()) : "";
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(all, (std::vector<std::string>{"charlie", "Alpha", "echo", "Delta", "bravo"}));
}

TEST_F(ProcessingJobsTest, NothingHappensBeforeTheActionsRun) {
  ASSERT_NE(service_, nullptr);
  const TimePoint t0 = clock_.Now();
  std::vector<std::function<Status()>> create;
  ASSERT_TRUE(Call("CreateProcessingJob", Create("pending"), &create).ok());
  ASSERT_FALSE(create.empty());
  EXPECT_EQ(StatusOf("pending"), "InProgress");  // in memory at once
  EXPECT_TRUE(OnDisk().empty());
  EXPECT_EQ(scheduler_->pending(), 0u);  // nor is its start scheduled
  scheduler_->AdvanceTo(t0 + seconds(30));
  EXPECT_FALSE(Describe("pending").contains("ProcessingStartTime"));

  for (auto& a : create) ASSERT_TRUE(a().ok());
  auto disk = OnDisk();
  ASSERT_EQ(disk.size(), 1u);
  EXPECT_EQ(disk[0].status, "InProgress");
  EXPECT_EQ(disk[0].arn, std::string(kArnPrefix) + "pending");
  EXPECT_EQ(NextTransition(disk[0]), t0 + seconds(10));
  // The start was due already; it runs at once.
  scheduler_->RunDue();
  EXPECT_EQ(Time(Describe("pending"), "ProcessingStartTime"), t0 + seconds(30));

  std::vector<std::function<Status()>> stop;
  ASSERT_TRUE(Call("StopProcessingJob", Named("pending"), &stop).ok());
  EXPECT_EQ(StatusOf("pending"), "Stopping");
  EXPECT_EQ(OnDisk()[0].status, "InProgress");  // the Stop is not recorded yet
  for (auto& a : stop) ASSERT_TRUE(a().ok());
  EXPECT_EQ(OnDisk()[0].status, "Stopping");
}

TEST_F(ProcessingJobsTest, LifecyclesResumeAfterARestart) {
  ASSERT_NE(service_, nullptr);
  const TimePoint t0 = clock_.Now();
  ASSERT_TRUE(Do("CreateProcessingJob", Create("survivor")).ok());
  ASSERT_TRUE(Do("CreateProcessingJob", Create("halting")).ok());
  scheduler_->AdvanceTo(t0 + seconds(12));
  ASSERT_TRUE(Do("StopProcessingJob", Named("halting")).ok());  // Stopped due at +17 s
  json::object before = Describe("survivor");

  Restart();
  EXPECT_EQ(Describe("survivor"), before);
  EXPECT_EQ(StatusOf("halting"), "Stopping");
  scheduler_->AdvanceTo(t0 + seconds(17));
  EXPECT_EQ(StatusOf("halting"), "Stopped");
  EXPECT_EQ(StatusOf("survivor"), "InProgress");
  scheduler_->AdvanceTo(t0 + seconds(40));
  json::object d = Describe("survivor");
  EXPECT_EQ(d.at("ProcessingJobStatus").as_string(), "Completed");
  EXPECT_EQ(Time(d, "ProcessingEndTime"), (t0 + seconds(40)));

  // Down through a job's whole run: its overdue steps run at once, in order, on restart.
  const TimePoint t1 = clock_.Now();
  ASSERT_TRUE(Do("CreateProcessingJob", Create("offline")).ok());
  service_.reset();
  clock_.Set(t1 + seconds(300));
  Restart();
  scheduler_->RunDue();
  d = Describe("offline");
  EXPECT_EQ(d.at("ProcessingJobStatus").as_string(), "Completed");
  EXPECT_EQ(Time(d, "ProcessingStartTime"), (t1 + seconds(300)));
  EXPECT_EQ(Time(d, "ProcessingEndTime"), (t1 + seconds(300)));
}

}  // namespace
}  // namespace sagetrail::sagemaker
