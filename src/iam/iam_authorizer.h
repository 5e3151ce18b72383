// IamAuthorizer: aws::Authorizer with IAM's rules. The action is "<signing name>:<operation>";
// the resource is the one the service resolved for the call (RequestContext::access, the stored
// entity's ARN, or "*"), and each role the call hands to a service needs iam:PassRole too. The
// caller's policies:
//   - root: none needed (the root user is not subject to identity-based policies);
//   - an IAM user (long-term keys or GetSessionToken credentials): the user's inline and
//     attached policies;
//   - an assumed-role session: the role's policies, intersected with the session's policies;
//   - a federated user: the issuing user's policies intersected with the session's (which are
//     required: none means nothing is allowed).
// Policies belong to the entity (its unique id), not to its name: credentials of a deleted user
// or role get nothing from a successor of the same name. Parsed documents are cached by text, and
// each user's or role's set of them until the identity store next changes.
//
// Resource-based policies (AccessRequest::resource_policy_applies: a bucket, with or without a
// policy), as AWS weighs them (ResourcePolicyEvaluator says how the policy names the caller):
//   - an explicit Deny in any policy that applies (identity-based, session, resource-based) wins;
//   - an AWS service principal (a trail writing its log files) is allowed only if the resource
//     policy allows it; its calls on other resources need no permission, as before;
//   - within the resource's account, an IAM principal is allowed if its identity-based policies
//     allow (with its session policies), or if the resource policy allows the caller itself
//     (its user, session or federated user ARN, or everyone), or the role or IAM user behind its
//     session, which its session policies must then allow too. Naming the account delegates to
//     the identity-based policies;
//   - from another account, the resource policy must allow the caller (by name, by its account,
//     or everyone) and its own identity-based (and session) policies must allow it too;
//   - the root user of the resource's account is always allowed; another account's root user
//     only through the resource policy.
// Resource-policy denials read "... because no resource-based policy allows the <action> action"
// or "... with an explicit deny in a resource-based policy"; the others keep IAM's texts.
// Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "aws/authorizer.h"
#include "common/clock.h"
#include "iam/identity_store.h"
#include "iam/policy/policy_evaluator.h"
#include "iam/policy/resource_policy_evaluator.h"

namespace sagetrail::iam {

class IamAuthorizer final : public aws::Authorizer {
 public:
  IamAuthorizer(const IdentityStore& store, const Clock& clock) : store_(store), clock_(clock) {}

  std::optional<std::string> Authorize(const aws::RequestContext& ctx) const override;
  bool ServiceCanAssumeRole(std::string_view role_arn,
                            std::string_view service_principal) const override;

  // IAM's decision for `identity` doing `action` on `resource` (used by STS for AssumeRole).
  Evaluation Evaluate(const aws::Credential& credential, const aws::Identity& identity,
                      const std::string& action, const std::string& resource,
                      ConditionContext context,
                      std::function<void(ConditionContext&)> complete_context = nullptr) const;

  // The action name of an operation: "sagemaker:CreateModel".
  static std::string ActionOf(const aws::RequestContext& ctx);
  // The condition keys of a request (aws:SourceIp, aws:CurrentTime, aws:username,
  // aws:PrincipalArn, aws:SourceArn, the call's service-specific keys, ...).
  ConditionContext ContextOf(const aws::RequestContext& ctx) const;
  // How a resource-based policy sees the caller.
  static ResourceCaller ResourceCallerOf(const aws::Identity& identity);

 private:
  using PolicySet = std::vector<std::shared_ptr<const PolicyDocument>>;
  // The policies that apply to a caller: its identity-based ones and, for a session given any,
  // its session policies (held here for as long as the pointers are used).
  struct CallerPolicies {
    std::shared_ptr<const PolicySet> identity_set;
    PolicySet session_set;
    std::vector<const PolicyDocument*> identity;
    std::optional<std::vector<const PolicyDocument*>> session;
  };
  CallerPolicies PoliciesFor(const aws::Credential& credential,
                             const aws::Identity& identity) const;
  // The denial of an IAM principal's (root user's included) call on its main resource, weighing
  // the resource-based policy where the resource has one.
  std::optional<std::string> AuthorizeMain(const aws::RequestContext& ctx,
                                           const std::string& action) const;
  // The resource policy's say on the call (none allows when it has none or it does not parse).
  ResourceDecision ResourcePolicyDecision(const aws::RequestContext& ctx, const std::string& action,
                                          const ConditionContext& context) const;

  // Parsed documents, by kind and text (policies rarely change; parsing per request would be
  // waste).
  std::shared_ptr<const PolicyDocument> Parsed(const std::string& text,
                                               PolicyKind kind = PolicyKind::kIdentity) const;
  // The parsed identity-based policies of a user or role of `account_id`.
  std::shared_ptr<const PolicySet> PoliciesOf(const std::string& account_id,
                                              const PrincipalRef& holder) const;

  const IdentityStore& store_;
  const Clock& clock_;
  mutable std::mutex cache_mu_;
  mutable std::unordered_map<std::string, std::shared_ptr<const PolicyDocument>> cache_;
  struct HolderEntry {
    uint64_t generation;
    std::shared_ptr<const PolicySet> policies;
  };
  mutable std::shared_mutex holders_mu_;
  mutable std::unordered_map<std::string, HolderEntry> holders_;  // "<acct>/<type>/<name>"
};

}  // namespace sagetrail::iam
