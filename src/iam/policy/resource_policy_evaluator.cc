#include "iam/policy/resource_policy_evaluator.h"

#include <string_view>

#include "common/strings.h"
#include "iam/policy/condition_evaluator.h"
#include "iam/policy/principal_entries.h"
#include "iam/policy/statement_matcher.h"

namespace sagetrail::iam {
namespace {

using Kind = ResourceCaller::Kind;

enum class Match { kNone, kDirect, kIssuer, kAccount };

// The strongest way one Principal element names the caller.
Match MatchPrincipals(const Principals& p, const ResourceCaller& caller,
                      const std::map<std::string, std::string>* ids) {
  if (p.wildcard) return Match::kDirect;
  for (const std::string& entry : p.aws) {
    if (entry == "*") return Match::kDirect;
  }
  if (caller.kind == Kind::kService) {
    for (const std::string& entry : p.service) {
      if (EqualsIgnoreCase(entry, caller.arn)) return Match::kDirect;
    }
    return Match::kNone;
  }
  Match best = Match::kNone;
  auto consider = [&](Match m) {
    if (best == Match::kNone || static_cast<int>(m) < static_cast<int>(best)) best = m;
  };
  for (const std::string& entry : p.aws) {
    if (entry == caller.arn) {
      if (SameEntity(ids, entry, caller.principal_id)) consider(Match::kDirect);
    } else if (!caller.issuer_arn.empty() && entry == caller.issuer_arn) {
      if (SameEntity(ids, entry, caller.issuer_id)) consider(Match::kIssuer);
    } else if (std::string_view acct = AccountOfRootEntry(entry);
               !acct.empty() && acct == caller.account_id) {
      consider(caller.kind == Kind::kRoot ? Match::kDirect : Match::kAccount);
    }
  }
  return best;
}

// Whether a NotPrincipal element spares the caller: it names everyone, or the caller fully (its
// account and itself, and a role session's role too).
bool Spares(const Principals& p, const ResourceCaller& caller,
            const std::map<std::string, std::string>* ids) {
  if (p.wildcard) return true;
  for (const std::string& entry : p.aws) {
    if (entry == "*") return true;
  }
  if (caller.kind == Kind::kService) {
    for (const std::string& entry : p.service) {
      if (EqualsIgnoreCase(entry, caller.arn)) return true;
    }
    return false;
  }
  bool account = false;
  bool self = false;
  bool issuer = false;
  for (const std::string& entry : p.aws) {
    std::string_view acct = AccountOfRootEntry(entry);
    if (!acct.empty() && acct == caller.account_id) account = true;
    if (entry == caller.arn && SameEntity(ids, entry, caller.principal_id)) self = true;
    if (!caller.issuer_arn.empty() && entry == caller.issuer_arn &&
        SameEntity(ids, entry, caller.issuer_id)) {
      issuer = true;
    }
  }
  switch (caller.kind) {
    case Kind::kRoot:
      return account;
    case Kind::kRoleSession:
      return account && issuer && self;
    default:
      return account && self;
  }
}

}  // namespace

ResourceDecision ResourcePolicyEvaluator::Evaluate(const PolicyDocument& policy,
                                                   const ResourceRequest& request) {
  ResourceDecision out;
  const std::string action_lower = AsciiLower(request.action);
  const bool variables = policy.supports_variables();
  for (const Statement& st : policy.statements()) {
    if (!st.principals) continue;
    Match m;
    if (st.not_principal) {
      if (st.effect == Effect::kAllow) continue;  // not supported: grants nothing
      m = Spares(*st.principals, request.caller, request.principal_ids) ? Match::kNone
                                                                        : Match::kDirect;
    } else {
      m = MatchPrincipals(*st.principals, request.caller, request.principal_ids);
    }
    if (m == Match::kNone) continue;
    if (!ActionClauseMatchesLower(st, action_lower)) continue;
    if (!ResourceClauseMatches(st, request.resource, request.context, variables)) continue;
    if (!ConditionsHold(st.conditions, request.context, variables)) continue;
    if (st.effect == Effect::kDeny) {
      ResourceDecision denied;
      denied.explicit_deny = true;
      denied.denying_sid = st.sid;
      return denied;  // final, whatever else allows
    }
    switch (m) {
      case Match::kDirect:
        out.allows_directly = true;
        break;
      case Match::kIssuer:
        out.allows_issuer = true;
        break;
      case Match::kAccount:
        out.allows_account = true;
        break;
      case Match::kNone:
        break;
    }
  }
  return out;
}

}  // namespace sagetrail::iam
