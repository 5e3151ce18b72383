#include "iam/policy/condition_evaluator.h"

#include <charconv>
#include <optional>
#include <string>

#include "common/strings.h"
#include "common/time_format.h"
#include "iam/policy/ip_range.h"
#include "iam/policy/policy_variables.h"
#include "iam/policy/wildcard.h"

namespace sagetrail::iam {
namespace {

// A policy value ready for comparison: after variable substitution when the operator takes them.
struct PolicyValue {
  std::string text;
  PatternSyntax syntax = PatternSyntax::kRaw;
};

std::optional<double> ParseNumber(std::string_view s) {
  s = Trim(s);
  double d = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return d;
}

// ISO 8601 ("2026-11-22T10:00:00Z", "2026-11-22") or epoch seconds ("1763805600").
std::optional<TimePoint> ParseDate(std::string_view s) {
  s = Trim(s);
  if (auto t = ParseIso8601(s)) return t;
  int64_t seconds = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), seconds);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return FromUnixSeconds(seconds);
}

template <typename T>
bool Compare(ConditionOperator op, const T& request, const T& policy) {
  switch (op) {
    case ConditionOperator::kNumericEquals:
    case ConditionOperator::kNumericNotEquals:
    case ConditionOperator::kDateEquals:
    case ConditionOperator::kDateNotEquals:
      return request == policy;
    case ConditionOperator::kNumericLessThan:
    case ConditionOperator::kDateLessThan:
      return request < policy;
    case ConditionOperator::kNumericLessThanEquals:
    case ConditionOperator::kDateLessThanEquals:
      return request <= policy;
    case ConditionOperator::kNumericGreaterThan:
    case ConditionOperator::kDateGreaterThan:
      return request > policy;
    case ConditionOperator::kNumericGreaterThanEquals:
    case ConditionOperator::kDateGreaterThanEquals:
      return request >= policy;
    default:
      return false;
  }
}

// The operator's positive test of one request value against one policy value (for a negated
// operator, the test it negates: StringNotEquals -> equality).
bool PositiveMatch(ConditionOperator op, std::string_view request, const PolicyValue& policy) {
  switch (op) {
    case ConditionOperator::kStringEquals:
    case ConditionOperator::kStringNotEquals:
    case ConditionOperator::kBinaryEquals:
      return request == policy.text;
    case ConditionOperator::kStringEqualsIgnoreCase:
    case ConditionOperator::kStringNotEqualsIgnoreCase:
    case ConditionOperator::kBool:
      return EqualsIgnoreCase(request, policy.text);
    case ConditionOperator::kStringLike:
    case ConditionOperator::kStringNotLike:
      return WildcardMatch(policy.text, request, /*ignore_case=*/false, policy.syntax);
    case ConditionOperator::kNumericEquals:
    case ConditionOperator::kNumericNotEquals:
    case ConditionOperator::kNumericLessThan:
    case ConditionOperator::kNumericLessThanEquals:
    case ConditionOperator::kNumericGreaterThan:
    case ConditionOperator::kNumericGreaterThanEquals: {
      std::optional<double> a = ParseNumber(request), b = ParseNumber(policy.text);
      return a && b && Compare(op, *a, *b);
    }
    case ConditionOperator::kDateEquals:
    case ConditionOperator::kDateNotEquals:
    case ConditionOperator::kDateLessThan:
    case ConditionOperator::kDateLessThanEquals:
    case ConditionOperator::kDateGreaterThan:
    case ConditionOperator::kDateGreaterThanEquals: {
      std::optional<TimePoint> a = ParseDate(request), b = ParseDate(policy.text);
      return a && b && Compare(op, *a, *b);
    }
    case ConditionOperator::kIpAddress:
    case ConditionOperator::kNotIpAddress: {
      std::optional<IpRange> range = IpRange::Parse(Trim(policy.text));
      return range && range->Contains(Trim(request));
    }
    case ConditionOperator::kArnEquals:
    case ConditionOperator::kArnLike:
    case ConditionOperator::kArnNotEquals:
    case ConditionOperator::kArnNotLike:
      return ArnMatches(policy.text, request, policy.syntax);
    case ConditionOperator::kNull:
      return false;  // handled before any value comparison
  }
  return false;
}

bool WantsPattern(ConditionOperator op) {
  switch (op) {
    case ConditionOperator::kStringLike:
    case ConditionOperator::kStringNotLike:
    case ConditionOperator::kArnEquals:
    case ConditionOperator::kArnLike:
    case ConditionOperator::kArnNotEquals:
    case ConditionOperator::kArnNotLike:
      return true;
    default:
      return false;
  }
}

// One request value against all the policy's values (OR-ed), negated for negated operators.
bool ValueMatches(ConditionOperator op, std::string_view request,
                  const std::vector<PolicyValue>& policy_values) {
  bool any = false;
  for (const PolicyValue& v : policy_values) {
    if (PositiveMatch(op, request, v)) {
      any = true;
      break;
    }
  }
  return IsNegatedOperator(op) ? !any : any;
}

}  // namespace

bool ConditionHolds(const Condition& condition, const ConditionContext& context,
                    bool substitute_variables) {
  const std::vector<std::string>* request = context.Find(condition.key);

  if (condition.op == ConditionOperator::kNull) {
    // "true": the key must be absent; "false": it must be present.
    for (const std::string& v : condition.values) {
      if (EqualsIgnoreCase(Trim(v), "true") && request == nullptr) return true;
      if (EqualsIgnoreCase(Trim(v), "false") && request != nullptr) return true;
    }
    return false;
  }

  std::vector<PolicyValue> policy_values;
  policy_values.reserve(condition.values.size());
  bool variables = substitute_variables && AcceptsPolicyVariables(condition.op);
  for (const std::string& v : condition.values) {
    if (variables && HasPolicyVariables(v)) {
      bool pattern = WantsPattern(condition.op);
      std::optional<std::string> resolved = SubstitutePolicyVariables(
          v, context, pattern ? SubstitutionMode::kPattern : SubstitutionMode::kLiteral);
      if (!resolved) return false;  // an unresolvable variable: the statement does not apply
      policy_values.push_back(
          {std::move(*resolved), pattern ? PatternSyntax::kEscaped : PatternSyntax::kRaw});
    } else {
      policy_values.push_back({v, PatternSyntax::kRaw});
    }
  }

  switch (condition.qualifier) {
    case SetQualifier::kForAnyValue:
      // IfExists does not rescue a missing key here: there is no value to satisfy "any".
      if (request == nullptr) return false;
      for (const std::string& r : *request) {
        if (ValueMatches(condition.op, r, policy_values)) return true;
      }
      return false;
    case SetQualifier::kForAllValues:
      if (request == nullptr) return true;  // vacuously: no value fails
      for (const std::string& r : *request) {
        if (!ValueMatches(condition.op, r, policy_values)) return false;
      }
      return true;
    case SetQualifier::kNone:
      break;
  }
  if (request == nullptr) return condition.if_exists || IsNegatedOperator(condition.op);
  if (request->size() != 1) return false;  // a multivalued key needs a set operator
  return ValueMatches(condition.op, request->front(), policy_values);
}

bool ConditionsHold(const std::vector<Condition>& conditions, const ConditionContext& context,
                    bool substitute_variables) {
  for (const Condition& c : conditions) {
    if (!ConditionHolds(c, context, substitute_variables)) return false;
  }
  return true;
}

}  // namespace sagetrail::iam
