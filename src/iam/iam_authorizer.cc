#include "iam/iam_authorizer.h"

#include <map>
#include <vector>

#include "aws/protocol/generic_value.h"
#include "common/time_format.h"
#include "iam/policy/access_denied_message.h"
#include "iam/policy/aws_managed_policies.h"
#include "iam/policy/trust_policy_evaluator.h"

namespace sagetrail::iam {

namespace {

constexpr size_t kCacheLimit = 4096;

// The user or role whose policies apply to a caller, if any.
std::optional<PrincipalRef> PolicyHolder(const aws::Identity& id) {
  switch (id.type) {
    case aws::IdentityType::kIAMUser:
      return PrincipalRef{"user", id.user_name, id.principal_id};
    case aws::IdentityType::kAssumedRole:
      if (id.session && id.session->issuer) {
        return PrincipalRef{"role", id.session->issuer->user_name,
                            id.session->issuer->principal_id};
      }
      return std::nullopt;
    case aws::IdentityType::kFederatedUser:
      if (id.session && id.session->issuer && id.session->issuer->type == "IAMUser") {
        return PrincipalRef{"user", id.session->issuer->user_name,
                            id.session->issuer->principal_id};
      }
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

}  // namespace

std::string IamAuthorizer::ActionOf(const aws::RequestContext& ctx) {
  if (!ctx.access.action.empty()) return ctx.access.action;
  return ctx.service->metadata().signing_name + ":" + ctx.operation->name;
}

ConditionContext IamAuthorizer::ContextOf(const aws::RequestContext& ctx) const {
  ConditionContext c;
  const aws::Identity& id = ctx.identity;
  const bool service = id.type == aws::IdentityType::kAWSService;
  c.Set("aws:CurrentTime", FormatIso8601(clock_.Now()));
  c.Set("aws:EpochTime", std::to_string(ToUnixSeconds(clock_.Now())));
  c.Set("aws:SecureTransport", "false");  // served over http
  c.Set("aws:RequestedRegion", ctx.region);
  c.Set("aws:PrincipalIsAWSService", service ? "true" : "false");
  if (service) {
    // A service principal has no ARN, account, address or IAM type of its own.
    c.Set("aws:PrincipalServiceName", id.invoked_by);
  } else {
    c.Set("aws:SourceIp", ctx.source_ip);
    c.Set("aws:PrincipalArn",
          id.type == aws::IdentityType::kAssumedRole && id.session && id.session->issuer
              ? id.session->issuer->arn
              : id.arn);
    c.Set("aws:PrincipalAccount", id.account_id);
    c.Set("aws:userid", id.principal_id);
    if (id.type == aws::IdentityType::kIAMUser) c.Set("aws:username", id.user_name);
    // Long-term keys leave aws:MultiFactorAuthPresent out (...IfExists conditions match).
    if (id.session) {
      c.Set("aws:MultiFactorAuthPresent", id.session->mfa_authenticated ? "true" : "false");
    }
    switch (id.type) {
      case aws::IdentityType::kRoot:
        c.Set("aws:PrincipalType", "Account");
        break;
      case aws::IdentityType::kIAMUser:
        c.Set("aws:PrincipalType", "User");
        break;
      case aws::IdentityType::kAssumedRole:
        c.Set("aws:PrincipalType", "AssumedRole");
        break;
      case aws::IdentityType::kFederatedUser:
        c.Set("aws:PrincipalType", "FederatedUser");
        break;
      case aws::IdentityType::kAWSService:
        break;
    }
  }
  if (!ctx.source_arn.empty()) c.Set("aws:SourceArn", ctx.source_arn);
  if (!ctx.source_account.empty()) c.Set("aws:SourceAccount", ctx.source_account);
  // The call's service-specific keys; a key given more than once is multivalued.
  std::map<std::string, std::vector<std::string>> keys;
  for (const auto& [key, value] : ctx.access.condition_values) keys[key].push_back(value);
  for (auto& [key, values] : keys) {
    if (values.size() == 1) {
      c.Set(key, std::move(values.front()));
    } else {
      c.SetMulti(key, std::move(values));
    }
  }
  return c;
}

ResourceCaller IamAuthorizer::ResourceCallerOf(const aws::Identity& id) {
  ResourceCaller c;
  c.arn = id.arn;
  c.account_id = id.account_id;
  c.principal_id = id.principal_id;
  const aws::SessionIssuer* issuer =
      id.session && id.session->issuer ? &*id.session->issuer : nullptr;
  switch (id.type) {
    case aws::IdentityType::kRoot:
      c.kind = ResourceCaller::Kind::kRoot;
      break;
    case aws::IdentityType::kIAMUser:
      c.kind = ResourceCaller::Kind::kUser;
      break;
    case aws::IdentityType::kAssumedRole:
      c.kind = ResourceCaller::Kind::kRoleSession;
      if (issuer != nullptr) {
        c.issuer_arn = issuer->arn;
        c.issuer_id = issuer->principal_id;
      }
      break;
    case aws::IdentityType::kFederatedUser:
      c.kind = ResourceCaller::Kind::kFederatedUser;
      if (issuer != nullptr && issuer->type == "IAMUser") {
        c.issuer_arn = issuer->arn;
        c.issuer_id = issuer->principal_id;
      }
      break;
    case aws::IdentityType::kAWSService:
      c.kind = ResourceCaller::Kind::kService;
      c.arn = id.invoked_by;
      c.account_id.clear();
      c.principal_id.clear();
      break;
  }
  return c;
}

std::shared_ptr<const PolicyDocument> IamAuthorizer::Parsed(const std::string& text,
                                                            PolicyKind kind) const {
  std::string key = std::to_string(static_cast<int>(kind)) + ":" + text;
  {
    std::lock_guard<std::mutex> l(cache_mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
  }
  auto parsed = PolicyDocument::Parse(text, kind);
  // A stored document that no longer parses allows nothing.
  std::shared_ptr<const PolicyDocument> doc =
      parsed.ok() ? std::make_shared<PolicyDocument>(std::move(parsed).value()) : nullptr;
  std::lock_guard<std::mutex> l(cache_mu_);
  if (cache_.size() >= kCacheLimit) cache_.clear();
  cache_[key] = doc;
  return doc;
}

std::shared_ptr<const IamAuthorizer::PolicySet> IamAuthorizer::PoliciesOf(
    const std::string& account_id, const PrincipalRef& holder) const {
  // Keyed by the entity's unique id too: a user or role created again under the same name is
  // another principal, with its own policies.
  std::string key = account_id + "/" + holder.type + "/" + holder.name + "/" + holder.id;
  // Read the generation first: a change after this point makes the entry stale next time.
  uint64_t generation = store_.generation();
  {
    std::shared_lock l(holders_mu_);
    auto it = holders_.find(key);
    if (it != holders_.end() && it->second.generation == generation) return it->second.policies;
  }
  auto set = std::make_shared<PolicySet>();
  for (const std::string& text : store_.PoliciesOf(account_id, holder)) {
    if (auto d = Parsed(text)) set->push_back(std::move(d));
  }
  std::unique_lock l(holders_mu_);
  if (holders_.size() >= kCacheLimit) holders_.clear();
  holders_[key] = HolderEntry{generation, set};
  return set;
}

IamAuthorizer::CallerPolicies IamAuthorizer::PoliciesFor(const aws::Credential& credential,
                                                         const aws::Identity& id) const {
  CallerPolicies p;
  // A federated user issued by the root user has the root user's (unlimited) identity side.
  bool federated_by_root = id.type == aws::IdentityType::kFederatedUser && id.session &&
                           id.session->issuer && id.session->issuer->type == "Root";
  if (auto holder = PolicyHolder(id)) {
    p.identity_set = PoliciesOf(id.account_id, *holder);
    p.identity.reserve(p.identity_set->size());
    for (const auto& d : *p.identity_set) p.identity.push_back(d.get());
  } else if (federated_by_root) {
    if (const PolicyDocument* admin =
            AwsManagedPolicy("arn:aws:iam::aws:policy/AdministratorAccess")) {
      p.identity.push_back(admin);
    }
  }
  if (credential.has_session_policy) {
    if (!credential.session_policy.empty()) {
      if (auto d = Parsed(credential.session_policy)) p.session_set.push_back(std::move(d));
    }
    for (const std::string& arn : credential.session_policy_arns) {
      if (auto m = store_.GetManagedPolicy(id.account_id, arn)) {
        if (auto d = Parsed(m->document)) p.session_set.push_back(std::move(d));
      }
    }
    p.session.emplace();
    for (const auto& d : p.session_set) p.session->push_back(d.get());
  }
  return p;
}

Evaluation IamAuthorizer::Evaluate(const aws::Credential& credential, const aws::Identity& id,
                                   const std::string& action, const std::string& resource,
                                   ConditionContext context,
                                   std::function<void(ConditionContext&)> complete_context) const {
  AuthorizationRequest req;
  req.action = action;
  req.resource = resource;
  req.principal_arn = id.arn;
  req.is_root = id.type == aws::IdentityType::kRoot;
  req.context = std::move(context);
  req.complete_context = std::move(complete_context);
  if (req.is_root) return PolicyEvaluator::Evaluate(req, std::vector<PolicyDocument>{});
  CallerPolicies p = PoliciesFor(credential, id);
  return PolicyEvaluator::Evaluate(req, p.identity, p.session);
}

ResourceDecision IamAuthorizer::ResourcePolicyDecision(const aws::RequestContext& ctx,
                                                       const std::string& action,
                                                       const ConditionContext& context) const {
  const aws::AccessRequest& access = ctx.access;
  if (access.resource_policy.empty()) return {};
  std::shared_ptr<const PolicyDocument> policy =
      Parsed(access.resource_policy, PolicyKind::kResource);
  if (!policy) return {};
  ResourceRequest rr;
  rr.action = action;
  rr.resource = access.resource;
  rr.caller = ResourceCallerOf(ctx.identity);
  rr.context = context;
  rr.principal_ids = &access.resource_policy_principal_ids;
  return ResourcePolicyEvaluator::Evaluate(*policy, rr);
}

std::optional<std::string> IamAuthorizer::AuthorizeMain(const aws::RequestContext& ctx,
                                                        const std::string& action) const {
  const aws::AccessRequest& access = ctx.access;
  const aws::Identity& id = ctx.identity;
  const std::string shown = access.resource_in_denial ? access.resource : "";
  auto denied = [&](Decision d) { return AccessDeniedMessage(id.arn, action, shown, d); };
  if (!access.resource_policy_applies) {
    // The condition context is built only if a statement that covers the call needs it.
    Evaluation e = Evaluate(*ctx.credential, id, action, access.resource, {},
                            [this, &ctx](ConditionContext& c) { c = ContextOf(ctx); });
    if (e.allowed()) return std::nullopt;
    return denied(e.decision);
  }

  const std::string& owner =
      access.resource_account.empty() ? ctx.account_id : access.resource_account;
  const bool same_account = id.account_id == owner;
  const ConditionContext context = ContextOf(ctx);
  if (id.type == aws::IdentityType::kRoot) {
    // The owner's root user is not subject to policies; another account's only gets what the
    // resource policy grants.
    if (same_account) return std::nullopt;
    ResourceDecision r = ResourcePolicyDecision(ctx, action, context);
    if (r.allows()) return std::nullopt;
    return denied(r.explicit_deny ? Decision::kResourceExplicitDeny
                                  : Decision::kResourceImplicitDeny);
  }

  AuthorizationRequest req;
  req.action = action;
  req.resource = access.resource;
  req.principal_arn = id.arn;
  req.context = context;
  CallerPolicies p = PoliciesFor(*ctx.credential, id);
  Evaluation e = PolicyEvaluator::Evaluate(req, p.identity, p.session);
  if (e.decision == Decision::kExplicitDeny || e.decision == Decision::kSessionExplicitDeny) {
    return denied(e.decision);
  }
  ResourceDecision r = ResourcePolicyDecision(ctx, action, context);
  if (r.explicit_deny) return denied(Decision::kResourceExplicitDeny);
  if (!same_account) {
    // Across accounts both sides must allow: the resource's owner and the caller's account.
    if (!r.allows()) return denied(Decision::kResourceImplicitDeny);
    if (!e.allowed()) return denied(e.decision);
    return std::nullopt;
  }
  if (e.allowed() || r.allows_directly) return std::nullopt;
  if (r.allows_issuer) {
    // Granted to the role or user behind the session: the session policies, if any, bound it.
    if (!p.session) return std::nullopt;
    Evaluation s = PolicyEvaluator::Evaluate(req, *p.session, std::nullopt);
    if (s.allowed()) return std::nullopt;
    if (e.decision == Decision::kImplicitDeny) return denied(Decision::kSessionImplicitDeny);
  }
  return denied(e.decision);
}

std::optional<std::string> IamAuthorizer::Authorize(const aws::RequestContext& ctx) const {
  const aws::AccessRequest& access = ctx.access;
  if (!access.required) return std::nullopt;
  std::string action = ActionOf(ctx);
  if (ctx.identity.type == aws::IdentityType::kAWSService) {
    // Identity-based policies do not apply to a service principal: only a resource policy can
    // refuse it, on a resource that has resource policies.
    if (!access.resource_policy_applies) return std::nullopt;
    ResourceDecision r = ResourcePolicyDecision(ctx, action, ContextOf(ctx));
    if (r.allows()) return std::nullopt;
    return AccessDeniedMessage(
        ctx.identity.invoked_by, action, access.resource_in_denial ? access.resource : "",
        r.explicit_deny ? Decision::kResourceExplicitDeny : Decision::kResourceImplicitDeny);
  }
  if (!ctx.credential) return std::nullopt;
  if (ctx.identity.type == aws::IdentityType::kRoot && !access.resource_policy_applies) {
    return std::nullopt;
  }
  if (auto denied = AuthorizeMain(ctx, action)) return denied;
  if (ctx.identity.type == aws::IdentityType::kRoot) return std::nullopt;
  for (const std::string& other : access.also_resources) {
    Evaluation o = Evaluate(*ctx.credential, ctx.identity, action, other, {},
                            [this, &ctx](ConditionContext& c) { c = ContextOf(ctx); });
    if (!o.allowed()) return AccessDeniedMessage(ctx.identity.arn, action, other, o.decision);
  }
  // Handing a role to a service needs iam:PassRole on that role, as stored.
  for (const std::string& given : access.passed_roles) {
    auto role = store_.RoleByArn(given);
    std::string role_arn = role ? role->arn : given;
    Evaluation pass = Evaluate(*ctx.credential, ctx.identity, "iam:PassRole", role_arn, {},
                               [this, &ctx, &access](ConditionContext& c) {
                                 c = ContextOf(ctx);
                                 c.Set("iam:PassedToService", access.passed_to);
                               });
    if (!pass.allowed()) {
      return AccessDeniedMessage(ctx.identity.arn, "iam:PassRole", role_arn, pass.decision);
    }
  }
  return std::nullopt;
}

bool IamAuthorizer::ServiceCanAssumeRole(std::string_view role_arn,
                                         std::string_view service_principal) const {
  auto role = store_.RoleByArn(role_arn);
  if (!role) return false;
  auto trust = PolicyDocument::Parse(role->trust_policy, PolicyKind::kTrust);
  if (!trust.ok()) return false;
  TrustRequest tr;
  tr.role_arn = role->arn;
  tr.caller.kind = TrustCaller::Kind::kService;
  tr.caller.arn = std::string(service_principal);
  tr.context.Set("aws:SourceAccount", role->account_id);
  tr.context.Set("aws:CurrentTime", FormatIso8601(clock_.Now()));
  tr.context.Set("aws:EpochTime", std::to_string(ToUnixSeconds(clock_.Now())));
  return TrustPolicyEvaluator::Evaluate(*trust, tr).allowed;
}

}  // namespace sagetrail::iam
