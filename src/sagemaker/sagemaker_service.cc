#include "sagemaker/sagemaker_service.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <set>

#include "aws/protocol/generic_value.h"
#include "aws/resource_arns.h"
#include "common/strings.h"

namespace sagetrail::sagemaker {
namespace json = boost::json;

SageMakerService::SageMakerService(const store::StateReader& state, aws::AuditSink& commits,
                                   const Clock& clock, Scheduler& scheduler, Timings timings,
                                   std::unique_ptr<TrainingRunner> runner)
    : store_(state),
      commits_(commits),
      clock_(clock),
      scheduler_(scheduler),
      timings_(timings),
      runner_(std::move(runner)),
      backends_([](const std::string& account_id, const std::string& region) {
        return std::make_unique<SageMakerBackend>(account_id, region);
      }) {
  if (runner_ == nullptr) {
    // Training takes half of a training job's time; the other phases share the rest.
    runner_ = std::make_unique<TimedTrainingRunner>(scheduler_, clock_, timings_.training_job / 2);
  }
  ResourceUpdater update = [this](const std::string& account_id, const std::string& region,
                                  const std::string& kind, const std::string& name_key,
                                  const std::function<void(TransitionContext&, Resource&)>& step) {
    return Update(account_id, region, kind, name_key, step);
  };
  RegisterModelHandlers(handlers_);
  RegisterEndpointConfigHandlers(handlers_);
  RegisterEndpointHandlers(handlers_, lifecycles_);
  RegisterTrainingJobHandlers(handlers_, lifecycles_, *runner_, update);
  RegisterNotebookInstanceHandlers(handlers_, lifecycles_);
  RegisterNotebookLifecycleConfigHandlers(handlers_);
  RegisterProcessingJobHandlers(handlers_, lifecycles_);
  RegisterTransformJobHandlers(handlers_, lifecycles_);
  RegisterTagHandlers(handlers_);
}

Result<std::unique_ptr<SageMakerService>> SageMakerService::Create(
    const store::StateReader& state, aws::AuditSink& commits, const Clock& clock,
    Scheduler& scheduler, Timings timings, std::unique_ptr<TrainingRunner> runner) {
  auto service = std::unique_ptr<SageMakerService>(
      new SageMakerService(state, commits, clock, scheduler, timings, std::move(runner)));
  struct Pending {
    std::string account_id, region, kind, name_key;
    TimePoint at;
    int64_t generation;
  };
  std::vector<Pending> pending;
  Status s = service->store_.ForEach(
      [&](const std::string& account_id, const std::string& region, Resource r) {
        if (auto at = NextTransition(r)) {
          pending.push_back({account_id, region, r.kind, r.name_key, *at, TransitionGeneration(r)});
        }
        SageMakerBackend& b = service->backends_.Get(account_id, region);
        std::lock_guard<std::mutex> l(b.mutex());
        std::string kind = r.kind;
        b.Table(kind).Put(std::move(r));
      });
  if (!s.ok()) return s;
  // Lifecycles resume where they were; transitions already overdue run at once, in order.
  for (const Pending& p : pending) {
    service->Schedule(p.account_id, p.region, p.kind, p.name_key, p.at, p.generation);
  }
  return service;
}

bool SageMakerService::Implements(std::string_view operation) const {
  return handlers_.count(std::string(operation)) != 0;
}

namespace {

// Calls that only read: they hand no role to SageMaker, whatever their input holds.
bool Reads(std::string_view op) {
  for (std::string_view prefix : {"Describe", "List", "Get", "Search", "BatchDescribe"}) {
    if (op.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

std::vector<aws::ShapeValue> RolesOf(const aws::RequestContext& ctx) {
  if (ctx.operation == nullptr || Reads(ctx.operation->name)) return {};
  return aws::ValuesOfShape(*ctx.service, ctx.operation->input, ctx.input, "RoleArn");
}

}  // namespace

std::vector<aws::CallResource> SageMakerService::ResolveResources(
    const aws::RequestContext& ctx) const {
  std::vector<aws::CallResource> out;
  const SageMakerBackend* backend = backends_.Find(ctx.account_id, ctx.region);
  std::unique_lock<std::mutex> lock;
  if (backend != nullptr) lock = std::unique_lock<std::mutex>(backend->mutex());
  auto add = [&](const ResourceKind& kind, std::string_view name, const std::string& key) {
    const Resource* stored = backend ? backend->Table(std::string(kind.kind)).Find(key) : nullptr;
    if (stored != nullptr) {
      out.push_back({std::string(kind.type), stored->name, stored->arn});
    } else {
      out.push_back({std::string(kind.type), std::string(name),
                     MakeArn(ctx.region, ctx.account_id, std::string(kind.kind), key)});
    }
  };
  // Only members the operation's input defines name resources: an extra member (SageMaker
  // ignores unknown ones) must not choose what the call is authorized and recorded against.
  if (ctx.operation == nullptr || ctx.service == nullptr) return out;
  const aws::Shape& input = ctx.service->shape(ctx.operation->input);
  auto defined = [&](std::string_view member) { return input.FindMember(member) != nullptr; };
  for (const ResourceKind& kind : ResourceKinds()) {
    if (!defined(kind.name_member)) continue;
    if (auto name = aws::StringField(ctx.input, kind.name_member)) {
      add(kind, *name, AsciiLower(*name));
    }
  }
  if (auto arn =
          defined("ResourceArn") ? aws::StringField(ctx.input, "ResourceArn") : std::nullopt) {
    if (auto ref = ParseResourceArn(*arn, ctx.region, ctx.account_id)) {
      if (const ResourceKind* kind = FindResourceKind(ref->kind)) {
        std::string_view given = *arn;
        add(*kind, given.substr(given.rfind('/') + 1), ref->name_key);
      }
    }
  }
  aws::PutPrimaryFirst(ctx.operation ? ctx.operation->name : "", &out);
  return out;
}

aws::AccessRequest SageMakerService::AccessFor(const aws::RequestContext& ctx) const {
  aws::AccessRequest access = Service::AccessFor(ctx);
  // An ARN-addressed call on a resource kind we do not hold is still authorized on that ARN.
  if (access.resource == "*" && ctx.operation != nullptr &&
      ctx.service->shape(ctx.operation->input).FindMember("ResourceArn") != nullptr) {
    if (auto arn = aws::StringField(ctx.input, "ResourceArn")) access.resource = std::string(*arn);
  }
  access.resource_in_denial = access.resource != "*";
  // A call that names other resources too (CreateEndpoint's endpoint config, CreateTransformJob's
  // model) must be allowed on each of them: a Deny on a config or model cannot be side-stepped
  // by deploying or running it under a new name.
  for (size_t i = 1; i < ctx.resources.size(); ++i) {
    if (ctx.resources[i].arn != access.resource) {
      access.also_resources.push_back(ctx.resources[i].arn);
    }
  }
  for (const aws::ShapeValue& role : RolesOf(ctx)) access.passed_roles.push_back(role.value);
  access.passed_to = std::string(kServicePrincipal);
  return access;
}

Result<json::value, aws::AwsError> SageMakerService::Invoke(aws::RequestContext& ctx) {
  auto it = handlers_.find(ctx.operation->name);
  if (it == handlers_.end()) {
    return aws::AwsError::NotImplemented("sagetrail does not implement SageMaker operation " +
                                         ctx.operation->name + " yet");
  }
  SageMakerBackend& backend = backends_.Get(ctx.account_id, ctx.region);
  std::lock_guard<std::mutex> lock(backend.mutex());
  HandlerContext h{ctx, backend, clock_, timings_, authorizer_, {}, {}};
  auto result = [&]() -> Result<json::value, aws::AwsError> {
    // SageMaker must be able to assume every role the call hands it (a Redshift cluster's role,
    // also in the input, is another service's to assume).
    for (const aws::ShapeValue& role : RolesOf(ctx)) {
      if (role.member != "RoleArn" && role.member != "ExecutionRoleArn") continue;
      if (auto err = h.CheckRole(role.value)) return *err;
    }
    return it->second(h);
  }();
  // The changed resources as they are now (none if the call failed), committed with the call's
  // record at the place the call takes here, while the backend is still locked, whatever its
  // outcome: calls that saw this state come after it in the log, and a call refused on what it
  // saw comes before any change it did not see. New transitions reach the scheduler once the
  // commit is durable.
  ctx.mutations = Snapshot(backend, h.dirty);
  ctx.TakeTicket();
  for (auto& t : h.scheduled) {
    ctx.after_audit.push_back([this, account = ctx.account_id, region = ctx.region, t] {
      Schedule(account, region, t.kind, t.name_key, t.at, t.generation);
      return Status::Ok();
    });
  }
  return result;
}

void SageMakerService::Schedule(const std::string& account_id, const std::string& region,
                                const std::string& kind, const std::string& name_key, TimePoint at,
                                int64_t generation) {
  scheduler_.ScheduleAt(at, [this, account_id, region, kind, name_key, generation] {
    Fire(account_id, region, kind, name_key, generation);
  });
}

void SageMakerService::Fire(const std::string& account_id, const std::string& region,
                            const std::string& kind, const std::string& name_key,
                            int64_t generation) {
  auto lifecycle = lifecycles_.find(kind);
  if (lifecycle == lifecycles_.end()) return;
  Update(account_id, region, kind, name_key, [&](TransitionContext& tc, Resource& r) {
    // Stale (the lifecycle changed course since) or already done: nothing to do.
    if (TransitionGeneration(r) != generation || !NextTransition(r)) return;
    ClearNextTransition(r);
    lifecycle->second(tc, r);
  });
}

store::Mutations SageMakerService::Snapshot(
    const SageMakerBackend& backend,
    const std::vector<std::pair<std::string, std::string>>& dirty) {
  store::Mutations out;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& [kind, key] : dirty) {
    if (!seen.insert({kind, key}).second) continue;
    const Resource* r = backend.Table(kind).Find(key);
    out.push_back(r ? ResourceStore::Put(backend.account_id(), backend.region(), *r)
                    : ResourceStore::Delete(backend.account_id(), backend.region(), kind, key));
  }
  return out;
}

void SageMakerService::CallAsService(const std::string& account_id, const std::string& region,
                                     std::string operation, boost::json::value input,
                                     boost::json::value details,
                                     std::function<void(aws::InternalResult)> done) {
  if (internal_ == nullptr) {
    done({"", aws::AwsError::InternalFailure("SageMaker cannot make calls of its own here"), {}});
    return;
  }
  internal_->Invoke(
      aws::InternalCall::AsService("sagemaker.amazonaws.com", "sagemaker", std::move(operation),
                                   account_id, region, std::move(input), std::move(details)),
      std::move(done));
}

bool SageMakerService::Update(const std::string& account_id, const std::string& region,
                              const std::string& kind, const std::string& name_key,
                              const std::function<void(TransitionContext&, Resource&)>& step) {
  SageMakerBackend& backend = backends_.Get(account_id, region);
  std::optional<std::pair<TimePoint, int64_t>> next;
  store::Mutations mutations;
  aws::LogTicket ticket;
  {
    std::lock_guard<std::mutex> lock(backend.mutex());
    ResourceTable& table = backend.Table(kind);
    Resource* r = table.FindMutable(name_key);
    if (r == nullptr) return false;
    std::optional<TimePoint> before = NextTransition(*r);
    int64_t before_gen = TransitionGeneration(*r);
    TransitionContext tc{backend, clock_, timings_, clock_.Now()};
    step(tc, *r);
    if (tc.erase) {
      table.Erase(name_key);
    } else if (auto at = NextTransition(*r);
               at && (TransitionGeneration(*r) != before_gen || at != before)) {
      next = std::make_pair(*at, TransitionGeneration(*r));
    }
    // The step's change takes its place in the log while the resource is still locked.
    mutations = Snapshot(backend, {{kind, name_key}});
    ticket = commits_.Reserve();
  }
  // A lifecycle step is no call (nothing to record), but its change is durable before the next
  // step is scheduled.
  commits_.Commit(std::move(ticket), std::move(mutations),
                  [this, account_id, region, kind, name_key, next](Status s) {
                    if (!s.ok()) {
                      spdlog::error("cannot commit {} {}: {}", kind, name_key, s.message());
                      return;
                    }
                    if (next)
                      Schedule(account_id, region, kind, name_key, next->first, next->second);
                  });
  return true;
}

}  // namespace sagetrail::sagemaker
