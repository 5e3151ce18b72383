// SageMaker training jobs through SageMakerService::Invoke with hand-made requests, on a fake
// clock and a manual scheduler: the lifecycle step by step, stops from every phase, the runtime
// limit, runner outcomes (failed, late, repeated), deletion, listing, persistence after the
// call's record, and resuming after a restart.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>

#include "aws/protocol/generic_value.h"
#include "sagemaker/sagemaker_service_test.h"
#include "sagemaker/training_runner.h"

namespace sagetrail::sagemaker {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;

// Where clock_ starts (SageMakerServiceTest::kStart).
const TimePoint kT0 = FromUnixSeconds(1763805600);

constexpr char kStartingJob[] = "Starting the training job";
constexpr char kLaunching[] = "Launching requested ML instances";
constexpr char kPreparing[] = "Preparing the instances for training";
constexpr char kDownloadingData[] = "Downloading input data";
constexpr char kDownloadingImage[] = "Downloading the training image";
constexpr char kTraining[] = "Training image download completed. Training in progress.";
constexpr char kUploading[] = "Uploading generated training model";
constexpr char kCompleted[] = "Training job completed";
constexpr char kFailed[] = "Training job failed";
constexpr char kStopping[] = "Stopping the training job";
constexpr char kStopped[] = "Training job stopped";
constexpr char kMaxRuntime[] = "Training job runtime exceeded MaxRuntimeInSeconds provided";

// kT0 + `seconds`.
TimePoint At(double seconds) { return kT0 + milliseconds(std::llround(seconds * 1000)); }
json::value Ts(double seconds) { return aws::TimestampValue(At(seconds)); }

// One SecondaryStatusTransitions entry; a negative `end` leaves EndTime out.
json::value Tr(const char* status, double start, double end, const char* message) {
  json::object o{{"Status", status}, {"StartTime", Ts(start)}, {"StatusMessage", message}};
  if (end >= 0) o["EndTime"] = Ts(end);
  return o;
}

std::string Arn(const std::string& lower_name) {
  return "arn:aws:sagemaker:us-west-2:123456789012:training-job/" + lower_name;
}

// A runner whose outcomes the test delivers.
class FakeRunner final : public TrainingRunner {
 public:
  struct Run {
    TrainingRequest request;
    std::function<void(TrainingOutcome)> done;
  };
  void Start(const TrainingRequest& request, std::function<void(TrainingOutcome)> done) override {
    runs.push_back({request, std::move(done)});
  }
  void Cancel(const std::string& job_arn) override { cancelled.push_back(job_arn); }

  // The latest run of `job_name`.
  Run* Find(const std::string& job_name) {
    for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
      if (it->request.job_name == job_name) return &*it;
    }
    return nullptr;
  }

  std::vector<Run> runs;
  std::vector<std::string> cancelled;
};

class TrainingJobsTest : public testing::SageMakerServiceTest {
 protected:
  // Each test starts its service with Launch().
  void SetUp() override {}

  // A sixth of the job time is 6 s, so every step lands on a whole second: Starting 0-6 s
  // (messages at 2 and 4), Downloading 6-9, Training 9 (image) / 12 (runner: 18 s), Uploading
  // 30-36.
  Timings TestTimings() const override {
    Timings timings;
    timings.training_job = std::chrono::seconds(36);
    timings.stopping = std::chrono::seconds(2);
    return timings;
  }

  // Starts a service on the store in dir_, with a fresh scheduler (a restarted process has none
  // of the old one's tasks) and, if `fake_runner`, a FakeRunner (fake_) instead of the timed one.
  void Launch(bool fake_runner = false) {
    service_.reset();
    fake_ = nullptr;
    std::unique_ptr<TrainingRunner> runner;
    if (fake_runner) {
      auto fake = std::make_unique<FakeRunner>();
      fake_ = fake.get();
      runner = std::move(fake);
    }
    Restart(std::move(runner));
  }

  static json::object Named(const std::string& name) { return {{"TrainingJobName", name}}; }

  static json::object WithName(const std::string& name) {
    json::object o = json::parse(R"({
        "RoleArn":"arn:aws:iam::123456789012:role/SageMakerRole",
        "AlgorithmSpecification":{
            "TrainingImage":"174872318107.dkr.ecr.us-west-2.amazonaws.com/kmeans:1",
            "TrainingInputMode":"File"},
        "HyperParameters":{"k":"10","feature_dim":"784"},
        "InputDataConfig":[{"ChannelName":"train","DataSource":{"S3DataSource":{
            "S3DataType":"S3Prefix","S3Uri":"s3://bucket/train/"}}}],
        "OutputDataConfig":{"S3OutputPath":"s3://bucket/out//"},
        "ResourceConfig":{"InstanceType":"ml.m5.large","InstanceCount":1,"VolumeSizeInGB":10},
        "Tags":[{"Key":"team","Value":"ml"}]})")
                         .as_object();
    o["TrainingJobName"] = name;
    return o;
  }

  void Create(const std::string& name, json::object extra = {}) {
    json::object in = WithName(name);
    for (auto& [k, v] : extra) in[k] = v;
    auto r = Do("CreateTrainingJob", in);
    ASSERT_TRUE(r.ok()) << name << ": " << r.error().message;
  }

  json::object Describe(const std::string& name) {
    auto r = Do("DescribeTrainingJob", Named(name));
    EXPECT_TRUE(r.ok()) << name << ": " << (r.ok() ? "" : r.error().message);
    return r.ok() && r->is_object() ? r->as_object() : json::object();
  }

  void AdvanceTo(double seconds) { scheduler_->AdvanceTo(At(seconds)); }

  // Checks the statuses, the last transition's status and message, and LastModifiedTime.
  void ExpectState(const std::string& name, const char* status, const char* secondary,
                   const char* message, double modified) {
    json::object d = Describe(name);
    ASSERT_FALSE(d.empty());
    EXPECT_EQ(d["TrainingJobStatus"], json::value(status)) << name;
    EXPECT_EQ(d["SecondaryStatus"], json::value(secondary)) << name;
    const json::array& transitions = d["SecondaryStatusTransitions"].as_array();
    ASSERT_FALSE(transitions.empty());
    EXPECT_EQ(transitions.back().at("Status"), json::value(secondary)) << name;
    EXPECT_EQ(transitions.back().at("StatusMessage"), json::value(message)) << name;
    EXPECT_EQ(d["LastModifiedTime"], Ts(modified)) << name;
  }

  std::vector<std::string> ListNames(json::object input) {
    auto r = Do("ListTrainingJobs", input);
    EXPECT_TRUE(r.ok());
    std::vector<std::string> names;
    if (!r.ok()) return names;
    for (const auto& s : r->at("TrainingJobSummaries").as_array()) {
      names.push_back(std::string(s.at("TrainingJobName").as_string()));
    }
    return names;
  }

  FakeRunner* fake_ = nullptr;  // owned by service_
};

TEST_F(TrainingJobsTest, ImplementsTheTrainingJobOperations) {
  Launch();
  for (const char* op : {"CreateTrainingJob", "DescribeTrainingJob", "ListTrainingJobs",
                         "StopTrainingJob", "DeleteTrainingJob"}) {
    EXPECT_TRUE(service_->Implements(op)) << op;
  }
}

TEST_F(TrainingJobsTest, CreateEchoesTheRequestAndStartsInStarting) {
  Launch();
  json::object in = WithName("MyJob");
  in["StoppingCondition"] = json::object{{"MaxWaitTimeInSeconds", 7200}};
  in["EnableManagedSpotTraining"] = true;
  auto created = Do("CreateTrainingJob", in);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(*created, json::value(json::object{{"TrainingJobArn", Arn("myjob")}}));

  for (const char* name : {"MyJob", "myjob", "MYJOB"}) {
    json::object d = Describe(name);
    EXPECT_EQ(d["TrainingJobName"], json::value("MyJob"));
    EXPECT_EQ(d["TrainingJobArn"], json::value(Arn("myjob")));
  }
  json::object d = Describe("MyJob");
  for (const char* member : {"RoleArn", "AlgorithmSpecification", "HyperParameters",
                             "InputDataConfig", "OutputDataConfig", "ResourceConfig"}) {
    EXPECT_EQ(d[member], in[member]) << member;
  }
  // The runtime limit defaults to a day; the rest of the condition is kept.
  EXPECT_EQ(d["StoppingCondition"],
            json::parse(R"({"MaxWaitTimeInSeconds":7200,"MaxRuntimeInSeconds":86400})"));
  EXPECT_EQ(d["EnableManagedSpotTraining"], json::value(true));
  EXPECT_EQ(d["EnableNetworkIsolation"], json::value(false));
  EXPECT_EQ(d["EnableInterContainerTrafficEncryption"], json::value(false));
  EXPECT_EQ(d["TrainingJobStatus"], json::value("InProgress"));
  EXPECT_EQ(d["SecondaryStatus"], json::value("Starting"));
  EXPECT_EQ(d["CreationTime"], Ts(0));
  EXPECT_EQ(d["LastModifiedTime"], Ts(0));
  EXPECT_EQ(d["SecondaryStatusTransitions"],
            json::value(json::array{Tr("Starting", 0, -1, kStartingJob)}));
  for (const char* absent : {"Tags", "ModelArtifacts", "TrainingStartTime", "TrainingEndTime",
                             "TrainingTimeInSeconds", "BillableTimeInSeconds", "FailureReason"}) {
    EXPECT_FALSE(d.contains(absent)) << absent;
  }

  // A given runtime limit is kept as is.
  json::object limited = WithName("Limited");
  limited["StoppingCondition"] = json::object{{"MaxRuntimeInSeconds", 600}};
  ASSERT_TRUE(Do("CreateTrainingJob", limited).ok());
  EXPECT_EQ(Describe("limited")["StoppingCondition"],
            json::parse(R"({"MaxRuntimeInSeconds":600})"));
}

TEST_F(TrainingJobsTest, CreateIgnoresDescribeOnlyMembers) {
  Launch();
  // Not CreateTrainingJob members (a raw client can send anything unmodeled).
  json::object in = WithName("Sneaky");
  in["TrainingJobStatus"] = "Completed";
  in["SecondaryStatus"] = "Completed";
  in["ModelArtifacts"] = json::object{{"S3ModelArtifacts", "s3://elsewhere/model.tar.gz"}};
  in["FailureReason"] = "none";
  in["TrainingStartTime"] = 1;
  in["SecondaryStatusTransitions"] = json::array{Tr("Completed", 0, 0, kCompleted)};
  in["CreationTime"] = 1;
  ASSERT_TRUE(Do("CreateTrainingJob", in).ok());
  json::object d = Describe("Sneaky");
  EXPECT_EQ(d["TrainingJobStatus"], json::value("InProgress"));
  EXPECT_EQ(d["SecondaryStatus"], json::value("Starting"));
  EXPECT_EQ(d["CreationTime"], Ts(0));
  EXPECT_EQ(d["SecondaryStatusTransitions"],
            json::value(json::array{Tr("Starting", 0, -1, kStartingJob)}));
  for (const char* absent : {"ModelArtifacts", "FailureReason", "TrainingStartTime"}) {
    EXPECT_FALSE(d.contains(absent)) << absent;
  }
  EXPECT_EQ(d["RoleArn"], in["RoleArn"]);
}

TEST_F(TrainingJobsTest, EveryTransitionInOrder) {
  Launch();
  Create("MyJob");
  struct Step {
    double at;
    const char *status, *secondary, *message;
  };
  const Step steps[] = {
      {0, "InProgress", "Starting", kStartingJob},
      {2, "InProgress", "Starting", kLaunching},
      {4, "InProgress", "Starting", kPreparing},
      {6, "InProgress", "Downloading", kDownloadingData},
      {9, "InProgress", "Training", kDownloadingImage},
      {12, "InProgress", "Training", kTraining},
      {30, "InProgress", "Uploading", kUploading},
      {36, "Completed", "Completed", kCompleted},
  };
  for (size_t i = 0; i < std::size(steps); ++i) {
    const Step& s = steps[i];
    if (i > 0) {
      // Nothing happens before the step is due...
      AdvanceTo(s.at - 0.001);
      const Step& prev = steps[i - 1];
      ExpectState("MyJob", prev.status, prev.secondary, prev.message, prev.at);
    }
    // ...and at once when it is.
    AdvanceTo(s.at);
    SCOPED_TRACE(s.message);
    ExpectState("MyJob", s.status, s.secondary, s.message, s.at);
    json::object d = Describe("MyJob");
    EXPECT_EQ(d.contains("TrainingStartTime"), s.at >= 6);
    EXPECT_EQ(d.contains("ModelArtifacts"), s.at >= 30);
    EXPECT_EQ(d.contains("TrainingEndTime"), s.at >= 36);
  }

  json::object d = Describe("MyJob");
  EXPECT_EQ(d["SecondaryStatusTransitions"], json::value(json::array{
                                                 Tr("Starting", 0, 6, kPreparing),
                                                 Tr("Downloading", 6, 9, kDownloadingData),
                                                 Tr("Training", 9, 30, kTraining),
                                                 Tr("Uploading", 30, 36, kUploading),
                                                 Tr("Completed", 36, 36, kCompleted),
                                             }));
  EXPECT_EQ(d["TrainingStartTime"], Ts(6));
  EXPECT_EQ(d["TrainingEndTime"], Ts(36));
  EXPECT_EQ(d["TrainingTimeInSeconds"], json::value(30));
  EXPECT_EQ(d["BillableTimeInSeconds"], json::value(30));
  EXPECT_EQ(d["ModelArtifacts"],
            json::parse(R"({"S3ModelArtifacts":"s3://bucket/out/MyJob/output/model.tar.gz"})"));
  EXPECT_FALSE(d.contains("FailureReason"));
  EXPECT_FALSE(d.contains("FinalMetricDataList"));  // the timed runner reports none
  // Nothing is left to run, and nothing changes any more.
  EXPECT_EQ(scheduler_->pending(), 0u);
  AdvanceTo(1000);
  EXPECT_EQ(Describe("MyJob"), d);
}

TEST_F(TrainingJobsTest, RunnerGetsTheJobAndItsMetricsAreKept) {
  Launch(/*fake_runner=*/true);
  Create("Metrics-Job");
  AdvanceTo(11.999);
  EXPECT_TRUE(fake_->runs.empty());
  AdvanceTo(12);
  ASSERT_EQ(fake_->runs.size(), 1u);
  const TrainingRequest& req = fake_->runs[0].request;
  EXPECT_EQ(req.account_id, kAcct);
  EXPECT_EQ(req.region, kRegion);
  EXPECT_EQ(req.job_name, "Metrics-Job");
  EXPECT_EQ(req.job_arn, Arn("metrics-job"));
  EXPECT_EQ(req.job.at("HyperParameters"), json::parse(R"({"k":"10","feature_dim":"784"})"));
  EXPECT_EQ(req.job.at("SecondaryStatus"), json::value("Training"));

  // A runner slower than the default: the watchdog sees its run under way and only re-arms.
  AdvanceTo(29);
  ExpectState("Metrics-Job", "InProgress", "Training", kTraining, 12);
  AdvanceTo(70);
  EXPECT_EQ(fake_->runs.size(), 1u);
  ExpectState("Metrics-Job", "InProgress", "Training", kTraining, 12);

  TrainingOutcome outcome;
  outcome.final_metrics =
      json::parse(R"([{"MetricName":"train:msd","Value":0.25,"Timestamp":1763805670}])").as_array();
  fake_->runs[0].done(outcome);
  ExpectState("Metrics-Job", "InProgress", "Uploading", kUploading, 70);
  EXPECT_EQ(Describe("Metrics-Job")["FinalMetricDataList"], json::value(outcome.final_metrics));
  // A repeated outcome is ignored.
  fake_->runs[0].done(outcome);
  ExpectState("Metrics-Job", "InProgress", "Uploading", kUploading, 70);
  AdvanceTo(76);
  ExpectState("Metrics-Job", "Completed", "Completed", kCompleted, 76);
  json::object d = Describe("Metrics-Job");
  EXPECT_EQ(d["TrainingTimeInSeconds"], json::value(70));
  EXPECT_EQ(d["SecondaryStatusTransitions"].as_array()[2], Tr("Training", 9, 70, kTraining));
  EXPECT_TRUE(fake_->cancelled.empty());
  // The last watchdog went stale when training ended; it fires and changes nothing.
  AdvanceTo(200);
  EXPECT_EQ(scheduler_->pending(), 0u);
  EXPECT_EQ(Describe("Metrics-Job"), d);
  EXPECT_EQ(fake_->runs.size(), 1u);
}

TEST_F(TrainingJobsTest, RunnerFailureFailsTheJob) {
  Launch(/*fake_runner=*/true);
  Create("Broken");
  AdvanceTo(20);
  ASSERT_EQ(fake_->runs.size(), 1u);
  TrainingOutcome failed;
  failed.failed = true;
  failed.failure_reason = "AlgorithmError: feature_dim does not match the data";
  fake_->runs[0].done(failed);
  ExpectState("Broken", "Failed", "Failed", kFailed, 20);
  json::object d = Describe("Broken");
  EXPECT_EQ(d["FailureReason"], json::value(failed.failure_reason));
  EXPECT_EQ(d["SecondaryStatusTransitions"], json::value(json::array{
                                                 Tr("Starting", 0, 6, kPreparing),
                                                 Tr("Downloading", 6, 9, kDownloadingData),
                                                 Tr("Training", 9, 20, kTraining),
                                                 Tr("Failed", 20, 20, kFailed),
                                             }));
  EXPECT_EQ(d["TrainingStartTime"], Ts(6));
  EXPECT_EQ(d["TrainingEndTime"], Ts(20));
  EXPECT_EQ(d["TrainingTimeInSeconds"], json::value(14));
  EXPECT_EQ(d["BillableTimeInSeconds"], json::value(14));
  EXPECT_FALSE(d.contains("ModelArtifacts"));  // nothing was produced
  // The watchdog is off: nothing changes later, and no run is started again.
  AdvanceTo(500);
  EXPECT_EQ(Describe("Broken"), d);
  EXPECT_EQ(fake_->runs.size(), 1u);
  // A success reported afterwards does not revive it.
  fake_->runs[0].done(TrainingOutcome{});
  EXPECT_EQ(Describe("Broken"), d);

  // A failure without a reason still says something.
  Create("Quiet");
  AdvanceTo(512);
  ASSERT_EQ(fake_->runs.size(), 2u);
  TrainingOutcome silent;
  silent.failed = true;
  fake_->runs[1].done(silent);
  EXPECT_EQ(Describe("Quiet")["FailureReason"], json::value(kFailed));

  // An outcome for a job that has been deleted meanwhile is dropped.
  ASSERT_TRUE(Do("DeleteTrainingJob", Named("Broken")).ok());
  AdvanceTo(600);
  fake_->runs[0].done(TrainingOutcome{});
  ExpectError(Call("DescribeTrainingJob", Named("Broken"), nullptr), "ValidationException",
              "Requested resource not found.");
}

TEST_F(TrainingJobsTest, StopFromEachPhase) {
  Launch(/*fake_runner=*/true);
  for (const char* name :
       {"in-starting", "in-downloading", "in-image", "in-training", "in-uploading"}) {
    Create(name);
  }
  auto stop = [&](const std::string& name, double at) {
    AdvanceTo(at);
    auto r = Do("StopTrainingJob", Named(name));
    ASSERT_TRUE(r.ok()) << name << ": " << r.error().message;
    EXPECT_EQ(*r, json::value(json::object()));
    ExpectState(name, "Stopping", "Stopping", kStopping, at);
  };
  stop("in-starting", 1);
  stop("in-downloading", 7);
  stop("in-image", 10);
  stop("in-training", 20.7);
  AdvanceTo(30);
  ASSERT_NE(fake_->Find("in-uploading"), nullptr);
  fake_->Find("in-uploading")->done(TrainingOutcome{});
  stop("in-uploading", 33);
  // Only the job whose runner was under way is cancelled.
  EXPECT_EQ(fake_->cancelled, std::vector<std::string>{Arn("in-training")});
  EXPECT_EQ(fake_->runs.size(), 2u);

  AdvanceTo(100);
  struct Expected {
    const char* name;
    json::array transitions;
    double started, ended;  // -1: absent
    bool artifacts;
  };
  const Expected expected[] = {
      {"in-starting",
       {Tr("Starting", 0, 1, kStartingJob), Tr("Stopping", 1, 3, kStopping),
        Tr("Stopped", 3, 3, kStopped)},
       -1,
       -1,
       false},
      {"in-downloading",
       {Tr("Starting", 0, 6, kPreparing), Tr("Downloading", 6, 7, kDownloadingData),
        Tr("Stopping", 7, 9, kStopping), Tr("Stopped", 9, 9, kStopped)},
       6,
       9,
       false},
      {"in-image",
       {Tr("Starting", 0, 6, kPreparing), Tr("Downloading", 6, 9, kDownloadingData),
        Tr("Training", 9, 10, kDownloadingImage), Tr("Stopping", 10, 12, kStopping),
        Tr("Stopped", 12, 12, kStopped)},
       6,
       12,
       false},
      {"in-training",
       {Tr("Starting", 0, 6, kPreparing), Tr("Downloading", 6, 9, kDownloadingData),
        Tr("Training", 9, 20.7, kTraining), Tr("Stopping", 20.7, 22.7, kStopping),
        Tr("Stopped", 22.7, 22.7, kStopped)},
       6,
       22.7,
       true},
      {"in-uploading",
       {Tr("Starting", 0, 6, kPreparing), Tr("Downloading", 6, 9, kDownloadingData),
        Tr("Training", 9, 30, kTraining), Tr("Uploading", 30, 33, kUploading),
        Tr("Stopping", 33, 35, kStopping), Tr("Stopped", 35, 35, kStopped)},
       6,
       35,
       true},
  };
  for (const Expected& e : expected) {
    SCOPED_TRACE(e.name);
    json::object d = Describe(e.name);
    EXPECT_EQ(d["TrainingJobStatus"], json::value("Stopped"));
    EXPECT_EQ(d["SecondaryStatus"], json::value("Stopped"));
    EXPECT_EQ(d["SecondaryStatusTransitions"], json::value(e.transitions));
    EXPECT_EQ(d["LastModifiedTime"], e.transitions.back().at("StartTime"));
    if (e.started < 0) {
      for (const char* absent : {"TrainingStartTime", "TrainingEndTime", "TrainingTimeInSeconds",
                                 "BillableTimeInSeconds"}) {
        EXPECT_FALSE(d.contains(absent)) << absent;
      }
    } else {
      EXPECT_EQ(d["TrainingStartTime"], Ts(e.started));
      EXPECT_EQ(d["TrainingEndTime"], Ts(e.ended));
      // Whole seconds, truncated (22.7 - 6 = 16.7 -> 16).
      const auto seconds = static_cast<int64_t>(e.ended - e.started);
      EXPECT_EQ(d["TrainingTimeInSeconds"], json::value(seconds));
      EXPECT_EQ(d["BillableTimeInSeconds"], json::value(seconds));
    }
    if (e.artifacts) {
      EXPECT_EQ(d["ModelArtifacts"].at("S3ModelArtifacts"),
                json::value("s3://bucket/out/" + std::string(e.name) + "/output/model.tar.gz"));
    } else {
      EXPECT_FALSE(d.contains("ModelArtifacts"));
    }
  }
  EXPECT_EQ(Describe("in-training")["TrainingTimeInSeconds"], json::value(16));
  EXPECT_EQ(scheduler_->pending(), 0u);
}

TEST_F(TrainingJobsTest, StopAndDeleteRejectOtherStatuses) {
  Launch(/*fake_runner=*/true);
  auto rejected = [](const std::string& status) {
    return "The request was rejected because the training job is in status " + status + ".";
  };
  Create("job");
  ExpectError(Call("DeleteTrainingJob", Named("job"), nullptr), "ValidationException",
              rejected("InProgress"));
  ASSERT_TRUE(Do("StopTrainingJob", Named("JOB")).ok());
  ExpectError(Call("StopTrainingJob", Named("job"), nullptr), "ValidationException",
              rejected("Stopping"));
  ExpectError(Call("DeleteTrainingJob", Named("job"), nullptr), "ValidationException",
              rejected("Stopping"));
  AdvanceTo(2);
  ExpectError(Call("StopTrainingJob", Named("job"), nullptr), "ValidationException",
              rejected("Stopped"));

  Create("done");  // at 2 s, with the fake runner: completes when told
  AdvanceTo(14);
  ASSERT_NE(fake_->Find("done"), nullptr);
  fake_->Find("done")->done(TrainingOutcome{});
  AdvanceTo(20);
  ExpectState("done", "Completed", "Completed", kCompleted, 20);
  ExpectError(Call("StopTrainingJob", Named("done"), nullptr), "ValidationException",
              rejected("Completed"));

  Create("failed");
  AdvanceTo(32);
  TrainingOutcome failed;
  failed.failed = true;
  fake_->Find("failed")->done(failed);
  ExpectError(Call("StopTrainingJob", Named("failed"), nullptr), "ValidationException",
              rejected("Failed"));
}

TEST_F(TrainingJobsTest, MaxRuntimeStopsTrainingAndKeepsArtifacts) {
  Launch(/*fake_runner=*/true);
  // The limit counts from TrainingStartTime (6 s): 10 s ends it at 16 s, while training.
  Create("Long", {{"StoppingCondition", json::object{{"MaxRuntimeInSeconds", 10}}}});
  AdvanceTo(15.999);
  ExpectState("Long", "InProgress", "Training", kTraining, 12);
  AdvanceTo(16);
  ExpectState("Long", "Stopping", "Stopping", kStopping, 16);
  EXPECT_EQ(fake_->cancelled, std::vector<std::string>{Arn("long")});
  // The cancelled run's outcome still comes, and changes nothing.
  fake_->Find("Long")->done(TrainingOutcome{});
  ExpectState("Long", "Stopping", "Stopping", kStopping, 16);
  AdvanceTo(18);
  ExpectState("Long", "Stopped", "MaxRuntimeExceeded", kMaxRuntime, 18);
  json::object d = Describe("Long");
  EXPECT_EQ(d["SecondaryStatusTransitions"], json::value(json::array{
                                                 Tr("Starting", 0, 6, kPreparing),
                                                 Tr("Downloading", 6, 9, kDownloadingData),
                                                 Tr("Training", 9, 16, kTraining),
                                                 Tr("Stopping", 16, 18, kStopping),
                                                 Tr("MaxRuntimeExceeded", 18, 18, kMaxRuntime),
                                             }));
  EXPECT_EQ(d["TrainingEndTime"], Ts(18));
  EXPECT_EQ(d["TrainingTimeInSeconds"], json::value(12));
  EXPECT_EQ(d["ModelArtifacts"].at("S3ModelArtifacts"),
            json::value("s3://bucket/out/Long/output/model.tar.gz"));
  EXPECT_FALSE(d.contains("FailureReason"));
  ExpectError(Call("StopTrainingJob", Named("Long"), nullptr), "ValidationException",
              "The request was rejected because the training job is in status Stopped.");
  EXPECT_EQ(scheduler_->pending(), 0u);
}

TEST_F(TrainingJobsTest, MaxRuntimeBeforeTrainingBeginsAndAfterItEnds) {
  Launch();  // the timed runner: training 12-30 s
  // 1 s after TrainingStartTime: still downloading; no runner was started, so no artifacts.
  Create("Short", {{"StoppingCondition", json::object{{"MaxRuntimeInSeconds", 1}}}});
  // 25 s: the limit (31 s) falls in Uploading, after training ended: the job completes.
  Create("Enough", {{"StoppingCondition", json::object{{"MaxRuntimeInSeconds", 25}}}});
  AdvanceTo(7);
  ExpectState("Short", "Stopping", "Stopping", kStopping, 7);
  AdvanceTo(9);
  ExpectState("Short", "Stopped", "MaxRuntimeExceeded", kMaxRuntime, 9);
  json::object d = Describe("Short");
  EXPECT_EQ(d["SecondaryStatusTransitions"], json::value(json::array{
                                                 Tr("Starting", 0, 6, kPreparing),
                                                 Tr("Downloading", 6, 7, kDownloadingData),
                                                 Tr("Stopping", 7, 9, kStopping),
                                                 Tr("MaxRuntimeExceeded", 9, 9, kMaxRuntime),
                                             }));
  EXPECT_FALSE(d.contains("ModelArtifacts"));
  EXPECT_EQ(d["TrainingTimeInSeconds"], json::value(3));
  AdvanceTo(36);
  ExpectState("Enough", "Completed", "Completed", kCompleted, 36);
  ExpectState("Short", "Stopped", "MaxRuntimeExceeded", kMaxRuntime, 9);
}

TEST_F(TrainingJobsTest, LateOutcomeAfterStopIsIgnored) {
  Launch(/*fake_runner=*/true);
  Create("Late");
  AdvanceTo(20);
  ASSERT_TRUE(Do("StopTrainingJob", Named("late")).ok());
  EXPECT_EQ(fake_->cancelled, std::vector<std::string>{Arn("late")});
  AdvanceTo(21);
  fake_->Find("Late")->done(TrainingOutcome{});
  ExpectState("Late", "Stopping", "Stopping", kStopping, 20);
  AdvanceTo(22);
  ExpectState("Late", "Stopped", "Stopped", kStopped, 22);
  TrainingOutcome failed;
  failed.failed = true;
  failed.failure_reason = "too late";
  fake_->Find("Late")->done(failed);
  json::object d = Describe("Late");
  EXPECT_EQ(d["TrainingJobStatus"], json::value("Stopped"));
  EXPECT_FALSE(d.contains("FailureReason"));
  EXPECT_EQ(d["LastModifiedTime"], Ts(22));
  EXPECT_EQ(fake_->runs.size(), 1u);
}

TEST_F(TrainingJobsTest, DeleteOnlyFinishedJobsThenTheNameIsFree) {
  Launch();
  Create("Finished");
  AdvanceTo(36);
  ASSERT_TRUE(Do("DeleteTrainingJob", Named("FINISHED")).ok());
  ExpectState("Finished", "Deleting", "Completed", kCompleted, 36);
  ExpectError(Call("DeleteTrainingJob", Named("finished"), nullptr), "ValidationException",
              "The request was rejected because the training job is in status Deleting.");
  ExpectError(Call("StopTrainingJob", Named("finished"), nullptr), "ValidationException",
              "The request was rejected because the training job is in status Deleting.");
  // Still there, so still taken.
  ExpectError(Call("CreateTrainingJob", WithName("finished"), nullptr), "ResourceInUse",
              "Training job names must be unique within an AWS account and region, and a "
              "training job with this name already exists (" +
                  Arn("finished") + ")");
  EXPECT_EQ(ListNames({{"StatusEquals", "Deleting"}}), std::vector<std::string>{"Finished"});
  AdvanceTo(37.999);
  EXPECT_TRUE(Do("DescribeTrainingJob", Named("Finished")).ok());
  AdvanceTo(38);
  ExpectError(Call("DescribeTrainingJob", Named("Finished"), nullptr), "ValidationException",
              "Requested resource not found.");
  EXPECT_TRUE(ListNames({}).empty());
  EXPECT_TRUE(OnDisk().empty());

  // Stopped jobs can be deleted too; the name can be used again.
  Create("finished");
  ASSERT_TRUE(Do("StopTrainingJob", Named("finished")).ok());
  AdvanceTo(40);
  ASSERT_TRUE(Do("DeleteTrainingJob", Named("finished")).ok());
  AdvanceTo(42);
  EXPECT_TRUE(OnDisk().empty());
  Create("Finished");
  EXPECT_EQ(Describe("finished")["CreationTime"], Ts(42));
}

TEST_F(TrainingJobsTest, DuplicateAndMissingNames) {
  Launch();
  Create("Fraud-Model");
  for (const char* name : {"Fraud-Model", "fraud-model", "FRAUD-MODEL"}) {
    ExpectError(Call("CreateTrainingJob", WithName(name), nullptr), "ResourceInUse",
                "Training job names must be unique within an AWS account and region, and a "
                "training job with this name already exists "
                "(arn:aws:sagemaker:us-west-2:123456789012:training-job/fraud-model)");
  }
  EXPECT_EQ(ListNames({}), std::vector<std::string>{"Fraud-Model"});
  for (const char* op : {"DescribeTrainingJob", "StopTrainingJob", "DeleteTrainingJob"}) {
    ExpectError(Call(op, Named("No-Such-Job"), nullptr), "ValidationException",
                "Requested resource not found.");
  }
  // Other accounts and regions have their own names.
  EXPECT_TRUE(Do("CreateTrainingJob", WithName("fraud-model"), kAcct, "eu-west-1").ok());
  EXPECT_TRUE(Do("CreateTrainingJob", WithName("fraud-model"), "210987654321", kRegion).ok());
  EXPECT_FALSE(
      Call("DescribeTrainingJob", Named("fraud-model"), nullptr, kAcct, "ap-south-1").ok());
  auto other = Do("DescribeTrainingJob", Named("fraud-model"), "210987654321", kRegion);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->at("TrainingJobArn"),
            json::value("arn:aws:sagemaker:us-west-2:210987654321:training-job/fraud-model"));
}

TEST_F(TrainingJobsTest, ListFiltersSortsAndPages) {
  Launch();
  // Created 10 s apart; at 50 s: charlie (0) and Alpha (10) Completed, echo (20) and bravo (40)
  // InProgress (bravo in Training since 49 s), Delta (30) stopped at 45 s, Stopped at 47 s.
  const char* names[] = {"charlie", "Alpha", "echo", "Delta", "bravo"};
  for (size_t i = 0; i < std::size(names); ++i) {
    AdvanceTo(10.0 * i);
    Create(names[i]);
  }
  AdvanceTo(45);
  ASSERT_TRUE(Do("StopTrainingJob", Named("delta")).ok());
  AdvanceTo(50);

  // Default: oldest first.
  EXPECT_EQ(ListNames({}),
            (std::vector<std::string>{"charlie", "Alpha", "echo", "Delta", "bravo"}));
  EXPECT_EQ(ListNames({{"SortOrder", "Descending"}}),
            (std::vector<std::string>{"bravo", "Delta", "echo", "Alpha", "charlie"}));
  EXPECT_EQ(ListNames({{"SortBy", "Name"}, {"SortOrder", "Ascending"}}),
            (std::vector<std::string>{"Alpha", "bravo", "charlie", "Delta", "echo"}));
  // By status, then name.
  EXPECT_EQ(ListNames({{"SortBy", "Status"}, {"SortOrder", "Ascending"}}),
            (std::vector<std::string>{"Alpha", "charlie", "bravo", "echo", "Delta"}));
  EXPECT_EQ(ListNames({{"StatusEquals", "Completed"}}),
            (std::vector<std::string>{"charlie", "Alpha"}));
  EXPECT_EQ(ListNames({{"StatusEquals", "InProgress"}}),
            (std::vector<std::string>{"echo", "bravo"}));
  EXPECT_EQ(ListNames({{"StatusEquals", "Stopped"}}), std::vector<std::string>{"Delta"});
  EXPECT_TRUE(ListNames({{"StatusEquals", "Failed"}}).empty());
  EXPECT_EQ(ListNames({{"NameContains", "HA"}}), (std::vector<std::string>{"charlie", "Alpha"}));
  EXPECT_EQ(ListNames({{"CreationTimeAfter", 1763805610}, {"CreationTimeBefore", 1763805630}}),
            (std::vector<std::string>{"Alpha", "echo"}));
  // No job has a warm pool.
  EXPECT_TRUE(ListNames({{"WarmPoolStatusEquals", "Available"}}).empty());

  // Summaries: the end time only once a job has ended.
  auto list = Do("ListTrainingJobs", json::object{{"NameContains", "a"}, {"MaxResults", 100}});
  ASSERT_TRUE(list.ok());
  const json::array& summaries = list->at("TrainingJobSummaries").as_array();
  ASSERT_EQ(summaries.size(), 4u);  // charlie, Alpha, Delta, bravo
  EXPECT_EQ(summaries[0], json::parse(R"({"TrainingJobName":"charlie",
      "TrainingJobArn":")" + Arn("charlie") +
                                      R"(",
      "CreationTime":1763805600,"TrainingEndTime":1763805636,"LastModifiedTime":1763805636,
      "TrainingJobStatus":"Completed","SecondaryStatus":"Completed"})"));
  EXPECT_EQ(summaries[2], json::parse(R"({"TrainingJobName":"Delta",
      "TrainingJobArn":")" + Arn("delta") +
                                      R"(",
      "CreationTime":1763805630,"TrainingEndTime":1763805647,"LastModifiedTime":1763805647,
      "TrainingJobStatus":"Stopped","SecondaryStatus":"Stopped"})"));
  EXPECT_EQ(summaries[3], json::parse(R"({"TrainingJobName":"bravo",
      "TrainingJobArn":")" + Arn("bravo") +
                                      R"(",
      "CreationTime":1763805640,"LastModifiedTime":1763805649,
      "TrainingJobStatus":"InProgress","SecondaryStatus":"Training"})"));
  EXPECT_FALSE(list->as_object().contains("NextToken"));

  // Two at a time.
  std::vector<std::string> all;
  std::string token;
  int pages = 0;
  do {
    json::object in{{"MaxResults", 2}};
    if (!token.empty()) in["NextToken"] = token;
    auto page = Do("ListTrainingJobs", in);
    ASSERT_TRUE(page.ok());
    for (const auto& s : page->at("TrainingJobSummaries").as_array()) {
      all.push_back(std::string(s.at("TrainingJobName").as_string()));
    }
    const json::object& o = page->as_object();
    token = o.contains("NextToken") ? std::string(o.at("NextToken").as_string()) : "";
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(all, (std::vector<std::string>{"charlie", "Alpha", "echo", "Delta", "bravo"}));
  ExpectError(Call("ListTrainingJobs", json::object{{"NextToken", "garbage"}}, nullptr),
              "ValidationException", "Invalid pagination token.");
}

TEST_F(TrainingJobsTest, NothingIsSavedOrScheduledBeforeTheActionsRun) {
  Launch();
  std::vector<std::function<Status()>> create;
  ASSERT_TRUE(Call("CreateTrainingJob", WithName("Pending"), &create).ok());
  ASSERT_FALSE(create.empty());
  // In memory at once, but neither on disk nor moving until the call is recorded.
  ExpectState("Pending", "InProgress", "Starting", kStartingJob, 0);
  EXPECT_TRUE(OnDisk().empty());
  EXPECT_EQ(scheduler_->pending(), 0u);
  AdvanceTo(5);
  ExpectState("Pending", "InProgress", "Starting", kStartingJob, 0);
  // Read-only calls leave nothing to do (Call checks).
  ASSERT_TRUE(Call("DescribeTrainingJob", Named("pending"), nullptr).ok());
  ASSERT_TRUE(Call("ListTrainingJobs", json::object(), nullptr).ok());

  for (auto& a : create) ASSERT_TRUE(a().ok());
  auto disk = OnDisk();
  ASSERT_EQ(disk.size(), 1u);
  EXPECT_EQ(disk[0].kind, "training-job");
  EXPECT_EQ(disk[0].name, "Pending");
  EXPECT_EQ(disk[0].name_key, "pending");
  EXPECT_EQ(disk[0].arn, Arn("pending"));
  EXPECT_EQ(disk[0].status, "InProgress");
  EXPECT_EQ(disk[0].tags, json::parse(R"([{"Key":"team","Value":"ml"}])"));
  EXPECT_EQ(NextTransition(disk[0]), At(2));
  EXPECT_EQ(scheduler_->pending(), 1u);
  // The overdue steps (2 s and 4 s) run now, in order; each transition saves what it changed.
  scheduler_->RunDue();
  ExpectState("Pending", "InProgress", "Starting", kPreparing, 5);
  disk = OnDisk();
  ASSERT_EQ(disk.size(), 1u);
  EXPECT_EQ(disk[0].body.at("SecondaryStatusTransitions").as_array().back().at("StatusMessage"),
            json::value(kPreparing));
  EXPECT_EQ(NextTransition(disk[0]), At(6));

  // A stop reaches the disk (and its transition the scheduler) only once recorded, too.
  std::vector<std::function<Status()>> stop;
  ASSERT_TRUE(Call("StopTrainingJob", Named("pending"), &stop).ok());
  ASSERT_FALSE(stop.empty());
  EXPECT_EQ(OnDisk()[0].status, "InProgress");
  AdvanceTo(20);
  ExpectState("Pending", "Stopping", "Stopping", kStopping, 5);
  for (auto& a : stop) ASSERT_TRUE(a().ok());
  EXPECT_EQ(OnDisk()[0].status, "Stopping");
  scheduler_->RunDue();
  ExpectState("Pending", "Stopped", "Stopped", kStopped, 20);
  EXPECT_EQ(OnDisk()[0].status, "Stopped");
}

TEST_F(TrainingJobsTest, RestartInStartingResumes) {
  Launch();
  Create("Survivor");
  AdvanceTo(3);
  ExpectState("Survivor", "InProgress", "Starting", kLaunching, 2);
  json::object before = Describe("Survivor");
  Launch();  // a new process on the same store
  EXPECT_EQ(Describe("Survivor"), before);
  AdvanceTo(36);
  ExpectState("Survivor", "Completed", "Completed", kCompleted, 36);
  EXPECT_EQ(Describe("Survivor")["SecondaryStatusTransitions"],
            json::value(json::array{
                Tr("Starting", 0, 6, kPreparing),
                Tr("Downloading", 6, 9, kDownloadingData),
                Tr("Training", 9, 30, kTraining),
                Tr("Uploading", 30, 36, kUploading),
                Tr("Completed", 36, 36, kCompleted),
            }));
}

TEST_F(TrainingJobsTest, RestartInTrainingStartsTheRunnerAgain) {
  Launch();
  Create("Resumed");
  AdvanceTo(20);
  ExpectState("Resumed", "InProgress", "Training", kTraining, 12);
  Launch();  // the old run is gone with the old process
  // At the expected end (30 s) the watchdog finds no run under way and trains again (18 s).
  AdvanceTo(47.999);
  ExpectState("Resumed", "InProgress", "Training", kTraining, 12);
  AdvanceTo(48);
  ExpectState("Resumed", "InProgress", "Uploading", kUploading, 48);
  AdvanceTo(54);
  ExpectState("Resumed", "Completed", "Completed", kCompleted, 54);
  json::object d = Describe("Resumed");
  EXPECT_EQ(d["SecondaryStatusTransitions"].as_array()[2], Tr("Training", 9, 48, kTraining));
  EXPECT_EQ(d["TrainingTimeInSeconds"], json::value(48));
  EXPECT_EQ(scheduler_->pending(), 0u);
}

TEST_F(TrainingJobsTest, RestartAfterLongDowntimeCatchesUp) {
  Launch(/*fake_runner=*/true);
  Create("Sleepy");
  AdvanceTo(13);
  ASSERT_EQ(fake_->runs.size(), 1u);
  Launch(/*fake_runner=*/true);
  EXPECT_TRUE(fake_->runs.empty());
  // Back at 100 s: the overdue watchdog runs at once and hands the job to the new runner.
  clock_.Set(At(100));
  scheduler_->RunDue();
  ASSERT_EQ(fake_->runs.size(), 1u);
  EXPECT_EQ(fake_->runs[0].request.job_name, "Sleepy");
  ExpectState("Sleepy", "InProgress", "Training", kTraining, 12);
  fake_->runs[0].done(TrainingOutcome{});
  ExpectState("Sleepy", "InProgress", "Uploading", kUploading, 100);
  AdvanceTo(106);
  ExpectState("Sleepy", "Completed", "Completed", kCompleted, 106);
}

TEST_F(TrainingJobsTest, RestartWhileStoppingOrDeletingFinishes) {
  Launch();
  Create("Halted");
  Create("Gone");
  AdvanceTo(10);
  ASSERT_TRUE(Do("StopTrainingJob", Named("Gone")).ok());
  AdvanceTo(12);
  ASSERT_TRUE(Do("DeleteTrainingJob", Named("Gone")).ok());  // gone at 14 s
  AdvanceTo(13);
  ASSERT_TRUE(Do("StopTrainingJob", Named("Halted")).ok());  // Stopped at 15 s
  Launch();
  ExpectState("Halted", "Stopping", "Stopping", kStopping, 13);
  EXPECT_EQ(Describe("Gone")["TrainingJobStatus"], json::value("Deleting"));
  AdvanceTo(15);
  ExpectState("Halted", "Stopped", "Stopped", kStopped, 15);
  ExpectError(Call("DescribeTrainingJob", Named("Gone"), nullptr), "ValidationException",
              "Requested resource not found.");
  auto disk = OnDisk();
  ASSERT_EQ(disk.size(), 1u);
  EXPECT_EQ(disk[0].name, "Halted");
  EXPECT_EQ(disk[0].status, "Stopped");
}

}  // namespace
}  // namespace sagetrail::sagemaker
