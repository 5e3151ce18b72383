// ConditionContext: the request context keys a policy's Condition element and its policy
// variables are evaluated against (aws:SourceIp, aws:username, sts:ExternalId, ...). IAM compares
// key names case-insensitively, so keys are stored lower-cased. A key holds one value or, for a
// multivalued key such as aws:TagKeys, several. Value type; not thread-safe for writes.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sagetrail::iam {

class ConditionContext {
 public:
  ConditionContext() = default;

  // Sets a single-valued key, replacing any earlier value.
  ConditionContext& Set(std::string_view key, std::string value);
  // Sets a multivalued key; an empty list means "present with no values".
  ConditionContext& SetMulti(std::string_view key, std::vector<std::string> values);
  ConditionContext& Erase(std::string_view key);

  // The values of `key`, or nullptr when the request context does not have it.
  const std::vector<std::string>* Find(std::string_view key) const;
  bool Has(std::string_view key) const { return Find(key) != nullptr; }
  bool empty() const { return values_.empty(); }
  size_t size() const { return values_.size(); }

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> values_;  // lower-cased keys
};

}  // namespace sagetrail::iam
