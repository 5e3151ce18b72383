// TrustPolicyEvaluator: whether a role's trust policy lets a caller assume it (sts:AssumeRole,
// sts:AssumeRoleWithSAML, sts:AssumeRoleWithWebIdentity, sts:TagSession...). Pure, thread-safe.
//
// What the trust policy decides depends on how it names the caller:
//   - the caller's own ARN (IAM user, assumed-role session) or, for a role session, its role's
//     ARN: enough on its own within the role's account; from another account the caller's
//     identity-based policies must also allow the action on the role.
//   - the caller's account ("AWS": "123456789012" or "arn:aws:iam::123456789012:root"): the trust
//     policy delegates to that account, whose identity-based policies must allow the action.
//   - "AWS": "*": anyone, but (our choice) only together with the caller's identity policies.
//   - a service or federated principal: the trust policy alone decides.
// The caller combines the result with PolicyEvaluator when `identity_policy_required`, and with
// the caller's own session policies, which still apply. (STS refuses AssumeRole with root user
// credentials before any of this.)
#pragma once

#include <map>
#include <string>

#include "iam/policy/condition_context.h"
#include "iam/policy/policy_document.h"

namespace sagetrail::iam {

struct TrustCaller {
  enum class Kind { kAwsPrincipal, kService, kFederated };
  Kind kind = Kind::kAwsPrincipal;
  // kAwsPrincipal: "arn:aws:iam::111122223333:user/bob", "arn:aws:iam::111122223333:root" or
  // "arn:aws:sts::111122223333:assumed-role/Name/session"; kService: "sagemaker.amazonaws.com";
  // kFederated: the identity provider ("cognito-identity.amazonaws.com", a SAML provider ARN).
  std::string arn;
  std::string account_id;  // kAwsPrincipal; taken from `arn` when empty
  std::string role_arn;    // for an assumed-role session: "arn:aws:iam::111122223333:role/Name"
  // The unique ids of the caller ("AIDA..." of a user) and of its session's role ("AROA..."),
  // matched against the ids the policy recorded for the ARNs it names.
  std::string principal_id;
  std::string role_id;
};

struct TrustRequest {
  std::string role_arn;  // the role to assume: "arn:aws:iam::123456789012:role/Trainer"
  std::string action = "sts:AssumeRole";
  TrustCaller caller;
  ConditionContext context;  // sts:ExternalId, aws:PrincipalArn, aws:SourceIdentity, ...
  // The unique id each user or role ARN in the policy had when the policy was saved (IAM keeps
  // ids, not names): an entry whose principal has another id now matches nobody. Entries not in
  // the map (accounts this server does not hold) match by ARN.
  const std::map<std::string, std::string>* principal_ids = nullptr;
};

// How the applicable Allow statement names the caller.
enum class TrustMatch {
  kNone,
  kPrincipal,  // the caller's ARN
  kRole,       // the role of the caller's assumed-role session
  kService,
  kFederated,
  kAnyone,   // "AWS": "*"
  kAccount,  // the caller's account root or id
};

struct TrustDecision {
  bool allowed = false;        // an Allow statement applies and no Deny does
  bool explicit_deny = false;  // a Deny statement applies
  TrustMatch match = TrustMatch::kNone;
  // When allowed: the caller's identity-based policies must also allow `action` on the role.
  bool identity_policy_required = false;
};

class TrustPolicyEvaluator {
 public:
  static TrustDecision Evaluate(const PolicyDocument& trust_policy, const TrustRequest& request);
};

const char* TrustMatchName(TrustMatch match);  // "Principal", "Account", ...

}  // namespace sagetrail::iam
