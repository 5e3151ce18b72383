// Policy variables: "${aws:username}" in a Resource entry or a string/ARN condition value is
// replaced with the request context's value for that key (names are case-insensitive). Also
// "${key, 'default'}" (used when the key has no value; '' inside the quotes is one quote) and the
// escapes "${*}", "${?}", "${$}" for a literal '*', '?' and '$'. Only 2012-10-17 documents have
// variables. A key that is missing or multivalued, without a default, cannot be resolved: AWS then
// treats the statement as not matching. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "iam/policy/condition_context.h"

namespace sagetrail::iam {

bool HasPolicyVariables(std::string_view text);

enum class SubstitutionMode {
  kLiteral,  // plain text: for exact comparisons (StringEquals, ArnEquals on a resolved value)
  kPattern,  // a PatternSyntax::kEscaped wildcard pattern: the policy's own '*' and '?' stay
             // wildcards; substituted values and ${*}, ${?} become literal characters
};

// The text with every variable substituted, or nullopt when one cannot be resolved (or the
// "${...}" syntax is broken).
std::optional<std::string> SubstitutePolicyVariables(std::string_view text,
                                                     const ConditionContext& context,
                                                     SubstitutionMode mode);

}  // namespace sagetrail::iam
