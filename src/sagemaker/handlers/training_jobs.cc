// SageMaker training jobs: CreateTrainingJob, DescribeTrainingJob, ListTrainingJobs,
// StopTrainingJob, DeleteTrainingJob, and their lifecycle (TrainingJobStatus/SecondaryStatus,
// the StatusMessage of the current SecondaryStatusTransitions entry, the share of
// timings.training_job each part takes):
//   InProgress/Starting    "Starting the training job" -> "Launching requested ML instances"
//                          -> "Preparing the instances for training"                  (1/6)
//   InProgress/Downloading "Downloading input data"; TrainingStartTime                (1/12)
//   InProgress/Training    "Downloading the training image"                           (1/12)
//                          -> "Training image download completed. Training in progress.": the
//                          TrainingRunner trains, as long as it takes
//   InProgress/Uploading   "Uploading generated training model"; ModelArtifacts       (1/6)
//   Completed/Completed    "Training job completed"
//   Failed/Failed          "Training job failed", FailureReason from the runner
//   InProgress --StopTrainingJob--> Stopping/Stopping --(stopping)--> Stopped/Stopped
//   InProgress MaxRuntimeInSeconds after TrainingStartTime, before Uploading --> Stopping/Stopping
//                          --(stopping)--> Stopped/MaxRuntimeExceeded
//   Completed/Failed/Stopped --DeleteTrainingJob--> Deleting --(stopping)--> gone
// A job stopped after its training began keeps its artifacts (the algorithm saves the model on
// SIGTERM), so ModelArtifacts is set then too; a failed job, or one stopped earlier, has none.
//
// Each pending transition is stored with the job (meta "next_at" plus "next", the step it
// takes), so a restart resumes it. The Training phase has no transition of its own (the runner's
// outcome ends it), so it keeps a watchdog one: due when the default runner would be done, it
// starts the runner again if no run of this process is under way (after a restart), else it
// re-arms. Each run has an id (meta "run"); outcomes of any other run, or arriving after the job
// left Training, are ignored.
#include <algorithm>
#include <boost/json.hpp>
#include <memory>
#include <mutex>
#include <set>

#include "aws/protocol/generic_value.h"
#include "common/strings.h"
#include "sagemaker/handler_context.h"
#include "sagemaker/training_runner.h"

namespace sagetrail::sagemaker {
namespace json = boost::json;
using aws::AwsError;
using std::chrono::milliseconds;

namespace {

constexpr char kKind[] = "training-job";
constexpr int64_t kDefaultMaxRuntimeSeconds = 86400;

// StatusMessage texts.
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
constexpr char kMaxRuntimeExceeded[] = "Training job runtime exceeded MaxRuntimeInSeconds provided";

// The steps a pending transition takes (meta "next").
constexpr char kStepLaunch[] = "launch";
constexpr char kStepPrepare[] = "prepare";
constexpr char kStepDownload[] = "download";
constexpr char kStepImage[] = "image";
constexpr char kStepTrain[] = "train";
constexpr char kStepWatchdog[] = "watchdog";
constexpr char kStepComplete[] = "complete";
constexpr char kStepMaxRuntime[] = "max-runtime";
constexpr char kStepStopped[] = "stopped";
constexpr char kStepDeleted[] = "deleted";

// How long each part of the lifecycle takes (see the table at the top).
struct Phases {
  milliseconds starting, downloading, image, uploading, watchdog;
};

Phases PhasesOf(const Timings& t) {
  milliseconds sixth = t.training_job / 6;
  // The default runner trains for half the job's time; never re-arm more often than each second.
  milliseconds watchdog = std::max<milliseconds>(t.training_job / 2, std::chrono::seconds(1));
  return {sixth, sixth / 2, sixth - sixth / 2, sixth, watchdog};
}

AwsError NotFound() { return AwsError::Validation("Requested resource not found."); }

AwsError WrongStatus(const Resource& r) {
  return AwsError::Validation("The request was rejected because the training job is in status " +
                              r.status + ".");
}

int64_t MetaInt(const Resource& r, std::string_view key) {
  auto it = r.meta.find(key);
  return it != r.meta.end() && it->value().is_int64() ? it->value().get_int64() : 0;
}

std::optional<TimePoint> MetaTime(const Resource& r, std::string_view key) {
  auto it = r.meta.find(key);
  if (it == r.meta.end() || !it->value().is_int64()) return std::nullopt;
  return FromUnixMillis(it->value().get_int64());
}

std::string MetaString(const Resource& r, std::string_view key) {
  auto it = r.meta.find(key);
  return it != r.meta.end() && it->value().is_string() ? std::string(it->value().get_string())
                                                       : std::string();
}

std::string SecondaryStatus(const Resource& r) {
  return std::string(aws::StringField(r.body, "SecondaryStatus").value_or(""));
}

json::array& Transitions(Resource& r) {
  json::value& v = r.body["SecondaryStatusTransitions"];
  if (!v.is_array()) v = json::array();
  return v.get_array();
}

// Ends the current secondary status and starts `status` with `message`.
void EnterPhase(Resource& r, TimePoint now, const char* status, const char* message) {
  json::array& transitions = Transitions(r);
  if (!transitions.empty() && transitions.back().is_object()) {
    transitions.back().get_object()["EndTime"] = aws::TimestampValue(now);
  }
  transitions.push_back(json::object{
      {"Status", status}, {"StartTime", aws::TimestampValue(now)}, {"StatusMessage", message}});
  r.body["SecondaryStatus"] = status;
  r.meta["phase_start"] = ToUnixMillis(now);
  SetLastModified(r, now);
}

// Progress within the current secondary status.
void SetMessage(Resource& r, TimePoint now, const char* message) {
  json::array& transitions = Transitions(r);
  if (!transitions.empty() && transitions.back().is_object()) {
    transitions.back().get_object()["StatusMessage"] = message;
  }
  SetLastModified(r, now);
}

void SetStatus(Resource& r, const char* status) {
  r.status = status;
  r.body["TrainingJobStatus"] = status;
}

// <S3OutputPath without trailing slashes>/<TrainingJobName>/output/model.tar.gz
void SetModelArtifacts(Resource& r) {
  std::string_view prefix = "";
  if (auto it = r.body.find("OutputDataConfig"); it != r.body.end()) {
    prefix = aws::StringField(it->value(), "S3OutputPath").value_or("");
  }
  while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
  r.body["ModelArtifacts"] = json::object{
      {"S3ModelArtifacts", std::string(prefix) + "/" + r.name + "/output/model.tar.gz"}};
}

// Moves to a terminal status: the last transition ends when it starts, and a job whose training
// had started gets its end time and the whole seconds it trained (and is billed for).
void Finish(Resource& r, TimePoint now, const char* status, const char* secondary,
            const char* message) {
  EnterPhase(r, now, secondary, message);
  Transitions(r).back().get_object()["EndTime"] = aws::TimestampValue(now);
  SetStatus(r, status);
  ClearNextTransition(r);
  r.meta.erase("next");
  if (auto started = MetaTime(r, "training_start")) {
    r.body["TrainingEndTime"] = aws::TimestampValue(now);
    int64_t seconds = std::chrono::duration_cast<std::chrono::seconds>(now - *started).count();
    r.body["TrainingTimeInSeconds"] = seconds;
    r.body["BillableTimeInSeconds"] = seconds;
  }
}

// Sets the next transition: step `next` at `at`, unless the job's MaxRuntimeInSeconds deadline
// comes first and `bounded` (training has not ended yet).
void Plan(Resource& r, TimePoint at, const char* next, bool bounded) {
  if (auto deadline = MetaTime(r, "deadline"); bounded && deadline && *deadline < at) {
    at = *deadline;
    next = kStepMaxRuntime;
  }
  r.meta["next"] = next;
  SetNextTransition(r, at);
}

// Drops from `body` what CreateTrainingJob's input cannot hold: CopyDescribed copies any member
// the Describe output has, and unmodeled members pass validation, so a client could otherwise
// set TrainingJobStatus, ModelArtifacts, ... by sending them.
void KeepCreateMembers(const HandlerContext& h, json::object* body) {
  const aws::Operation* op = h.request.operation;
  if (op == nullptr || op->input == aws::kNoShape) {
    body->clear();
    return;
  }
  const std::vector<aws::Member>& members = h.request.service->shape(op->input).members;
  for (auto it = body->begin(); it != body->end();) {
    bool modeled = std::any_of(members.begin(), members.end(),
                               [&](const aws::Member& m) { return m.name == it->key(); });
    it = modeled ? std::next(it) : body->erase(it);
  }
}

int64_t MaxRuntimeSeconds(const json::object& body) {
  auto it = body.find("StoppingCondition");
  if (it == body.end()) return kDefaultMaxRuntimeSeconds;
  return aws::IntField(it->value(), "MaxRuntimeInSeconds").value_or(kDefaultMaxRuntimeSeconds);
}

// The runner, and which runs this process has under way.
class TrainingJobs : public std::enable_shared_from_this<TrainingJobs> {
 public:
  TrainingJobs(TrainingRunner& runner, ResourceUpdater update)
      : runner_(runner), update_(std::move(update)) {}

  void Advance(TransitionContext& tc, Resource& r);
  Result<json::value, AwsError> Stop(HandlerContext& h);

 private:
  static std::string RunKey(const std::string& arn, int64_t run) {
    return arn + "#" + std::to_string(run);
  }
  bool Live(const std::string& arn, int64_t run) {
    std::lock_guard<std::mutex> l(mu_);
    return live_.count(RunKey(arn, run)) != 0;
  }
  void EndRun(const std::string& arn, int64_t run) {
    std::lock_guard<std::mutex> l(mu_);
    live_.erase(RunKey(arn, run));
  }

  // Hands the job to the runner as a new run.
  void StartRun(TransitionContext& tc, Resource& r);
  // The runner's outcome for run `run` (ignored unless that run is the job's current training).
  void OnOutcome(TransitionContext& tc, Resource& r, int64_t run, const TrainingOutcome& outcome);
  // InProgress -> Stopping, for StopTrainingJob or the runtime limit.
  void BeginStopping(Resource& r, TimePoint now, const char* reason);

  TrainingRunner& runner_;
  ResourceUpdater update_;
  std::mutex mu_;
  std::set<std::string> live_;  // RunKey of each run started here whose outcome is pending
};

void TrainingJobs::StartRun(TransitionContext& tc, Resource& r) {
  int64_t run = MetaInt(r, "run") + 1;
  r.meta["run"] = run;
  {
    std::lock_guard<std::mutex> l(mu_);
    live_.insert(RunKey(r.arn, run));
  }
  TrainingRequest request{tc.account_id(), tc.region(), r.name, r.arn, r.body};
  runner_.Start(
      request, [self = shared_from_this(), account = tc.account_id(), region = tc.region(),
                key = r.name_key, arn = r.arn, run](TrainingOutcome outcome) {
        bool found = self->update_(
            account, region, kKind, key,
            [&](TransitionContext& tc, Resource& job) { self->OnOutcome(tc, job, run, outcome); });
        if (!found) self->EndRun(arn, run);
      });
}

void TrainingJobs::OnOutcome(TransitionContext& tc, Resource& r, int64_t run,
                             const TrainingOutcome& outcome) {
  EndRun(r.arn, run);
  if (r.status != "InProgress" || SecondaryStatus(r) != "Training" || MetaInt(r, "run") != run) {
    return;  // stopped meanwhile, or a run that was given up on
  }
  if (!outcome.final_metrics.empty()) r.body["FinalMetricDataList"] = outcome.final_metrics;
  if (outcome.failed) {
    r.body["FailureReason"] =
        outcome.failure_reason.empty() ? std::string(kFailed) : outcome.failure_reason;
    Finish(r, tc.now, "Failed", "Failed", kFailed);
    return;
  }
  EnterPhase(r, tc.now, "Uploading", kUploading);
  SetModelArtifacts(r);
  Plan(r, tc.now + PhasesOf(tc.timings).uploading, kStepComplete, false);
}

void TrainingJobs::BeginStopping(Resource& r, TimePoint now, const char* reason) {
  if (int64_t run = MetaInt(r, "run"); run > 0 && SecondaryStatus(r) == "Training") {
    runner_.Cancel(r.arn);
    EndRun(r.arn, run);
  }
  SetStatus(r, "Stopping");
  EnterPhase(r, now, "Stopping", kStopping);
  r.meta["stop_reason"] = reason;
}

void TrainingJobs::Advance(TransitionContext& tc, Resource& r) {
  std::string step = MetaString(r, "next");
  r.meta.erase("next");
  const TimePoint now = tc.now;
  const Phases phases = PhasesOf(tc.timings);
  const TimePoint phase_start = MetaTime(r, "phase_start").value_or(now);
  if (step == kStepLaunch) {
    SetMessage(r, now, kLaunching);
    Plan(r, phase_start + phases.starting * 2 / 3, kStepPrepare, false);
  } else if (step == kStepPrepare) {
    SetMessage(r, now, kPreparing);
    Plan(r, phase_start + phases.starting, kStepDownload, false);
  } else if (step == kStepDownload) {
    // The instances are up: training time (and the runtime limit) starts now.
    EnterPhase(r, now, "Downloading", kDownloadingData);
    r.body["TrainingStartTime"] = aws::TimestampValue(now);
    r.meta["training_start"] = ToUnixMillis(now);
    r.meta["deadline"] = ToUnixMillis(now + std::chrono::seconds(MaxRuntimeSeconds(r.body)));
    Plan(r, now + phases.downloading, kStepImage, true);
  } else if (step == kStepImage) {
    EnterPhase(r, now, "Training", kDownloadingImage);
    Plan(r, now + phases.image, kStepTrain, true);
  } else if (step == kStepTrain) {
    SetMessage(r, now, kTraining);
    StartRun(tc, r);
    Plan(r, now + phases.watchdog, kStepWatchdog, true);
  } else if (step == kStepWatchdog) {
    // No run of this process under way means the server restarted while the job trained.
    if (!Live(r.arn, MetaInt(r, "run"))) StartRun(tc, r);
    Plan(r, now + phases.watchdog, kStepWatchdog, true);
  } else if (step == kStepComplete) {
    Finish(r, now, "Completed", "Completed", kCompleted);
  } else if (step == kStepMaxRuntime) {
    BeginStopping(r, now, kStepMaxRuntime);
    Plan(r, now + tc.timings.stopping, kStepStopped, false);
  } else if (step == kStepStopped) {
    bool max_runtime = MetaString(r, "stop_reason") == kStepMaxRuntime;
    Finish(r, now, "Stopped", max_runtime ? "MaxRuntimeExceeded" : "Stopped",
           max_runtime ? kMaxRuntimeExceeded : kStopped);
    if (MetaInt(r, "run") > 0) SetModelArtifacts(r);
  } else if (step == kStepDeleted) {
    tc.erase = true;
  }
}

Result<json::value, AwsError> TrainingJobs::Stop(HandlerContext& h) {
  Resource* r = h.FindMutable(kKind, *aws::StringField(h.input(), "TrainingJobName"));
  if (r == nullptr) return NotFound();
  if (r->status != "InProgress") return WrongStatus(*r);
  TimePoint now = h.clock.Now();
  BeginStopping(*r, now, "user");
  r->meta["next"] = kStepStopped;
  h.ScheduleTransition(*r, now + h.timings.stopping);
  h.Touch(*r);
  return json::value(json::object());
}

Result<json::value, AwsError> CreateTrainingJob(HandlerContext& h) {
  const json::value& in = h.input();
  std::string name(*aws::StringField(in, "TrainingJobName"));
  std::string arn = h.Arn(kKind, name);
  if (h.Find(kKind, name) != nullptr) {
    return AwsError{"ResourceInUse",
                    "Training job names must be unique within an AWS account and region, and a "
                    "training job with this name already exists (" +
                        arn + ")",
                    400};
  }
  TimePoint now = h.clock.Now();
  Resource r;
  r.kind = kKind;
  r.name = name;
  r.name_key = AsciiLower(name);
  r.arn = arn;
  r.created = now;
  json::object& b = r.body;
  h.CopyDescribed("DescribeTrainingJob", &b);
  KeepCreateMembers(h, &b);
  b["TrainingJobName"] = name;
  b["TrainingJobArn"] = arn;
  json::value& stopping = b["StoppingCondition"];
  if (!stopping.is_object()) stopping = json::object();
  if (!stopping.get_object().contains("MaxRuntimeInSeconds")) {
    stopping.get_object()["MaxRuntimeInSeconds"] = kDefaultMaxRuntimeSeconds;
  }
  for (const char* flag : {"EnableNetworkIsolation", "EnableInterContainerTrafficEncryption",
                           "EnableManagedSpotTraining"}) {
    if (!b.contains(flag)) b[flag] = false;
  }
  b["CreationTime"] = aws::TimestampValue(now);
  SetStatus(r, "InProgress");
  EnterPhase(r, now, "Starting", kStartingJob);
  if (const json::value* tags = aws::Field(in, "Tags"); tags && tags->is_array()) {
    r.tags = UniqueTags(tags->get_array());
  }
  r.meta["next"] = kStepLaunch;
  h.ScheduleTransition(r, now + PhasesOf(h.timings).starting / 3);
  h.Save(std::move(r));
  return json::value(json::object{{"TrainingJobArn", arn}});
}

Result<json::value, AwsError> DescribeTrainingJob(HandlerContext& h) {
  const Resource* r = h.Find(kKind, *aws::StringField(h.input(), "TrainingJobName"));
  if (r == nullptr) return NotFound();
  return json::value(r->body);
}

Result<json::value, AwsError> ListTrainingJobs(HandlerContext& h) {
  json::object out{{"TrainingJobSummaries", json::array()}};
  // Warm pools are not simulated: no job has a WarmPoolStatus to match.
  if (aws::StringField(h.input(), "WarmPoolStatusEquals")) return json::value(std::move(out));
  ListOptions options = ListOptions::FromInput(h.input(), SortBy::kCreationTime, false);
  auto page = h.backend.Table(kKind).List(options);
  if (!page.ok()) return page.error();
  json::array& summaries = out["TrainingJobSummaries"].get_array();
  for (const Resource* r : page->items) {
    json::object s{{"TrainingJobName", r->name},
                   {"TrainingJobArn", r->arn},
                   {"CreationTime", aws::TimestampValue(r->created)}};
    for (const char* member : {"TrainingEndTime", "LastModifiedTime"}) {
      if (auto it = r->body.find(member); it != r->body.end()) s[member] = it->value();
    }
    s["TrainingJobStatus"] = r->status;
    s["SecondaryStatus"] = SecondaryStatus(*r);
    summaries.push_back(std::move(s));
  }
  if (!page->next_token.empty()) out["NextToken"] = page->next_token;
  return json::value(std::move(out));
}

Result<json::value, AwsError> DeleteTrainingJob(HandlerContext& h) {
  Resource* r = h.FindMutable(kKind, *aws::StringField(h.input(), "TrainingJobName"));
  if (r == nullptr) return NotFound();
  if (r->status != "Completed" && r->status != "Failed" && r->status != "Stopped") {
    return WrongStatus(*r);
  }
  TimePoint now = h.clock.Now();
  SetStatus(*r, "Deleting");
  SetLastModified(*r, now);
  r->meta["next"] = kStepDeleted;
  h.ScheduleTransition(*r, now + h.timings.stopping);
  h.Touch(*r);
  return json::value(json::object());
}

}  // namespace

void RegisterTrainingJobHandlers(HandlerTable& handlers, LifecycleTable& lifecycles,
                                 TrainingRunner& runner, ResourceUpdater update) {
  auto jobs = std::make_shared<TrainingJobs>(runner, std::move(update));
  handlers["CreateTrainingJob"] = CreateTrainingJob;
  handlers["DescribeTrainingJob"] = DescribeTrainingJob;
  handlers["ListTrainingJobs"] = ListTrainingJobs;
  handlers["StopTrainingJob"] = [jobs](HandlerContext& h) { return jobs->Stop(h); };
  handlers["DeleteTrainingJob"] = DeleteTrainingJob;
  lifecycles[kKind] = [jobs](TransitionContext& tc, Resource& r) { jobs->Advance(tc, r); };
}

}  // namespace sagetrail::sagemaker
