#include "iam/sts_service.h"

#include <algorithm>

#include <boost/json.hpp>

#include "aws/protocol/generic_value.h"
#include "common/strings.h"
#include "iam/iam_service.h"
#include "iam/policy/access_denied_message.h"
#include "iam/policy/trust_policy_evaluator.h"

namespace sagetrail::iam {
namespace json = boost::json;
using aws::AwsError;

namespace {

constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kSecretAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr size_t kPackedPolicyLimit = 2048;

AwsError AccessDenied(std::string message) {
  return {"AccessDenied", std::move(message), 403, true};
}
AwsError ValidationError(std::string message) {
  return {"ValidationError", std::move(message), 400, true};
}

bool Temporary(const aws::RequestContext& ctx) {
  return ctx.credential && !ctx.credential->session_token.empty();
}

// "arn:aws:iam::123456789012:role/path/Name" -> (account, name).
std::optional<std::pair<std::string, std::string>> ParseRoleArn(std::string_view arn) {
  auto parts = Split(arn, ':');
  if (parts.size() != 6 || parts[0] != "arn" || parts[2] != "iam") return std::nullopt;
  std::string_view resource = parts[5];
  if (resource.substr(0, 5) != "role/") return std::nullopt;
  std::string_view name = resource.substr(resource.rfind('/') + 1);
  if (parts[4].size() != 12 || name.empty()) return std::nullopt;
  return std::make_pair(std::string(parts[4]), std::string(name));
}

// Session policies: the Policy text and PolicyArns of the request. Checks the text.
std::optional<AwsError> ReadSessionPolicies(const json::value& in, SessionClaims* claims,
                                            int* packed_size) {
  if (auto policy = aws::StringField(in, "Policy")) {
    if (auto err = IamService::CheckPolicyDocument(*policy, false)) return err;
    claims->session_policy = std::string(*policy);
    claims->has_session_policy = true;
  }
  if (const json::value* arns = aws::Field(in, "PolicyArns"); arns && arns->is_array()) {
    for (const json::value& a : arns->get_array()) {
      if (auto arn = aws::StringField(a, "arn")) claims->session_policy_arns.emplace_back(*arn);
    }
    claims->has_session_policy = claims->has_session_policy || !arns->get_array().empty();
  }
  size_t packed = claims->session_policy.size();
  for (const auto& a : claims->session_policy_arns) packed += a.size();
  *packed_size = static_cast<int>(packed * 100 / kPackedPolicyLimit);
  if (packed_size && *packed_size > 100) {
    return AwsError{"PackedPolicyTooLarge",
                    "Packed policy consumes " + std::to_string(*packed_size) +
                        "% of allotted space, please use smaller policy.",
                    400, true};
  }
  return std::nullopt;
}

// Event history finds a call that issued credentials by their key id.
aws::CallResource IssuedKey(const SessionClaims& claims) {
  return {"AWS::IAM::AccessKey", claims.access_key_id, ""};
}

}  // namespace

std::vector<aws::CallResource> StsService::ResolveResources(const aws::RequestContext& ctx) const {
  std::vector<aws::CallResource> out;
  if (auto given = aws::StringField(ctx.input, "RoleArn")) {
    auto role = store_.RoleByArn(*given);
    std::string arn = role ? role->arn : std::string(*given);
    out.push_back({"AWS::IAM::Role", arn, arn});
  }
  return out;
}

aws::AccessRequest StsService::AccessFor(const aws::RequestContext& ctx) const {
  aws::AccessRequest access;
  const std::string& op = ctx.operation->name;
  // Nothing to authorize for who-am-I and one's own session; AssumeRole weighs the role's trust
  // policy itself.
  if (op == "GetCallerIdentity" || op == "GetSessionToken" || op == "AssumeRole") {
    access.required = false;
  } else if (op == "GetFederationToken") {
    access.resource = "arn:aws:sts::" + ctx.account_id + ":federated-user/" +
                      std::string(aws::StringField(ctx.input, "Name").value_or(""));
  }
  return access;
}

StsService::StsService(IdentityStore& store, const IamAuthorizer& authorizer, const Clock& clock,
                       Random& random)
    : store_(store), authorizer_(authorizer), clock_(clock), random_(random) {
  handlers_["GetCallerIdentity"] = [this](aws::RequestContext& ctx) {
    return GetCallerIdentity(ctx);
  };
  handlers_["AssumeRole"] = [this](aws::RequestContext& ctx) { return AssumeRole(ctx); };
  handlers_["GetFederationToken"] = [this](aws::RequestContext& ctx) {
    return GetFederationToken(ctx);
  };
  handlers_["GetSessionToken"] = [this](aws::RequestContext& ctx) { return GetSessionToken(ctx); };
}

bool StsService::Implements(std::string_view op) const {
  return handlers_.count(std::string(op)) != 0;
}

Result<json::value, AwsError> StsService::Invoke(aws::RequestContext& ctx) {
  auto it = handlers_.find(ctx.operation->name);
  if (it == handlers_.end()) {
    return AwsError::NotImplemented("sagetrail does not implement STS operation " +
                                    ctx.operation->name + " yet");
  }
  return it->second(ctx);
}

json::value StsService::Issue(SessionClaims& claims, int duration_seconds) {
  TimePoint now = clock_.Now();
  claims.access_key_id = "ASIA" + random_.FromAlphabet(16, kBase32);
  claims.secret_access_key = random_.FromAlphabet(40, kSecretAlphabet);
  claims.expires_at = FromUnixSeconds(ToUnixSeconds(now) + duration_seconds);
  claims.identity.access_key_id = claims.access_key_id;
  if (!claims.identity.session) claims.identity.session.emplace();
  claims.identity.session->creation_date = FromUnixSeconds(ToUnixSeconds(now));
  std::string token = store_.tokens().Seal(claims, random_);
  return json::object{{"AccessKeyId", claims.access_key_id},
                      {"SecretAccessKey", claims.secret_access_key},
                      {"SessionToken", token},
                      {"Expiration", aws::TimestampValue(claims.expires_at)}};
}

Result<json::value, AwsError> StsService::GetCallerIdentity(aws::RequestContext& ctx) {
  return json::value(json::object{{"UserId", ctx.identity.principal_id},
                                  {"Account", ctx.identity.account_id},
                                  {"Arn", ctx.identity.arn}});
}

Result<json::value, AwsError> StsService::AssumeRole(aws::RequestContext& ctx) {
  const json::value& in = ctx.input;
  std::string role_arn(aws::StringField(in, "RoleArn").value_or(""));
  std::string session_name(aws::StringField(in, "RoleSessionName").value_or(""));
  // A missing role or a trust policy that does not let the caller in: AWS's text stops after
  // the resource (it names no policy type, so it says nothing about which check refused).
  auto not_authorized = [&] {
    return AccessDenied("User: " + ctx.identity.arn +
                        " is not authorized to perform: sts:AssumeRole on resource: " + role_arn);
  };
  if (ctx.identity.type == aws::IdentityType::kRoot) {
    return AccessDenied("Roles may not be assumed by root accounts.");
  }
  auto parsed = ParseRoleArn(role_arn);
  if (!parsed) return not_authorized();
  auto role = store_.GetRole(parsed->first, parsed->second);
  if (!role || role->arn != role_arn) return not_authorized();

  // The trust policy, and where it asks for it, the caller's own permission.
  auto trust = PolicyDocument::Parse(role->trust_policy, PolicyKind::kTrust);
  if (!trust.ok()) return not_authorized();
  TrustRequest tr;
  tr.role_arn = role->arn;
  tr.caller.arn = ctx.identity.arn;
  tr.caller.account_id = ctx.identity.account_id;
  tr.caller.principal_id = ctx.identity.principal_id;
  if (ctx.identity.type == aws::IdentityType::kAssumedRole && ctx.identity.session &&
      ctx.identity.session->issuer) {
    tr.caller.role_arn = ctx.identity.session->issuer->arn;
    tr.caller.role_id = ctx.identity.session->issuer->principal_id;
  }
  tr.principal_ids = &role->trust_principal_ids;
  tr.context = authorizer_.ContextOf(ctx);
  if (auto external = aws::StringField(in, "ExternalId")) {
    tr.context.Set("sts:ExternalId", std::string(*external));
  }
  if (auto source = aws::StringField(in, "SourceIdentity")) {
    tr.context.Set("sts:SourceIdentity", std::string(*source));
  }
  TrustDecision td = TrustPolicyEvaluator::Evaluate(*trust, tr);
  if (!td.allowed) return not_authorized();
  bool cross_account = role->account_id != ctx.identity.account_id;
  if (td.identity_policy_required || cross_account) {
    Evaluation e = authorizer_.Evaluate(*ctx.credential, ctx.identity, "sts:AssumeRole", role->arn,
                                        tr.context);
    if (!e.allowed()) {
      return AccessDenied(
          AccessDeniedMessage(ctx.identity.arn, "sts:AssumeRole", role->arn, e.decision));
    }
  }

  int duration = static_cast<int>(aws::IntField(in, "DurationSeconds").value_or(3600));
  if (ctx.identity.type == aws::IdentityType::kAssumedRole && duration > 3600) {
    return ValidationError(
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role "
        "chaining.");
  }
  if (duration > role->max_session_duration) {
    return ValidationError(
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  }

  SessionClaims claims;
  int packed = 0;
  if (auto err = ReadSessionPolicies(in, &claims, &packed)) return *err;
  aws::Identity& id = claims.identity;
  id.type = aws::IdentityType::kAssumedRole;
  id.principal_id = role->role_id + ":" + session_name;
  id.arn =
      "arn:aws:sts::" + role->account_id + ":assumed-role/" + role->role_name + "/" + session_name;
  id.account_id = role->account_id;
  id.session_name = session_name;
  aws::SessionContext session;
  session.issuer =
      aws::SessionIssuer{"Role", role->role_id, role->arn, role->account_id, role->role_name};
  session.source_identity = std::string(aws::StringField(in, "SourceIdentity").value_or(""));
  id.session = std::move(session);
  json::object out{
      {"Credentials", Issue(claims, duration)},
      {"AssumedRoleUser", json::object{{"AssumedRoleId", id.principal_id}, {"Arn", id.arn}}}};
  if (claims.has_session_policy) out["PackedPolicySize"] = packed;
  if (!id.session->source_identity.empty()) out["SourceIdentity"] = id.session->source_identity;
  // The role's account records the call too.
  if (cross_account) ctx.also_recorded_in.push_back(role->account_id);
  // Event history also finds the call by the new session and its key.
  ctx.resources.push_back({"AWS::STS::AssumedRole", session_name, ""});
  ctx.resources.push_back({"AWS::STS::AssumedRole", id.principal_id, ""});
  ctx.resources.push_back({"AWS::STS::AssumedRole", id.arn, ""});
  ctx.resources.push_back(IssuedKey(claims));
  return json::value(std::move(out));
}

Result<json::value, AwsError> StsService::GetFederationToken(aws::RequestContext& ctx) {
  const json::value& in = ctx.input;
  if (Temporary(ctx)) {
    return AccessDenied("Cannot call GetFederationToken with session credentials");
  }
  bool root = ctx.identity.type == aws::IdentityType::kRoot;
  // The root user's sessions last at most an hour; a longer request gets an hour (STS API).
  int duration = static_cast<int>(aws::IntField(in, "DurationSeconds").value_or(43200));
  if (root) duration = std::min(duration, 3600);
  std::string name(aws::StringField(in, "Name").value_or(""));
  SessionClaims claims;
  int packed = 0;
  if (auto err = ReadSessionPolicies(in, &claims, &packed)) return *err;
  claims.has_session_policy = true;  // without a policy the federated user may do nothing
  aws::Identity& id = claims.identity;
  id.type = aws::IdentityType::kFederatedUser;
  id.principal_id = ctx.identity.account_id + ":" + name;
  id.arn = "arn:aws:sts::" + ctx.identity.account_id + ":federated-user/" + name;
  id.account_id = ctx.identity.account_id;
  id.session_name = name;
  aws::SessionContext session;
  session.issuer =
      aws::SessionIssuer{root ? "Root" : "IAMUser", ctx.identity.principal_id, ctx.identity.arn,
                         ctx.identity.account_id, root ? "" : ctx.identity.user_name};
  id.session = std::move(session);
  json::object out{
      {"Credentials", Issue(claims, duration)},
      {"FederatedUser", json::object{{"FederatedUserId", id.principal_id}, {"Arn", id.arn}}},
      {"PackedPolicySize", packed}};
  ctx.resources.push_back(IssuedKey(claims));
  return json::value(std::move(out));
}

Result<json::value, AwsError> StsService::GetSessionToken(aws::RequestContext& ctx) {
  if (Temporary(ctx)) {
    return AccessDenied("Cannot call GetSessionToken with session credentials");
  }
  bool root = ctx.identity.type == aws::IdentityType::kRoot;
  int duration = static_cast<int>(aws::IntField(ctx.input, "DurationSeconds").value_or(43200));
  if (root) duration = std::min(duration, 3600);
  SessionClaims claims;
  claims.identity = ctx.identity;  // still the IAM user (or root), now with a session
  claims.identity.session = aws::SessionContext{};
  json::value out = json::object{{"Credentials", Issue(claims, duration)}};
  ctx.resources.push_back(IssuedKey(claims));
  return out;
}

}  // namespace sagetrail::iam
