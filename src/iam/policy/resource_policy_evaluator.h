// ResourcePolicyEvaluator: what a resource-based policy (an S3 bucket policy) says about one
// request: whether a Deny in it applies, and how its applicable Allow statements name the caller,
// which decides what else must allow the request (IamAuthorizer weighs it with the caller's own
// policies). Pure, thread-safe.
//
// How a Principal entry names a caller:
//   - "*" or {"AWS": "*"}: everyone, AWS service principals included (directly);
//   - the caller's own ARN: an IAM user, an assumed-role session
//     ("arn:aws:sts::<acct>:assumed-role/<role>/<session>"), a federated user
//     ("arn:aws:sts::<acct>:federated-user/<name>") (directly);
//   - the principal behind the caller's session: the role ARN for the role's sessions, the IAM
//     user ARN for the federated users it issued (as the issuer);
//   - the caller's account, "<account id>" or "arn:aws:iam::<account>:root": a delegation to the
//     account (its IAM principals still need identity-based permission); for the account's root
//     user that is the root user itself (directly);
//   - {"Service": "<name>"}: that service principal, compared case-insensitively (directly).
// User and role ARNs name the entity that had the ARN when the policy was saved (`principal_ids`,
// as trust policies do): a user deleted and created again under the same name is another
// principal, and an old grant does not name it.
//
// NotPrincipal is supported with Deny only, as IAM documents it (a NotPrincipal statement with
// Allow never applies): the statement applies to every caller except one it names fully, its
// account together with itself, and for a role session its role as well; "*" spares everyone.
#pragma once

#include <map>
#include <string>

#include "iam/policy/condition_context.h"
#include "iam/policy/policy_document.h"

namespace sagetrail::iam {

struct ResourceCaller {
  enum class Kind { kRoot, kUser, kRoleSession, kFederatedUser, kService };
  Kind kind = Kind::kUser;
  // The caller's ARN (a root, user, assumed-role session or federated user ARN); for a service
  // principal its name ("cloudtrail.amazonaws.com").
  std::string arn;
  std::string account_id;    // empty for a service principal
  std::string principal_id;  // an IAM user's unique id ("AIDA...")
  // A session's issuer: the role of an assumed-role session, the IAM user behind a federated
  // user (empty when the root user issued it), with its unique id.
  std::string issuer_arn;
  std::string issuer_id;
};

struct ResourceRequest {
  std::string action;    // "s3:PutObject"
  std::string resource;  // "arn:aws:s3:::bucket/key"
  ResourceCaller caller;
  ConditionContext context;  // aws:SourceArn, aws:PrincipalArn, s3:x-amz-acl, ...
  // See the header comment; null: every ARN matches by ARN.
  const std::map<std::string, std::string>* principal_ids = nullptr;
};

struct ResourceDecision {
  bool explicit_deny = false;  // an applicable Deny: final
  std::string denying_sid;
  // Applicable Allow statements (none counts once a Deny applies), by how they name the caller:
  bool allows_directly = false;  // the caller itself, everyone, or (root) the caller's account
  bool allows_issuer = false;    // the role or IAM user behind the caller's session
  bool allows_account = false;   // the caller's account, delegating to its IAM policies

  bool allows() const {
    return !explicit_deny && (allows_directly || allows_issuer || allows_account);
  }
};

class ResourcePolicyEvaluator {
 public:
  // `policy` should be of kind kResource; statements without Principal/NotPrincipal never apply.
  static ResourceDecision Evaluate(const PolicyDocument& policy, const ResourceRequest& request);
};

}  // namespace sagetrail::iam
