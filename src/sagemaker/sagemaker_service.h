// SageMakerService: the SageMaker control plane. Operations are dispatched to handlers
// registered per resource family (handlers/*.cc); each runs with its account-and-region backend
// locked. Operations without a handler are still routed, validated and recorded, and answer
// NotImplemented naming the operation. Thread-safe.
#pragma once

#include <memory>
#include <string_view>

#include "aws/backend_map.h"
#include "aws/service.h"
#include "common/clock.h"
#include "sagemaker/handler_context.h"
#include "sagemaker/resource_store.h"
#include "sagemaker/sagemaker_backend.h"

namespace sagetrail::sagemaker {

class SageMakerService final : public aws::Service {
 public:
  // Loads every persisted resource into its backend.
  static Result<std::unique_ptr<SageMakerService>> Create(std::unique_ptr<ResourceStore> store,
                                                          const Clock& clock);

  std::string_view name() const override { return "sagemaker"; }
  bool Implements(std::string_view operation) const override;
  Result<boost::json::value, aws::AwsError> Invoke(aws::RequestContext& ctx) override;

  SageMakerBackend& Backend(const std::string& account_id, const std::string& region) {
    return backends_.Get(account_id, region);
  }

 private:
  SageMakerService(std::unique_ptr<ResourceStore> store, const Clock& clock);
  // Writes the current in-memory state of one resource to disk (or deletes it there).
  Status Sync(const std::string& account_id, const std::string& region, const std::string& kind,
              const std::string& name_key);

  std::unique_ptr<ResourceStore> store_;
  const Clock& clock_;
  aws::BackendMap<SageMakerBackend> backends_;
  HandlerTable handlers_;
};

}  // namespace sagetrail::sagemaker
