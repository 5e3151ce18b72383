#include "iam/policy/policy_evaluator.h"

#include "common/strings.h"
#include "iam/policy/condition_evaluator.h"
#include "iam/policy/statement_matcher.h"

namespace sagetrail::iam {
namespace {

// What one set of policies says about a request.
struct Verdict {
  bool allowed = false;
  bool denied = false;
  int denying_policy = -1;
  std::string denying_sid;
};

// The request's condition context, completed on first use (AuthorizationRequest's
// complete_context).
class LazyContext {
 public:
  explicit LazyContext(const AuthorizationRequest& request) : request_(request) {}
  const ConditionContext& Get() {
    if (!request_.complete_context) return request_.context;
    if (!built_) {
      built_.emplace(request_.context);
      request_.complete_context(*built_);
    }
    return *built_;
  }

 private:
  const AuthorizationRequest& request_;
  std::optional<ConditionContext> built_;
};

bool StatementApplies(const Statement& st, const PolicyDocument& doc,
                      const AuthorizationRequest& request, std::string_view action_lower,
                      LazyContext& context) {
  if (!ActionClauseMatchesLower(st, action_lower)) return false;
  bool variables = doc.supports_variables();
  if (variables && st.resources_have_variables) {
    if (!ResourceClauseMatches(st, request.resource, context.Get(), variables)) return false;
  } else if (!ResourceClauseMatches(st, request.resource, request.context, false)) {
    return false;
  }
  return st.conditions.empty() || ConditionsHold(st.conditions, context.Get(), variables);
}

Verdict Scan(const AuthorizationRequest& request,
             const std::vector<const PolicyDocument*>& policies, std::string_view action_lower,
             LazyContext& context) {
  Verdict v;
  for (size_t i = 0; i < policies.size(); ++i) {
    for (const Statement& st : policies[i]->statements()) {
      // Once allowed, only a Deny can change the outcome; skip the other Allows.
      if (st.effect == Effect::kAllow && v.allowed) continue;
      if (!StatementApplies(st, *policies[i], request, action_lower, context)) continue;
      if (st.effect == Effect::kDeny) {
        v.denied = true;
        v.denying_policy = static_cast<int>(i);
        v.denying_sid = st.sid;
        return v;  // an explicit deny is final
      }
      v.allowed = true;
    }
  }
  return v;
}

std::vector<const PolicyDocument*> Refs(const std::vector<PolicyDocument>& docs) {
  std::vector<const PolicyDocument*> refs;
  refs.reserve(docs.size());
  for (const PolicyDocument& d : docs) refs.push_back(&d);
  return refs;
}

}  // namespace

const char* DecisionName(Decision decision) {
  switch (decision) {
    case Decision::kAllow:
      return "Allow";
    case Decision::kImplicitDeny:
      return "ImplicitDeny";
    case Decision::kExplicitDeny:
      return "ExplicitDeny";
    case Decision::kSessionImplicitDeny:
      return "SessionImplicitDeny";
    case Decision::kSessionExplicitDeny:
      return "SessionExplicitDeny";
    case Decision::kResourceImplicitDeny:
      return "ResourceImplicitDeny";
    case Decision::kResourceExplicitDeny:
      return "ResourceExplicitDeny";
  }
  return "ImplicitDeny";
}

Evaluation PolicyEvaluator::Evaluate(
    const AuthorizationRequest& request, const std::vector<PolicyDocument>& identity_policies,
    const std::optional<std::vector<PolicyDocument>>& session_policies) {
  std::optional<std::vector<const PolicyDocument*>> session;
  if (session_policies) session = Refs(*session_policies);
  return Evaluate(request, Refs(identity_policies), session);
}

Evaluation PolicyEvaluator::Evaluate(
    const AuthorizationRequest& request,
    const std::vector<const PolicyDocument*>& identity_policies,
    const std::optional<std::vector<const PolicyDocument*>>& session_policies) {
  Evaluation out;
  if (request.is_root) {
    out.decision = Decision::kAllow;
    return out;
  }
  const std::string action_lower = AsciiLower(request.action);
  LazyContext context(request);
  Verdict identity = Scan(request, identity_policies, action_lower, context);
  if (identity.denied) {
    out.decision = Decision::kExplicitDeny;
    out.denying_policy = identity.denying_policy;
    out.denying_sid = identity.denying_sid;
    return out;
  }
  Verdict session;
  if (session_policies) {
    session = Scan(request, *session_policies, action_lower, context);
    if (session.denied) {
      out.decision = Decision::kSessionExplicitDeny;
      out.denying_policy = session.denying_policy;
      out.denying_sid = session.denying_sid;
      return out;
    }
  }
  if (!identity.allowed) {
    out.decision = Decision::kImplicitDeny;
  } else if (session_policies && !session.allowed) {
    out.decision = Decision::kSessionImplicitDeny;
  } else {
    out.decision = Decision::kAllow;
  }
  return out;
}

}  // namespace sagetrail::iam
