// SageMaker processing jobs: CreateProcessingJob, DescribeProcessingJob, ListProcessingJobs,
// StopProcessingJob, and their lifecycle (ProcessingJobStatus):
//   InProgress --(a quarter of the processing time)--> InProgress with ProcessingStartTime (the
//                 instances are up and the container runs)
//   InProgress --(the processing time since creation)--> Completed, ProcessingEndTime set
//   InProgress --(StoppingCondition.MaxRuntimeInSeconds since the start)--> Stopping --> Stopped
//   InProgress --StopProcessingJob--> Stopping --(stopping time)--> Stopped, ProcessingEndTime set
// The model documents the stopping condition as "the processing job is stopped", so a job that
// runs out of time ends Stopped (like a training job), not Failed.
#include <algorithm>
#include <boost/json.hpp>
#include <optional>

#include "aws/protocol/generic_value.h"
#include "common/strings.h"
#include "sagemaker/handler_context.h"

namespace sagetrail::sagemaker {
namespace json = boost::json;
using aws::AwsError;

namespace {

constexpr char kKind[] = "processing-job";

// Where an InProgress job goes next (meta "step"): its start, its end, or its time limit.
constexpr char kStepStart[] = "start";
constexpr char kStepFinish[] = "finish";
constexpr char kStepTimeout[] = "timeout";

AwsError NotFound(const std::string& name) {
  return AwsError::Validation("Could not find requested job with name " + name);
}

void SetStatus(Resource& r, const std::string& status, TimePoint now) {
  r.status = status;
  r.body["ProcessingJobStatus"] = status;
  SetLastModified(r, now);
}

std::string Step(const Resource& r) {
  auto it = r.meta.find("step");
  return it != r.meta.end() && it->value().is_string() ? std::string(it->value().get_string())
                                                       : std::string();
}

std::optional<std::chrono::seconds> MaxRuntime(const Resource& r) {
  auto it = r.body.find("StoppingCondition");
  if (it == r.body.end()) return std::nullopt;
  auto seconds = aws::IntField(it->value(), "MaxRuntimeInSeconds");
  if (!seconds || *seconds <= 0) return std::nullopt;
  return std::chrono::seconds(*seconds);
}

Result<json::value, AwsError> CreateProcessingJob(HandlerContext& h) {
  const json::value& in = h.input();
  std::string name(*aws::StringField(in, "ProcessingJobName"));
  std::string arn = h.Arn(kKind, name);
  if (h.Find(kKind, name) != nullptr) {
    return AwsError{"ResourceInUse",
                    "Processing job names must be unique within an AWS account and region, and a "
                    "processing job with this name already exists (" +
                        arn + ")",
                    400, true};
  }
  TimePoint now = h.clock.Now();
  Resource r;
  r.kind = kKind;
  r.name = name;
  r.name_key = AsciiLower(name);
  r.arn = arn;
  r.created = now;
  h.CopyDescribed("DescribeProcessingJob", &r.body);
  r.body["ProcessingJobName"] = name;
  r.body["ProcessingJobArn"] = arn;
  r.body["CreationTime"] = aws::TimestampValue(now);
  SetStatus(r, "InProgress", now);
  if (const json::value* tags = aws::Field(in, "Tags"); tags && tags->is_array()) {
    r.tags = UniqueTags(tags->get_array());
  }
  r.meta["step"] = kStepStart;
  h.ScheduleTransition(r, now + h.timings.processing_job / 4);
  h.Save(std::move(r));
  return json::value(json::object{{"ProcessingJobArn", arn}});
}

Result<json::value, AwsError> DescribeProcessingJob(HandlerContext& h) {
  std::string name(*aws::StringField(h.input(), "ProcessingJobName"));
  const Resource* r = h.Find(kKind, name);
  if (r == nullptr) return NotFound(name);
  return json::value(r->body);
}

Result<json::value, AwsError> ListProcessingJobs(HandlerContext& h) {
  // The model: SortBy defaults to CreationTime, SortOrder to Ascending.
  ListOptions options = ListOptions::FromInput(h.input(), SortBy::kCreationTime, false);
  auto page = h.backend.Table(kKind).List(options);
  if (!page.ok()) return page.error();
  json::array jobs;
  for (const Resource* r : page->items) {
    json::object s{{"ProcessingJobName", r->name},
                   {"ProcessingJobArn", r->arn},
                   {"CreationTime", aws::TimestampValue(r->created)}};
    for (const char* member :
         {"ProcessingEndTime", "LastModifiedTime", "FailureReason", "ExitMessage"}) {
      if (auto it = r->body.find(member); it != r->body.end()) s[member] = it->value();
    }
    s["ProcessingJobStatus"] = r->status;
    jobs.push_back(std::move(s));
  }
  json::object out{{"ProcessingJobSummaries", std::move(jobs)}};
  if (!page->next_token.empty()) out["NextToken"] = page->next_token;
  return json::value(std::move(out));
}

Result<json::value, AwsError> StopProcessingJob(HandlerContext& h) {
  std::string name(*aws::StringField(h.input(), "ProcessingJobName"));
  Resource* r = h.FindMutable(kKind, name);
  if (r == nullptr) return NotFound(name);
  if (r->status != "InProgress") {
    return AwsError::Validation(
        "The request was rejected because the processing job is in status " + r->status + ".");
  }
  TimePoint now = h.clock.Now();
  SetStatus(*r, "Stopping", now);
  r->meta.erase("step");
  h.ScheduleTransition(*r, now + h.timings.stopping);
  h.Touch(*r);
  return json::value(json::object());
}

void Advance(TransitionContext& tc, Resource& r) {
  if (r.status == "Stopping") {
    r.body["ProcessingEndTime"] = aws::TimestampValue(tc.now);
    SetStatus(r, "Stopped", tc.now);
    return;
  }
  if (r.status != "InProgress") return;
  const std::string step = Step(r);
  if (step == kStepStart) {
    r.body["ProcessingStartTime"] = aws::TimestampValue(tc.now);
    SetLastModified(r, tc.now);
    TimePoint finish = std::max(r.created + tc.timings.processing_job, tc.now);
    std::optional<std::chrono::seconds> limit = MaxRuntime(r);
    if (limit && tc.now + *limit < finish) {
      r.meta["step"] = kStepTimeout;
      SetNextTransition(r, tc.now + *limit);
    } else {
      r.meta["step"] = kStepFinish;
      SetNextTransition(r, finish);
    }
    return;
  }
  r.meta.erase("step");
  if (step == kStepTimeout) {
    SetStatus(r, "Stopping", tc.now);
    SetNextTransition(r, tc.now + tc.timings.stopping);
    return;
  }
  r.body["ProcessingEndTime"] = aws::TimestampValue(tc.now);
  SetStatus(r, "Completed", tc.now);
}

}  // namespace

void RegisterProcessingJobHandlers(HandlerTable& handlers, LifecycleTable& lifecycles) {
  handlers["CreateProcessingJob"] = CreateProcessingJob;
  handlers["DescribeProcessingJob"] = DescribeProcessingJob;
  handlers["ListProcessingJobs"] = ListProcessingJobs;
  handlers["StopProcessingJob"] = StopProcessingJob;
  lifecycles[kKind] = Advance;
}

}  // namespace sagetrail::sagemaker
