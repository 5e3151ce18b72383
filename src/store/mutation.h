// Mutation: one change to the durable state, committed atomically with the record of the call
// that made it. A service names its entities with keys of its own under its prefix
// ("sagemaker/<account>/<region>/model/<name>", "iam/<account>/user/<name>"); the value is the
// entity's whole serialized state, or nothing for a deletion. Writing the state as it is right
// after the change (rather than a diff) makes replay idempotent.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace sagetrail::store {

struct Mutation {
  std::string key;
  std::optional<std::string> value;  // nullopt: delete

  static Mutation Put(std::string key, std::string value) {
    return {std::move(key), std::move(value)};
  }
  static Mutation Delete(std::string key) { return {std::move(key), std::nullopt}; }
};

using Mutations = std::vector<Mutation>;

}  // namespace sagetrail::store
