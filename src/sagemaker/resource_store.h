// ResourceStore: how SageMaker resources live in the durable state: one key per resource,
// "sagemaker/<account>/<region>/<kind>/<name key>", holding its document as JSON. Writes are
// Mutations committed with the record of the call (or the lifecycle step) that made them; this
// class makes them and reads the state back at start. Thread-safe.
#pragma once

#include <functional>
#include <string>

#include "common/result.h"
#include "sagemaker/resource.h"
#include "store/mutation.h"
#include "store/state_reader.h"

namespace sagetrail::sagemaker {

class ResourceStore {
 public:
  explicit ResourceStore(const store::StateReader& state) : state_(state) {}

  static std::string Key(std::string_view account_id, std::string_view region,
                         std::string_view kind, std::string_view name_key);
  // The mutation that stores `r` as it is now.
  static store::Mutation Put(const std::string& account_id, const std::string& region,
                             const Resource& r);
  static store::Mutation Delete(const std::string& account_id, const std::string& region,
                                const std::string& kind, const std::string& name_key);
  // Decodes a stored value; false if it is not one.
  static bool Decode(std::string_view value, std::string* account_id, std::string* region,
                     Resource* r);

  // Calls `fn` with every stored resource.
  Status ForEach(const std::function<void(const std::string& account_id, const std::string& region,
                                          Resource r)>& fn) const;

 private:
  const store::StateReader& state_;
};

}  // namespace sagetrail::sagemaker
