// BackendMap<T>: one T per (account, region), created on first use: the per-account-and-region
// state layout of every service (moto's BackendDict, LocalStack's AccountRegionBundle).
// Thread-safe; the Ts it hands out live as long as the map.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

namespace sagetrail::aws {

template <typename T>
class BackendMap {
 public:
  using Factory =
      std::function<std::unique_ptr<T>(const std::string& account_id, const std::string& region)>;
  explicit BackendMap(Factory factory) : factory_(std::move(factory)) {}

  T& Get(const std::string& account_id, const std::string& region) {
    auto key = std::make_pair(account_id, region);
    {
      std::shared_lock lock(mu_);
      auto it = backends_.find(key);
      if (it != backends_.end()) return *it->second;
    }
    std::unique_lock lock(mu_);
    auto& slot = backends_[key];
    if (!slot) slot = factory_(account_id, region);
    return *slot;
  }

  // The T of (account_id, region) if one was created, else nullptr (never creates one).
  T* Find(const std::string& account_id, const std::string& region) const {
    std::shared_lock lock(mu_);
    auto it = backends_.find(std::make_pair(account_id, region));
    return it == backends_.end() ? nullptr : it->second.get();
  }

  // Every backend created so far (for background work such as scheduled transitions).
  std::vector<T*> All() const {
    std::shared_lock lock(mu_);
    std::vector<T*> out;
    for (const auto& [key, b] : backends_) out.push_back(b.get());
    return out;
  }

 private:
  Factory factory_;
  mutable std::shared_mutex mu_;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<T>> backends_;
};

}  // namespace sagetrail::aws
