#include "iam/policy/statement_matcher.h"

#include <optional>
#include <string>

#include "common/strings.h"
#include "iam/policy/policy_variables.h"
#include "iam/policy/wildcard.h"

namespace sagetrail::iam {
namespace {

// nullopt when the entry has a variable that cannot be resolved.
std::optional<bool> EntryMatches(const std::string& pattern, std::string_view resource,
                                 const ConditionContext& context, bool substitute_variables) {
  if (!substitute_variables || !HasPolicyVariables(pattern)) {
    return ResourceMatches(pattern, resource);
  }
  std::optional<std::string> resolved =
      SubstitutePolicyVariables(pattern, context, SubstitutionMode::kPattern);
  if (!resolved) return std::nullopt;
  return ResourceMatches(*resolved, resource, PatternSyntax::kEscaped);
}

}  // namespace

bool ActionClauseMatchesLower(const Statement& statement, std::string_view action) {
  bool any = false;
  for (const Statement::ActionPattern& p : statement.action_patterns) {
    // Most patterns are told apart by their literal start ("sagemaker:Describe..."), compared
    // in one go; only the rest goes through wildcard matching.
    std::string_view pattern = p.lower;
    bool match;
    if (p.literal_prefix == pattern.size()) {
      match = pattern == action;
    } else {
      match = action.size() >= p.literal_prefix &&
              action.substr(0, p.literal_prefix) == pattern.substr(0, p.literal_prefix) &&
              WildcardMatch(pattern.substr(p.literal_prefix), action.substr(p.literal_prefix),
                            /*ignore_case=*/false);
    }
    if (match) {
      any = true;
      break;
    }
  }
  return statement.not_action ? !any : any;
}

bool ActionClauseMatches(const Statement& statement, std::string_view action) {
  return ActionClauseMatchesLower(statement, AsciiLower(action));
}

bool ResourceClauseMatches(const Statement& statement, std::string_view resource,
                           const ConditionContext& context, bool substitute_variables) {
  for (const std::string& pattern : statement.resources) {
    std::optional<bool> m = EntryMatches(pattern, resource, context, substitute_variables);
    if (!m) {
      if (statement.not_resource) return false;
      continue;
    }
    if (*m) return !statement.not_resource;
  }
  return statement.not_resource;
}

}  // namespace sagetrail::iam
