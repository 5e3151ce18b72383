// Evaluation of a statement's Condition element against the request context, as IAM does it:
// several values for one key are OR-ed, keys and operators are AND-ed. A key absent from the
// request fails the condition, except for ...IfExists operators, negated operators
// (StringNotEquals, NotIpAddress, ArnNotLike, ...), ForAllValues: and Null, which all hold then.
// A multivalued key (more than one value) needs ForAnyValue:/ForAllValues:; without one the
// condition does not hold. A policy variable that cannot be resolved makes its condition fail,
// so the statement does not apply. Pure functions, thread-safe.
#pragma once

#include <vector>

#include "iam/policy/condition_context.h"
#include "iam/policy/policy_document.h"

namespace sagetrail::iam {

// `substitute_variables`: the document is 2012-10-17, so "${...}" in string and ARN condition
// values is replaced from `context`.
bool ConditionHolds(const Condition& condition, const ConditionContext& context,
                    bool substitute_variables);

// All of them (true for an empty list).
bool ConditionsHold(const std::vector<Condition>& conditions, const ConditionContext& context,
                    bool substitute_variables);

}  // namespace sagetrail::iam
