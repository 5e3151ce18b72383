#include "iam/policy/condition_context.h"

#include <utility>

#include "common/strings.h"

namespace sagetrail::iam {

ConditionContext& ConditionContext::Set(std::string_view key, std::string value) {
  std::vector<std::string> values;
  values.push_back(std::move(value));
  values_[AsciiLower(key)] = std::move(values);
  return *this;
}

ConditionContext& ConditionContext::SetMulti(std::string_view key,
                                             std::vector<std::string> values) {
  values_[AsciiLower(key)] = std::move(values);
  return *this;
}

ConditionContext& ConditionContext::Erase(std::string_view key) {
  values_.erase(AsciiLower(key));
  return *this;
}

const std::vector<std::string>* ConditionContext::Find(std::string_view key) const {
  auto it = values_.find(AsciiLower(key));
  return it == values_.end() ? nullptr : &it->second;
}

}  // namespace sagetrail::iam
