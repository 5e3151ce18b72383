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
  HandlerContext h{ctx, backend, *store_, clock_};
  return it->second(h);
}

}  // namespace sagetrail::sagemaker
