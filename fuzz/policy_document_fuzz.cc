// Fuzz target: the IAM policy document parser (identity, trust and resource-based kinds, IAM's
// validation order), the S3 bucket policy validator (ValidateResourcePolicy) and, for documents
// that pass, their evaluation: PolicyEvaluator (as identity and as session policy),
// TrustPolicyEvaluator, ResourcePolicyEvaluator, the condition evaluator with policy variables,
// the Action/Resource matchers, and the AccessDenied message.
//
// Input: <policy JSON> NUL <context lines> <flags byte>. The flags byte is the input's last byte;
// the context lines are "key=value" (a key given twice is multivalued) and may set the request
// itself with "@action=", "@resource=", "@principal=", "@role=", "@caller=", "@caller_role=",
// and for resource policies "@bucket=", "@account=", "@caller_account=", "@caller_id=",
// "@issuer_id=".
// Flags:
//   bit 0   trust policy (else identity); ignored with bit 7
//   bit 1   require "Version": "2012-10-17" (CreatePolicy)
//   bit 2   fill each condition key the context lacks with that condition's own values, so that
//           conditions can hold and evaluation goes past them
//   bit 3   the caller is the account root user
//   bits 4-5  trust caller kind: AWS principal, service, federated (3: AWS principal); with bit
//           7, the resource policy's caller: IAM user, service, role session, federated user
//           (the root user with bit 3)
//   bit 6   take the request's action and resource from the policy's first statement
//   bit 7   an S3 bucket policy (ValidateResourcePolicy, then ResourcePolicyEvaluator)
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/strings.h"
#include "fuzz_support.h"
#include "iam/policy/access_denied_message.h"
#include "iam/policy/condition_evaluator.h"
#include "iam/policy/policy_document.h"
#include "iam/policy/policy_evaluator.h"
#include "iam/policy/policy_variables.h"
#include "iam/policy/resource_policy_evaluator.h"
#include "iam/policy/resource_policy_validator.h"
#include "iam/policy/statement_matcher.h"
#include "iam/policy/trust_policy_evaluator.h"

namespace sagetrail::fuzz {
namespace {

using namespace sagetrail::iam;

struct ParsedContext {
  std::map<std::string, std::vector<std::string>> keys;  // in input order per key
  std::map<std::string, std::string> request;            // the "@..." lines
};

ParsedContext ParseContextLines(std::string_view text) {
  ParsedContext out;
  for (std::string_view line : Split(text, '\n')) {
    if (line.empty()) continue;
    size_t eq = line.find('=');
    std::string key(line.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : std::string(line.substr(eq + 1));
    if (!key.empty() && key.front() == '@') {
      out.request[key.substr(1)] = std::move(value);
    } else {
      out.keys[key].push_back(std::move(value));
    }
  }
  return out;
}

std::string Or(const std::map<std::string, std::string>& m, const std::string& key,
               std::string fallback) {
  auto it = m.find(key);
  return it == m.end() ? std::move(fallback) : it->second;
}

// A concrete name an Action/Resource pattern covers (wildcards replaced).
std::string Instance(std::string_view pattern) {
  std::string out(pattern);
  for (char& c : out) {
    if (c == '*' || c == '?') c = 'x';
  }
  return out;
}

void CheckStatementsDirectly(const PolicyDocument& doc, const AuthorizationRequest& request,
                             const ConditionContext& context) {
  for (const Statement& st : doc.statements()) {
    // Every condition on its own, so that each operator is evaluated even when one before it in
    // the block fails (ConditionsHold stops at the first that does); the block holds exactly
    // when each of its conditions does.
    for (bool substitute : {doc.supports_variables(), false}) {
      bool all = true;
      for (const Condition& c : st.conditions) all = ConditionHolds(c, context, substitute) && all;
      Check(ConditionsHold(st.conditions, context, substitute) == all,
            "a condition block decides otherwise than its conditions one by one");
    }
    Check(ActionClauseMatches(st, request.action) ==
              ActionClauseMatchesLower(st, AsciiLower(request.action)),
          "action matching depends on the action's case");
    (void)ResourceClauseMatches(st, request.resource, context, doc.supports_variables());
    for (const std::string& r : st.resources) {
      if (!HasPolicyVariables(r)) continue;
      (void)SubstitutePolicyVariables(r, context, SubstitutionMode::kLiteral);
      (void)SubstitutePolicyVariables(r, context, SubstitutionMode::kPattern);
    }
  }
}

ConditionContext ContextFor(const PolicyDocument& doc, const ParsedContext& pc, bool fill) {
  ConditionContext context;
  for (const auto& [key, values] : pc.keys) {
    if (values.size() == 1) {
      context.Set(key, values.front());
    } else {
      context.SetMulti(key, values);
    }
  }
  if (fill) {
    for (const Statement& st : doc.statements()) {
      for (const Condition& c : st.conditions) {
        if (context.Has(c.key) || c.values.empty()) continue;
        if (c.qualifier == SetQualifier::kNone) {
          context.Set(c.key, c.values.front());
        } else {
          context.SetMulti(c.key, c.values);
        }
      }
    }
  }
  return context;
}

// An S3 bucket policy: S3's checks, then its evaluation for one caller.
void FuzzResourcePolicy(std::string_view policy_text, std::string_view context_text,
                        uint8_t flags) {
  const ParsedContext pc = ParseContextLines(context_text);
  const std::string bucket = Or(pc.request, "bucket", "logs");
  auto validated = ValidateResourcePolicy(policy_text, ResourcePolicyType::kS3Bucket, bucket);
  // The parser's own resource-policy path, whatever the validator said.
  auto parsed = PolicyDocument::Parse(policy_text, PolicyKind::kResource);
  if (!validated.ok()) {
    // S3's own texts: what passes S3's checks must never fail the parser's.
    const std::string& error = validated.error();
    Check(!error.empty(), "a refused bucket policy has no message");
    Check(error != "Syntax errors in policy." && !error.starts_with("Policy statement must"),
          "a bucket policy passed S3's checks but not the resource-policy parser");
    return;
  }
  Check(parsed.ok(), "a bucket policy S3 accepts does not parse as a resource policy");
  const PolicyDocument& doc = validated->document;
  Check(doc.kind() == PolicyKind::kResource, "a validated bucket policy has another kind");
  Check(!doc.statements().empty(), "a bucket policy without statements passed");
  for (const Statement& st : doc.statements()) {
    Check(st.principals.has_value(), "a bucket policy statement without principals passed");
    Check(!st.resources.empty(), "a bucket policy statement without resources passed");
    Check(!(st.not_principal && st.effect == Effect::kAllow), "NotPrincipal with Allow passed");
    for (const std::string& r : st.resources) {
      std::string_view rest = std::string_view(r).substr(std::min(r.size(), size_t{13}));
      Check(r.starts_with("arn:aws:s3:::") && rest.substr(0, rest.find('/')) == bucket,
            "a resource outside the bucket passed");
    }
  }
  for (const std::string& arn : validated->principal_arns) {
    bool named = false;
    for (const Statement& st : doc.statements()) {
      for (const std::string& e : st.principals->aws) named = named || e == arn;
    }
    Check(named, "a principal ARN handed back is not in the policy");
  }

  const Statement& first = doc.statements().front();
  const bool from_policy = flags & 64;
  ResourceRequest request;
  request.action =
      Or(pc.request, "action",
         from_policy && !first.actions.empty() ? Instance(first.actions.front()) : "s3:GetObject");
  request.resource =
      Or(pc.request, "resource",
         from_policy ? Instance(first.resources.front()) : "arn:aws:s3:::" + bucket + "/fuzz");
  ResourceCaller& caller = request.caller;
  caller.account_id = Or(pc.request, "caller_account", "123456789012");
  caller.principal_id = Or(pc.request, "caller_id", "AIDAFUZZ");
  if (flags & 8) {
    caller.kind = ResourceCaller::Kind::kRoot;
    caller.arn = Or(pc.request, "caller", "arn:aws:iam::" + caller.account_id + ":root");
  } else {
    switch ((flags >> 4) & 3) {
      case 0:
        caller.kind = ResourceCaller::Kind::kUser;
        caller.arn = Or(pc.request, "caller", "arn:aws:iam::123456789012:user/bob");
        break;
      case 1:
        caller.kind = ResourceCaller::Kind::kService;
        caller.arn = Or(pc.request, "caller", "cloudtrail.amazonaws.com");
        caller.account_id.clear();
        break;
      case 2:
        caller.kind = ResourceCaller::Kind::kRoleSession;
        caller.arn = Or(pc.request, "caller", "arn:aws:sts::123456789012:assumed-role/Role/s");
        caller.issuer_arn = Or(pc.request, "caller_role", "arn:aws:iam::123456789012:role/Role");
        caller.issuer_id = Or(pc.request, "issuer_id", "AROAFUZZ");
        break;
      default:
        caller.kind = ResourceCaller::Kind::kFederatedUser;
        caller.arn = Or(pc.request, "caller", "arn:aws:sts::123456789012:federated-user/fed");
        caller.issuer_arn = Or(pc.request, "caller_role", "arn:aws:iam::123456789012:user/bob");
        caller.issuer_id = Or(pc.request, "issuer_id", "AIDAFUZZ");
        break;
    }
  }
  request.context = ContextFor(doc, pc, flags & 4);
  // The ids the policy was saved with: each named user and role as the caller's entity, or (the
  // same ARNs) as another entity, which must never grant the caller more.
  std::map<std::string, std::string> same_ids;
  std::map<std::string, std::string> stale_ids;
  for (const std::string& arn : validated->principal_arns) {
    same_ids[arn] = arn == caller.arn ? caller.principal_id : caller.issuer_id;
    stale_ids[arn] = "AIDASTALE";
  }
  request.principal_ids = &same_ids;
  ResourceDecision d = ResourcePolicyEvaluator::Evaluate(doc, request);
  ResourceDecision again = ResourcePolicyEvaluator::Evaluate(doc, request);
  Check(d.allows() == again.allows() && d.explicit_deny == again.explicit_deny,
        "a resource policy decides differently the second time");
  Check(!(d.explicit_deny && d.allows()), "a resource policy both denies and allows");
  if (caller.kind == ResourceCaller::Kind::kService) {
    Check(!d.allows_issuer && !d.allows_account, "a service principal matched as an IAM one");
  }
  if (caller.kind == ResourceCaller::Kind::kRoot || caller.kind == ResourceCaller::Kind::kUser) {
    Check(!d.allows_issuer, "a caller without a session matched through an issuer");
  }
  request.principal_ids = &stale_ids;
  ResourceDecision stale = ResourcePolicyEvaluator::Evaluate(doc, request);
  Check(!stale.allows_issuer || d.allows_issuer, "a stale grant named the caller's issuer");
  if (!d.explicit_deny && !stale.explicit_deny) {
    Check(!stale.allows() || d.allows(), "stale ids granted what current ones do not");
  }
  Decision decision =
      d.explicit_deny ? Decision::kResourceExplicitDeny : Decision::kResourceImplicitDeny;
  std::string message = AccessDeniedMessage(caller.arn, request.action, request.resource, decision);
  Check(message.find(request.action) != std::string::npos &&
            message.find("resource-based policy") != std::string::npos,
        "a resource-based denial does not say so");
  AuthorizationRequest unused;
  unused.action = request.action;
  unused.resource = request.resource;
  CheckStatementsDirectly(doc, unused, request.context);
}

}  // namespace
}  // namespace sagetrail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sagetrail;
  using namespace sagetrail::fuzz;
  using namespace sagetrail::iam;

  FuzzedDataProvider fdp(data, size);
  const uint8_t flags = fdp.ConsumeIntegral<uint8_t>();
  const std::string text = fdp.ConsumeRemainingBytesAsString();
  const size_t nul = text.find('\0');
  const std::string_view policy_text = std::string_view(text).substr(0, nul);
  const std::string_view context_text =
      nul == std::string::npos ? std::string_view() : std::string_view(text).substr(nul + 1);

  if (flags & 128) {
    FuzzResourcePolicy(policy_text, context_text, flags);
    return 0;
  }
  const bool trust = flags & 1;
  PolicyParseOptions options;
  options.kind = trust ? PolicyKind::kTrust : PolicyKind::kIdentity;
  options.require_current_version = flags & 2;
  auto parsed = PolicyDocument::Parse(policy_text, options);
  if (!parsed.ok()) {
    Check(!parsed.error().empty(), "a refused policy has no message");
    return 0;
  }
  const PolicyDocument& doc = *parsed;
  Check(doc.kind() == options.kind, "parsed policy has another kind");
  Check(doc.version() == kPolicyVersion2012 || doc.version() == kPolicyVersion2008,
        "parsed policy has an unknown version");
  Check(!options.require_current_version || doc.version() == kPolicyVersion2012,
        "an old-version policy passed where 2012-10-17 is required");
  Check(!doc.statements().empty(), "a policy without statements parsed");

  ParsedContext pc = ParseContextLines(context_text);
  ConditionContext context = ContextFor(doc, pc, flags & 4);

  const Statement& first = doc.statements().front();
  const bool from_policy = flags & 64;
  std::string action = "sagemaker:CreateModel";
  std::string resource = "arn:aws:sagemaker:us-east-1:123456789012:model/fuzz";
  if (from_policy && !first.actions.empty()) action = Instance(first.actions.front());
  if (from_policy && !first.resources.empty()) resource = Instance(first.resources.front());

  if (!trust) {
    AuthorizationRequest request;
    request.action = Or(pc.request, "action", action);
    request.resource = Or(pc.request, "resource", resource);
    request.principal_arn = Or(pc.request, "principal", "arn:aws:iam::123456789012:user/fuzz");
    request.is_root = flags & 8;
    request.context = context;
    CheckStatementsDirectly(doc, request, context);

    std::vector<PolicyDocument> docs{doc};
    Evaluation alone = PolicyEvaluator::Evaluate(request, docs);
    Evaluation with_session = PolicyEvaluator::Evaluate(request, docs, docs);
    Check(alone.allowed() == with_session.allowed(),
          "a policy intersected with itself decides differently");
    Check(!request.is_root || alone.allowed(), "the root user was denied");
    Check((alone.decision == Decision::kExplicitDeny) == (alone.denying_policy == 0),
          "an explicit deny does not name its policy");
    if (!alone.allowed()) {
      std::string message = AccessDeniedMessage(request, alone.decision);
      Check(message.find(request.action) != std::string::npos,
            "the AccessDenied message does not name the action");
    }
    // An empty list of session policies allows nothing.
    Evaluation none = PolicyEvaluator::Evaluate(request, docs, std::vector<PolicyDocument>{});
    Check(!none.allowed() || request.is_root, "an empty session policy list allowed a request");
  } else {
    TrustRequest request;
    request.role_arn = Or(pc.request, "role", "arn:aws:iam::123456789012:role/Fuzz");
    request.action = Or(pc.request, "action", from_policy ? action : "sts:AssumeRole");
    switch ((flags >> 4) & 3) {
      case 1:
        request.caller.kind = TrustCaller::Kind::kService;
        request.caller.arn = Or(pc.request, "caller", "sagemaker.amazonaws.com");
        break;
      case 2:
        request.caller.kind = TrustCaller::Kind::kFederated;
        request.caller.arn = Or(pc.request, "caller", "cognito-identity.amazonaws.com");
        break;
      default:
        request.caller.kind = TrustCaller::Kind::kAwsPrincipal;
        request.caller.arn = Or(pc.request, "caller", "arn:aws:iam::111122223333:user/bob");
        request.caller.role_arn = Or(pc.request, "caller_role", "");
        break;
    }
    request.context = context;
    TrustDecision decision = TrustPolicyEvaluator::Evaluate(doc, request);
    Check(!(decision.allowed && decision.explicit_deny), "a trust decision both allows and denies");
    Check(decision.allowed == (decision.match != TrustMatch::kNone),
          "an allowed trust decision names no match");
    (void)TrustMatchName(decision.match);
    AuthorizationRequest unused;
    unused.action = request.action;
    unused.resource = request.role_arn;
    CheckStatementsDirectly(doc, unused, context);
  }
  return 0;
}
