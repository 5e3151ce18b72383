#include "sagemaker/sagemaker_service.h"

#include <boost/json.hpp>

namespace sagetrail::sagemaker {
namespace json = boost::json;

SageMakerService::SageMakerService(std::unique_ptr<ResourceStore> store, const Clock& clock)
    : store_(std::move(store)),
      clock_(clock),
      backends_([](const std::string& account_id, const std::string& region) {
        return std::make_unique<SageMakerBackend>(account_id, region);
      }) {
  RegisterModelHandlers(handlers_);
}

Result<std::unique_ptr<SageMakerService>> SageMakerService::Create(
    std::unique_ptr<ResourceStore> store, const Clock& clock) {
  auto service = std::unique_ptr<SageMakerService>(new SageMakerService(std::move(store), clock));
  Status s = service->store_->ForEach(
      [&](const std::string& account_id, const std::string& region, Resource r) {
        SageMakerBackend& b = service->backends_.Get(account_id, region);
        std::lock_guard<std::mutex> l(b.mutex());
        std::string kind = r.kind;
        b.Table(kind).Put(std::move(r));
      });
  if (!s.ok()) return s;
  return service;
}

bool SageMakerService::Implements(std::string_view operation) const {
  return handlers_.count(std::string(operation)) != 0;
}

Result<json::value, aws::AwsError> SageMakerService::Invoke(aws::RequestContext& ctx) {
  auto it = handlers_.find(ctx.operation->name);
  if (it == handlers_.end()) {
    return aws::AwsError::NotImplemented("sagetrail does not implement SageMaker operation " +
                                         ctx.operation->name + " yet");
  }
  SageMakerBackend& backend = backends_.Get(ctx.account_id, ctx.region);
  std::lock_guard<std::mutex> lock(backend.mutex());
  HandlerContext h{ctx, backend, *store_, clock_, {}};
  auto result = it->second(h);
  // Changed resources reach the disk only after the call's audit record does. Each save writes
  // the resource's state at that moment, so saves of one resource by concurrent calls cannot
  // land out of order.
  for (auto& [kind, key] : h.dirty) {
    ctx.after_audit.push_back([this, account = ctx.account_id, region = ctx.region, kind = kind,
                               key = key] { return Sync(account, region, kind, key); });
  }
  return result;
}

Status SageMakerService::Sync(const std::string& account_id, const std::string& region,
                              const std::string& kind, const std::string& name_key) {
  SageMakerBackend& backend = backends_.Get(account_id, region);
  std::lock_guard<std::mutex> lock(backend.mutex());
  const Resource* r = backend.Table(kind).Find(name_key);
  if (r == nullptr) return store_->Delete(account_id, region, kind, name_key);
  return store_->Put(account_id, region, *r);
}

}  // namespace sagetrail::sagemaker
