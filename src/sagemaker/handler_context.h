// HandlerContext: what a SageMaker operation handler works with: the validated input, the
// account-and-region backend (its mutex held for the handler's duration), time and timings.
// TransitionContext: the same for a lifecycle step that runs when a resource's scheduled
// transition comes due (Creating -> InService, ...).
#pragma once

#include <boost/json/value.hpp>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "aws/authorizer.h"
#include "aws/aws_error.h"
#include "aws/request_context.h"
#include "common/clock.h"
#include "common/result.h"
#include "sagemaker/resource_store.h"
#include "sagemaker/sagemaker_backend.h"
#include "sagemaker/timings.h"

namespace sagetrail::sagemaker {

// The principal SageMaker acts as when it assumes a caller's role.
inline constexpr std::string_view kServicePrincipal = "sagemaker.amazonaws.com";

// The Tags given at creation with each key once: a repeated key keeps its first position and its
// last value, as AddTags would leave it.
boost::json::array UniqueTags(const boost::json::array& tags);

// Marks `r`'s next transition at `at`, starting a new generation (any transition scheduled
// before is now stale).
void SetNextTransition(Resource& r, TimePoint at);
void ClearNextTransition(Resource& r);

struct HandlerContext {
  aws::RequestContext& request;
  SageMakerBackend& backend;
  const Clock& clock;
  const Timings& timings;
  // IAM, for whether SageMaker may assume a role (null in tests that do not check roles).
  const aws::Authorizer* authorizer = nullptr;

  const boost::json::value& input() const { return request.input; }
  const std::string& account_id() const { return backend.account_id(); }
  const std::string& region() const { return backend.region(); }
  std::string Arn(const std::string& kind, const std::string& name) const {
    return MakeArn(region(), account_id(), kind, name);
  }
  // The resource of `kind` named `name` (case-insensitively), or nullptr.
  const Resource* Find(const std::string& kind, std::string_view name) const;
  Resource* FindMutable(const std::string& kind, std::string_view name);

  // Puts `r` in its table now; it is written to disk once the call's audit record is durable.
  const Resource* Save(Resource r);
  // Marks an already stored resource as changed (saved after the call's record, like Save).
  void Touch(const Resource& r);
  // Removes a resource from its table now, and from disk once the call is recorded.
  void Remove(const std::string& kind, std::string name_key);
  // Sets `r`'s next transition; it is scheduled once the call is recorded. Call Touch/Save too.
  void ScheduleTransition(Resource& r, TimePoint at);
  // ValidationException "Could not assume role <arn>. ..." unless SageMaker may assume `role_arn`.
  std::optional<aws::AwsError> CheckRole(std::string_view role_arn) const;
  // Copies into `body` every member of this call's input that `describe_operation`'s output
  // also has (the settings a Describe call echoes back), as given. Members the caller sent that
  // are not in the operation's input shape are never copied.
  void CopyDescribed(std::string_view describe_operation, boost::json::object* body) const;

  // Resources this call changed, and transitions it started (see RequestContext::after_audit).
  std::vector<std::pair<std::string, std::string>> dirty;  // (kind, name_key)
  struct Scheduled {
    std::string kind, name_key;
    TimePoint at;
    int64_t generation;
  };
  std::vector<Scheduled> scheduled;
};

struct TransitionContext {
  SageMakerBackend& backend;
  const Clock& clock;
  const Timings& timings;
  TimePoint now;
  bool erase = false;  // set by a step after which the resource is gone (Deleting is over)

  const std::string& account_id() const { return backend.account_id(); }
  const std::string& region() const { return backend.region(); }
  const Resource* Find(const std::string& kind, std::string_view name) const;
  std::string Arn(const std::string& kind, const std::string& name) const {
    return MakeArn(region(), account_id(), kind, name);
  }
};

using Handler = std::function<Result<boost::json::value, aws::AwsError>(HandlerContext&)>;
using HandlerTable = std::unordered_map<std::string, Handler>;
// The next step of one resource kind's lifecycle, run when its transition comes due. It
// updates the resource (status, times) and calls SetNextTransition for the step after, if any.
using Lifecycle = std::function<void(TransitionContext&, Resource&)>;
using LifecycleTable = std::unordered_map<std::string, Lifecycle>;

// Runs `step` on one stored resource outside any API call (a runner's completion), then saves it
// and schedules its next transition; false if the resource is gone. SageMakerService::Update.
using ResourceUpdater = std::function<bool(
    const std::string& account_id, const std::string& region, const std::string& kind,
    const std::string& name_key, const std::function<void(TransitionContext&, Resource&)>& step)>;

class TrainingRunner;

// Each resource family registers its operations (and lifecycles), one file each in handlers/.
void RegisterModelHandlers(HandlerTable& handlers);
void RegisterEndpointConfigHandlers(HandlerTable& handlers);
void RegisterEndpointHandlers(HandlerTable& handlers, LifecycleTable& lifecycles);
void RegisterTrainingJobHandlers(HandlerTable& handlers, LifecycleTable& lifecycles,
                                 TrainingRunner& runner, ResourceUpdater update);
void RegisterNotebookInstanceHandlers(HandlerTable& handlers, LifecycleTable& lifecycles);
void RegisterNotebookLifecycleConfigHandlers(HandlerTable& handlers);
void RegisterProcessingJobHandlers(HandlerTable& handlers, LifecycleTable& lifecycles);
void RegisterTransformJobHandlers(HandlerTable& handlers, LifecycleTable& lifecycles);
void RegisterTagHandlers(HandlerTable& handlers);

// Sets LastModifiedTime in a Describe document.
void SetLastModified(Resource& r, TimePoint t);

}  // namespace sagetrail::sagemaker
