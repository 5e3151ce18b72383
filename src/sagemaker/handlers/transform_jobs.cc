// SageMaker batch transform jobs: CreateTransformJob, DescribeTransformJob, ListTransformJobs,
// StopTransformJob, and their lifecycle (TransformJobStatus):
//   InProgress --(a quarter of the transform time)--> InProgress with TransformStartTime (the
//                 instances are up and the model serves)
//   InProgress --(the transform time since creation)--> Completed, TransformEndTime set
//   InProgress --StopTransformJob--> Stopping --(stopping time)--> Stopped, TransformEndTime set
// The model a job names must exist when the job is created.
// DescribeTransformJob has no LastModifiedTime but TransformJobSummary does (and ListTransformJobs
// filters on it): the document keeps it and Describe leaves it out.
#include <algorithm>
#include <boost/json.hpp>

#include "aws/protocol/generic_value.h"
#include "common/strings.h"
#include "sagemaker/handler_context.h"

namespace sagetrail::sagemaker {
namespace json = boost::json;
using aws::AwsError;

namespace {

constexpr char kKind[] = "transform-job";

AwsError NotFound(const std::string& name) {
  return AwsError::Validation("Could not find requested job with name " + name);
}

void SetStatus(Resource& r, const std::string& status, TimePoint now) {
  r.status = status;
  r.body["TransformJobStatus"] = status;
  SetLastModified(r, now);
}

Result<json::value, AwsError> CreateTransformJob(HandlerContext& h) {
  const json::value& in = h.input();
  std::string name(*aws::StringField(in, "TransformJobName"));
  std::string model(*aws::StringField(in, "ModelName"));
  std::string arn = h.Arn(kKind, name);
  if (h.Find(kKind, name) != nullptr) {
    return AwsError{"ResourceInUse",
                    "Transform job names must be unique within an AWS account and region, and a "
                    "transform job with this name already exists (" +
                        arn + ")",
                    400, true};
  }
  const Resource* model_resource = h.Find("model", model);
  if (model_resource == nullptr) {
    return AwsError::Validation("Could not find model \"" + h.Arn("model", model) + "\".");
  }
  // The job runs the model's containers under the model's role.
  if (auto role = model_resource->body.find("ExecutionRoleArn");
      role != model_resource->body.end() && role->value().is_string()) {
    if (auto err = h.CheckRole(role->value().get_string())) return *err;
  }
  TimePoint now = h.clock.Now();
  Resource r;
  r.kind = kKind;
  r.name = name;
  r.name_key = AsciiLower(name);
  r.arn = arn;
  r.created = now;
  h.CopyDescribed("DescribeTransformJob", &r.body);
  r.body["TransformJobName"] = name;
  r.body["TransformJobArn"] = arn;
  r.body["CreationTime"] = aws::TimestampValue(now);
  SetStatus(r, "InProgress", now);
  if (const json::value* tags = aws::Field(in, "Tags"); tags && tags->is_array()) {
    r.tags = UniqueTags(tags->get_array());
  }
  h.ScheduleTransition(r, now + h.timings.transform_job / 4);
  h.Save(std::move(r));
  return json::value(json::object{{"TransformJobArn", arn}});
}

Result<json::value, AwsError> DescribeTransformJob(HandlerContext& h) {
  std::string name(*aws::StringField(h.input(), "TransformJobName"));
  const Resource* r = h.Find(kKind, name);
  if (r == nullptr) return NotFound(name);
  json::object out = r->body;
  out.erase("LastModifiedTime");
  return json::value(std::move(out));
}

Result<json::value, AwsError> ListTransformJobs(HandlerContext& h) {
  // The model: SortBy defaults to CreationTime, SortOrder to Descending.
  ListOptions options = ListOptions::FromInput(h.input(), SortBy::kCreationTime, true);
  auto page = h.backend.Table(kKind).List(options);
  if (!page.ok()) return page.error();
  json::array jobs;
  for (const Resource* r : page->items) {
    json::object s{{"TransformJobName", r->name},
                   {"TransformJobArn", r->arn},
                   {"CreationTime", aws::TimestampValue(r->created)}};
    for (const char* member : {"TransformEndTime", "LastModifiedTime", "FailureReason"}) {
      if (auto it = r->body.find(member); it != r->body.end()) s[member] = it->value();
    }
    s["TransformJobStatus"] = r->status;
    jobs.push_back(std::move(s));
  }
  json::object out{{"TransformJobSummaries", std::move(jobs)}};
  if (!page->next_token.empty()) out["NextToken"] = page->next_token;
  return json::value(std::move(out));
}

Result<json::value, AwsError> StopTransformJob(HandlerContext& h) {
  std::string name(*aws::StringField(h.input(), "TransformJobName"));
  Resource* r = h.FindMutable(kKind, name);
  if (r == nullptr) return NotFound(name);
  if (r->status != "InProgress") {
    return AwsError::Validation("The request was rejected because the transform job is in status " +
                                r->status + ".");
  }
  TimePoint now = h.clock.Now();
  SetStatus(*r, "Stopping", now);
  h.ScheduleTransition(*r, now + h.timings.stopping);
  h.Touch(*r);
  return json::value(json::object());
}

void Advance(TransitionContext& tc, Resource& r) {
  if (r.status == "Stopping") {
    r.body["TransformEndTime"] = aws::TimestampValue(tc.now);
    SetStatus(r, "Stopped", tc.now);
    return;
  }
  if (r.status != "InProgress") return;
  if (r.body.find("TransformStartTime") == r.body.end()) {
    r.body["TransformStartTime"] = aws::TimestampValue(tc.now);
    SetLastModified(r, tc.now);
    SetNextTransition(r, std::max(r.created + tc.timings.transform_job, tc.now));
    return;
  }
  r.body["TransformEndTime"] = aws::TimestampValue(tc.now);
  SetStatus(r, "Completed", tc.now);
}

}  // namespace

void RegisterTransformJobHandlers(HandlerTable& handlers, LifecycleTable& lifecycles) {
  handlers["CreateTransformJob"] = CreateTransformJob;
  handlers["DescribeTransformJob"] = DescribeTransformJob;
  handlers["ListTransformJobs"] = ListTransformJobs;
  handlers["StopTransformJob"] = StopTransformJob;
  lifecycles[kKind] = Advance;
}

}  // namespace sagetrail::sagemaker
