// Whether a statement's Action/NotAction and Resource/NotResource elements cover a request.
// Shared by PolicyEvaluator and the trust policy evaluation. Pure functions, thread-safe.
#pragma once

#include <string_view>

#include "iam/policy/condition_context.h"
#include "iam/policy/policy_document.h"

namespace sagetrail::iam {

// Action: one of the patterns matches. NotAction: none does (it covers every other action).
bool ActionClauseMatches(const Statement& statement, std::string_view action);
// The same for an action name already lower-cased (evaluators lower it once per request).
bool ActionClauseMatchesLower(const Statement& statement, std::string_view action_lower);

// Resource: one of the entries matches. NotResource: none does (the statement then applies to
// every other resource). With `substitute_variables`, "${...}" in the entries is replaced from
// `context`; a Resource entry whose variable cannot be resolved matches nothing, and a
// NotResource entry that cannot be resolved makes the statement not apply at all.
bool ResourceClauseMatches(const Statement& statement, std::string_view resource,
                           const ConditionContext& context, bool substitute_variables);

}  // namespace sagetrail::iam
