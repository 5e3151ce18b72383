// SageMakerBackend: the SageMaker state of one account in one region: a ResourceTable per
// resource kind, guarded by one mutex.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "sagemaker/resource_table.h"

namespace sagetrail::sagemaker {

class SageMakerBackend {
 public:
  SageMakerBackend(std::string account_id, std::string region)
      : account_id_(std::move(account_id)), region_(std::move(region)) {}

  const std::string& account_id() const { return account_id_; }
  const std::string& region() const { return region_; }

  std::mutex& mutex() const { return mu_; }
  // The table of `kind` ("model", "endpoint", ...). Call with mutex() held.
  ResourceTable& Table(const std::string& kind) { return tables_[kind]; }
  const ResourceTable& Table(const std::string& kind) const {
    static const ResourceTable kEmpty;
    auto it = tables_.find(kind);
    return it == tables_.end() ? kEmpty : it->second;
  }

 private:
  std::string account_id_;
  std::string region_;
  mutable std::mutex mu_;
  std::map<std::string, ResourceTable> tables_;  // guarded by mu_
};

}  // namespace sagetrail::sagemaker
