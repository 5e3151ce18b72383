// The text of AccessDenied errors, in AWS's enhanced format (2021+):
//   User: <principal ARN> is not authorized to perform: <action> on resource: <resource>
//   because no identity-based policy allows the <action> action
// with "with an explicit deny in an identity-based policy", "because no session policy allows
// the <action> action", "with an explicit deny in a session policy", "because no resource-based
// policy allows the <action> action" and "with an explicit deny in a resource-based policy" for
// the other denials.
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "iam/policy/policy_evaluator.h"

namespace sagetrail::iam {

// `resource`: printed as "on resource: <resource>", "*" included (AWS prints "on resource: *" for
// actions without resource types in most services); an empty `resource` leaves the clause out,
// as SageMaker does for its List* actions. `denying_policy_arn`: for explicit denies by a managed
// policy, AWS appends ": <policy ARN>" (same-account callers only). Empty for kAllow.
std::string AccessDeniedMessage(std::string_view principal_arn, std::string_view action,
                                std::string_view resource, Decision decision,
                                std::string_view denying_policy_arn = {});

// The same for an evaluated request.
std::string AccessDeniedMessage(const AuthorizationRequest& request, Decision decision,
                                std::string_view denying_policy_arn = {});

}  // namespace sagetrail::iam
