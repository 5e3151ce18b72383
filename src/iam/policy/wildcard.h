// IAM wildcard matching. '*' matches any run of characters (including none) and '?' exactly one
// character, anywhere in the pattern. Actions compare case-insensitively (IAM action names are
// case-insensitive); resource ARNs and most condition values compare case-sensitively.
// Pure functions, thread-safe.
#pragma once

#include <string_view>

namespace sagetrail::iam {

enum class PatternSyntax {
  kRaw,      // as written in a policy: every '*' and '?' is a wildcard
  kEscaped,  // after policy-variable substitution: "\*", "\?" and "\\" stand for themselves
};

bool WildcardMatch(std::string_view pattern, std::string_view text, bool ignore_case,
                   PatternSyntax syntax = PatternSyntax::kRaw);

// "sagemaker:Describe*" against "sagemaker:DescribeModel"; "*" matches every action.
bool ActionMatches(std::string_view pattern, std::string_view action);

// A Resource/NotResource entry against the request's resource ARN (or "*" for actions without
// resource-level permissions, which only a pattern matching "*" covers). Case-sensitive; a '*'
// may span ARN segments ("arn:aws:sagemaker:*" covers every SageMaker ARN).
bool ResourceMatches(std::string_view pattern, std::string_view resource,
                     PatternSyntax syntax = PatternSyntax::kRaw);

// The ARN condition operators (ArnEquals/ArnLike): both sides are split into their six
// colon-separated parts (arn:partition:service:region:account:resource), each compared with
// wildcards on its own. A value with fewer than six parts never matches.
bool ArnMatches(std::string_view pattern, std::string_view arn,
                PatternSyntax syntax = PatternSyntax::kRaw);

}  // namespace sagetrail::iam
