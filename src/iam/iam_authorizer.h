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
  // The condition keys of a request (aws:SourceIp, aws:CurrentTime, aws:username, ...).
  ConditionContext ContextOf(const aws::RequestContext& ctx) const;

 private:
  // Parsed documents, by text (policies rarely change; parsing per request would be waste).
  std::shared_ptr<const PolicyDocument> Parsed(const std::string& text) const;
  using PolicySet = std::vector<std::shared_ptr<const PolicyDocument>>;
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
