// PolicyEvaluator: IAM's decision for one request, from the caller's identity-based policies and,
// for role and federated sessions that were given any, its session policies. Pure: no state, no
// I/O, thread-safe.
//
// The rules, as IAM applies them within one account (no SCPs, boundaries or resource policies):
//   - The account root user is not subject to identity-based policies: always allowed.
//   - An applicable Deny statement in any policy wins over every Allow (explicit deny).
//   - Otherwise an applicable Allow statement in an identity-based policy is needed (else the
//     request is implicitly denied), and, when session policies are present, one in a session
//     policy too: the session's permissions are the intersection of both.
// A statement applies when its Action/NotAction, Resource/NotResource and every condition match.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "iam/policy/condition_context.h"
#include "iam/policy/policy_document.h"

namespace sagetrail::iam {

struct AuthorizationRequest {
  std::string action;         // "sagemaker:CreateModel"
  std::string resource;       // the resource ARN, or "*" for actions without resource types
  std::string principal_arn;  // for messages: "arn:aws:iam::123456789012:user/bob"
  bool is_root = false;
  ConditionContext context;  // aws:SourceIp, aws:CurrentTime, aws:username, ...
  // Optional: adds the rest of the context the first time a statement needs it (a condition, or
  // a policy variable in a resource), since building it costs more than most evaluations.
  std::function<void(ConditionContext&)> complete_context;
};

enum class Decision {
  kAllow,
  kImplicitDeny,         // no identity-based policy allows
  kExplicitDeny,         // a Deny in an identity-based policy applies
  kSessionImplicitDeny,  // identity-based policies allow, no session policy does
  kSessionExplicitDeny,  // a Deny in a session policy applies
  // Only where a resource-based policy is weighed (IamAuthorizer; PolicyEvaluator never gives
  // these): it does not allow a caller it must allow, or a Deny in it applies.
  kResourceImplicitDeny,
  kResourceExplicitDeny,
};

const char* DecisionName(Decision decision);  // "Allow", "ImplicitDeny", ...

struct Evaluation {
  Decision decision = Decision::kImplicitDeny;
  // For explicit denies: the index of the first denying policy in the list it came from
  // (identity or session), so the caller can name it (AWS appends a managed policy's ARN), and
  // that statement's Sid. -1 / empty otherwise.
  int denying_policy = -1;
  std::string denying_sid;

  bool allowed() const { return decision == Decision::kAllow; }
};

class PolicyEvaluator {
 public:
  // `session_policies`: nullopt when the session has none (a plain AssumeRole, an IAM user); an
  // empty list means session policies were given and none remains, so nothing is allowed.
  static Evaluation Evaluate(
      const AuthorizationRequest& request, const std::vector<PolicyDocument>& identity_policies,
      const std::optional<std::vector<PolicyDocument>>& session_policies = std::nullopt);

  // The same over documents held elsewhere (AwsManagedPolicy(), a policy store); no nulls.
  static Evaluation Evaluate(
      const AuthorizationRequest& request,
      const std::vector<const PolicyDocument*>& identity_policies,
      const std::optional<std::vector<const PolicyDocument*>>& session_policies);
};

}  // namespace sagetrail::iam
