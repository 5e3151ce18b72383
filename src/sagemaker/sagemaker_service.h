// SageMakerService: the SageMaker control plane. Operations are dispatched to handlers
// registered per resource family (handlers/*.cc); each runs with its account-and-region backend
// locked. Resources with a lifecycle move on when their scheduled transition comes due (the
// Scheduler, driven by the Clock), through the family's Lifecycle step. Operations without a
// handler are still routed, validated and recorded, and answer NotImplemented naming the
// operation. Thread-safe.
//
// Durability: a call's changes (the resources it touched, as they are after it) are committed
// with its record in one batch (RequestContext::mutations), at the place in the log the call
// takes while the backend is still locked; its transitions are scheduled once that is durable.
// Lifecycle steps commit what they change the same way. On start every stored resource is
// loaded and every pending transition scheduled again, so a restart resumes lifecycles where
// they were.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "aws/authorizer.h"
#include "aws/backend_map.h"
#include "aws/internal_invoker.h"
#include "aws/service.h"
#include "common/clock.h"
#include "common/scheduler.h"
#include "sagemaker/handler_context.h"
#include "sagemaker/resource_store.h"
#include "sagemaker/sagemaker_backend.h"
#include "sagemaker/timings.h"
#include "sagemaker/training_runner.h"

namespace sagetrail::sagemaker {

class SageMakerService final : public aws::Service {
 public:
  // `runner` trains training jobs (null: a TimedTrainingRunner taking timings.training_job's
  // Training share).
  // Loads every resource from `state`; commits lifecycle steps through `commits` (API calls
  // commit through the pipeline's sink, RequestContext::audit).
  static Result<std::unique_ptr<SageMakerService>> Create(
      const store::StateReader& state, aws::AuditSink& commits, const Clock& clock,
      Scheduler& scheduler, Timings timings = {}, std::unique_ptr<TrainingRunner> runner = nullptr);

  std::string_view name() const override { return "sagemaker"; }
  bool Implements(std::string_view operation) const override;
  // A presigned URL's token is a credential: records show it hidden.
  bool HidesOutputMember(std::string_view, std::string_view member) const override {
    return member == "AuthorizedUrl";
  }
  // Every resource name member and ResourceArn, resolved to the stored resource (its name as
  // created; the ARN's name part is lower-case whatever the spelling).
  std::vector<aws::CallResource> ResolveResources(const aws::RequestContext& ctx) const override;
  // The call's resource, and every role ARN it carries (shape "RoleArn") as passed to
  // sagemaker.amazonaws.com.
  aws::AccessRequest AccessFor(const aws::RequestContext& ctx) const override;
  Result<boost::json::value, aws::AwsError> Invoke(aws::RequestContext& ctx) override;

  // IAM, asked whether SageMaker may assume the roles a call hands it (a role that does not
  // exist or does not trust sagemaker.amazonaws.com fails the call). Null: not checked.
  void SetAuthorizer(const aws::Authorizer* authorizer) { authorizer_ = authorizer; }

  // Where SageMaker's own calls go (a tuning job starting and stopping its training jobs): the
  // pipeline's internal entry. Null: none can be made.
  void SetInternalInvoker(aws::InternalInvoker* invoker) { internal_ = invoker; }
  // Calls one of SageMaker's operations as sagemaker.amazonaws.com in `account_id`/`region`,
  // recorded as an AwsServiceEvent carrying `details` and committed like any call; `done` gets
  // the outcome once it is durable. Never call it with a backend locked.
  void CallAsService(const std::string& account_id, const std::string& region,
                     std::string operation, boost::json::value input, boost::json::value details,
                     std::function<void(aws::InternalResult)> done);

  SageMakerBackend& Backend(const std::string& account_id, const std::string& region) {
    return backends_.Get(account_id, region);
  }

  // Runs `step` on one resource outside any API call (a transition, a runner's completion),
  // then saves it and schedules its next transition. Returns false if the resource is gone.
  bool Update(const std::string& account_id, const std::string& region, const std::string& kind,
              const std::string& name_key,
              const std::function<void(TransitionContext&, Resource&)>& step);

 private:
  SageMakerService(const store::StateReader& state, aws::AuditSink& commits, const Clock& clock,
                   Scheduler& scheduler, Timings timings, std::unique_ptr<TrainingRunner> runner);
  // A scheduled transition of generation `generation` came due.
  void Fire(const std::string& account_id, const std::string& region, const std::string& kind,
            const std::string& name_key, int64_t generation);
  void Schedule(const std::string& account_id, const std::string& region, const std::string& kind,
                const std::string& name_key, TimePoint at, int64_t generation);
  // The durable form of the resources in `dirty` as they are now (the backend locked).
  static store::Mutations Snapshot(const SageMakerBackend& backend,
                                   const std::vector<std::pair<std::string, std::string>>& dirty);

  ResourceStore store_;
  aws::AuditSink& commits_;
  const aws::Authorizer* authorizer_ = nullptr;
  aws::InternalInvoker* internal_ = nullptr;
  const Clock& clock_;
  Scheduler& scheduler_;
  Timings timings_;
  std::unique_ptr<TrainingRunner> runner_;
  aws::BackendMap<SageMakerBackend> backends_;
  HandlerTable handlers_;
  LifecycleTable lifecycles_;
};

}  // namespace sagetrail::sagemaker
