#include "iam/policy/access_denied_message.h"

namespace sagetrail::iam {

std::string AccessDeniedMessage(std::string_view principal_arn, std::string_view action,
                                std::string_view resource, Decision decision,
                                std::string_view denying_policy_arn) {
  if (decision == Decision::kAllow) return {};
  std::string out = "User: ";
  out.append(principal_arn).append(" is not authorized to perform: ").append(action);
  if (!resource.empty()) out.append(" on resource: ").append(resource);
  auto implicit = [&](std::string_view type) {
    out.append(" because no ").append(type).append(" allows the ").append(action).append(" action");
  };
  auto explicit_deny = [&](std::string_view type) {
    out.append(" with an explicit deny in ").append(type);
    if (!denying_policy_arn.empty()) out.append(": ").append(denying_policy_arn);
  };
  switch (decision) {
    case Decision::kImplicitDeny:
      implicit("identity-based policy");
      break;
    case Decision::kExplicitDeny:
      explicit_deny("an identity-based policy");
      break;
    case Decision::kSessionImplicitDeny:
      implicit("session policy");
      break;
    case Decision::kSessionExplicitDeny:
      explicit_deny("a session policy");
      break;
    case Decision::kResourceImplicitDeny:
      implicit("resource-based policy");
      break;
    case Decision::kResourceExplicitDeny:
      explicit_deny("a resource-based policy");
      break;
    case Decision::kAllow:
      break;
  }
  return out;
}

std::string AccessDeniedMessage(const AuthorizationRequest& request, Decision decision,
                                std::string_view denying_policy_arn) {
  return AccessDeniedMessage(request.principal_arn, request.action, request.resource, decision,
                             denying_policy_arn);
}

}  // namespace sagetrail::iam
