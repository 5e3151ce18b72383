#include "iam/iam_authorizer.h"

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
  c.Set("aws:SourceIp", ctx.source_ip);
  c.Set("aws:CurrentTime", FormatIso8601(clock_.Now()));
  c.Set("aws:EpochTime", std::to_string(ToUnixSeconds(clock_.Now())));
  c.Set("aws:SecureTransport", "false");
  c.Set("aws:PrincipalArn", ctx.identity.type == aws::IdentityType::kAssumedRole &&
                                    ctx.identity.session && ctx.identity.session->issuer
                                ? ctx.identity.session->issuer->arn
                                : ctx.identity.arn);
  c.Set("aws:PrincipalAccount", ctx.identity.account_id);
  c.Set("aws:userid", ctx.identity.principal_id);
  c.Set("aws:RequestedRegion", ctx.region);
  if (ctx.identity.type == aws::IdentityType::kIAMUser)
    c.Set("aws:username", ctx.identity.user_name);
  bool temporary = !ctx.credential || !ctx.credential->session_token.empty();
  if (ctx.identity.session) {
    c.Set("aws:MultiFactorAuthPresent", ctx.identity.session->mfa_authenticated ? "true" : "false");
  } else if (!temporary) {
    // Long-term keys: the key is absent (conditions with ...IfExists treat it as matching).
  }
  c.Set("aws:PrincipalType", aws::IdentityTypeName(ctx.identity.type));
  return c;
}

std::shared_ptr<const PolicyDocument> IamAuthorizer::Parsed(const std::string& text) const {
  {
    std::lock_guard<std::mutex> l(cache_mu_);
    auto it = cache_.find(text);
    if (it != cache_.end()) return it->second;
  }
  auto parsed = PolicyDocument::Parse(text, PolicyKind::kIdentity);
  // A stored document that no longer parses allows nothing.
  std::shared_ptr<const PolicyDocument> doc =
      parsed.ok() ? std::make_shared<PolicyDocument>(std::move(parsed).value()) : nullptr;
  std::lock_guard<std::mutex> l(cache_mu_);
  if (cache_.size() >= kCacheLimit) cache_.clear();
  cache_[text] = doc;
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

  // A federated user issued by the root user has the root user's (unlimited) identity side.
  bool federated_by_root = id.type == aws::IdentityType::kFederatedUser && id.session &&
                           id.session->issuer && id.session->issuer->type == "Root";
  std::vector<const PolicyDocument*> identity_ptrs;
  std::shared_ptr<const PolicySet> identity;
  if (auto holder = PolicyHolder(id)) {
    identity = PoliciesOf(id.account_id, *holder);
    identity_ptrs.reserve(identity->size());
    for (const auto& d : *identity) identity_ptrs.push_back(d.get());
  } else if (federated_by_root) {
    if (const PolicyDocument* admin =
            AwsManagedPolicy("arn:aws:iam::aws:policy/AdministratorAccess")) {
      identity_ptrs.push_back(admin);
    }
  }
  std::optional<std::vector<std::shared_ptr<const PolicyDocument>>> session;
  if (credential.has_session_policy) {
    session.emplace();
    if (!credential.session_policy.empty()) {
      if (auto d = Parsed(credential.session_policy)) session->push_back(std::move(d));
    }
    for (const std::string& arn : credential.session_policy_arns) {
      if (auto p = store_.GetManagedPolicy(id.account_id, arn)) {
        if (auto d = Parsed(p->document)) session->push_back(std::move(d));
      }
    }
  }
  std::optional<std::vector<const PolicyDocument*>> session_ptrs;
  if (session) {
    session_ptrs.emplace();
    for (const auto& d : *session) session_ptrs->push_back(d.get());
  }
  return PolicyEvaluator::Evaluate(req, identity_ptrs, session_ptrs);
}

std::optional<std::string> IamAuthorizer::Authorize(const aws::RequestContext& ctx) const {
  if (!ctx.credential || ctx.identity.type == aws::IdentityType::kRoot) return std::nullopt;
  const aws::AccessRequest& access = ctx.access;
  if (!access.required) return std::nullopt;
  std::string action = ActionOf(ctx);
  // The condition context is built only if a statement that covers the call needs it.
  Evaluation e = Evaluate(*ctx.credential, ctx.identity, action, access.resource, {},
                          [this, &ctx](ConditionContext& c) { c = ContextOf(ctx); });
  if (!e.allowed()) {
    return AccessDeniedMessage(ctx.identity.arn, action,
                               access.resource_in_denial ? access.resource : "", e.decision);
  }
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
