#include "iam/policy/trust_policy_evaluator.h"

#include <string_view>
#include <vector>

#include "common/strings.h"
#include "iam/policy/condition_evaluator.h"
#include "iam/policy/principal_entries.h"
#include "iam/policy/statement_matcher.h"

namespace sagetrail::iam {
namespace {

// Lower is better: a match that needs no identity policy wins over one that does.
int Rank(TrustMatch m) {
  switch (m) {
    case TrustMatch::kPrincipal:
      return 0;
    case TrustMatch::kRole:
      return 1;
    case TrustMatch::kService:
      return 2;
    case TrustMatch::kFederated:
      return 3;
    case TrustMatch::kAnyone:
      return 4;
    case TrustMatch::kAccount:
      return 5;
    case TrustMatch::kNone:
      break;
  }
  return 6;
}

TrustMatch MatchPrincipal(const Principals& p, const TrustCaller& caller,
                          std::string_view caller_account,
                          const std::map<std::string, std::string>* ids) {
  TrustMatch best = TrustMatch::kNone;
  auto consider = [&](TrustMatch m) {
    if (Rank(m) < Rank(best)) best = m;
  };
  switch (caller.kind) {
    case TrustCaller::Kind::kAwsPrincipal:
      if (p.wildcard) consider(TrustMatch::kAnyone);
      for (const std::string& entry : p.aws) {
        if (entry == "*") {
          consider(TrustMatch::kAnyone);
        } else if (entry == caller.arn) {
          if (SameEntity(ids, entry, caller.principal_id)) consider(TrustMatch::kPrincipal);
        } else if (!caller.role_arn.empty() && entry == caller.role_arn) {
          if (SameEntity(ids, entry, caller.role_id)) consider(TrustMatch::kRole);
        } else if (std::string_view acct = AccountOfRootEntry(entry);
                   !acct.empty() && acct == caller_account) {
          consider(TrustMatch::kAccount);
        }
      }
      break;
    case TrustCaller::Kind::kService:
      for (const std::string& entry : p.service) {
        if (EqualsIgnoreCase(entry, caller.arn)) consider(TrustMatch::kService);
      }
      break;
    case TrustCaller::Kind::kFederated:
      for (const std::string& entry : p.federated) {
        if (entry == caller.arn) consider(TrustMatch::kFederated);
      }
      break;
  }
  return best;
}

}  // namespace

const char* TrustMatchName(TrustMatch match) {
  switch (match) {
    case TrustMatch::kNone:
      return "None";
    case TrustMatch::kPrincipal:
      return "Principal";
    case TrustMatch::kRole:
      return "Role";
    case TrustMatch::kService:
      return "Service";
    case TrustMatch::kFederated:
      return "Federated";
    case TrustMatch::kAnyone:
      return "Anyone";
    case TrustMatch::kAccount:
      return "Account";
  }
  return "None";
}

TrustDecision TrustPolicyEvaluator::Evaluate(const PolicyDocument& trust_policy,
                                             const TrustRequest& request) {
  const TrustCaller& caller = request.caller;
  std::string_view caller_account = caller.account_id;
  if (caller_account.empty()) caller_account = ArnAccount(caller.arn);
  bool variables = trust_policy.supports_variables();

  TrustDecision out;
  for (const Statement& st : trust_policy.statements()) {
    if (!st.principals || st.not_principal) continue;  // the parser admits neither in trust
    if (!ActionClauseMatches(st, request.action)) continue;
    TrustMatch m = MatchPrincipal(*st.principals, caller, caller_account, request.principal_ids);
    if (m == TrustMatch::kNone) continue;
    if (!ConditionsHold(st.conditions, request.context, variables)) continue;
    if (st.effect == Effect::kDeny) {
      return TrustDecision{false, true, TrustMatch::kNone, false};
    }
    if (Rank(m) < Rank(out.match)) out.match = m;
    out.allowed = true;
  }
  if (!out.allowed) return out;
  switch (out.match) {
    case TrustMatch::kService:
    case TrustMatch::kFederated:
      out.identity_policy_required = false;
      break;
    case TrustMatch::kAnyone:
    case TrustMatch::kAccount:
      out.identity_policy_required = true;
      break;
    default:  // named directly: enough within the role's own account
      out.identity_policy_required = caller_account != ArnAccount(request.role_arn);
      break;
  }
  return out;
}

}  // namespace sagetrail::iam
