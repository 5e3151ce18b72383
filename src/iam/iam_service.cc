#include "iam/iam_service.h"

#include <boost/json.hpp>

#include "aws/protocol/generic_value.h"
#include "common/crypto.h"
#include "common/strings.h"
#include "iam/policy/policy_document.h"

namespace sagetrail::iam {
namespace json = boost::json;
using aws::AwsError;

namespace {

constexpr size_t kDefaultMaxItems = 100;

AwsError NoSuchEntity(std::string message) {
  return {"NoSuchEntity", std::move(message), 404, true};
}
AwsError Malformed(std::string message) {
  return {"MalformedPolicyDocument", std::move(message), 400, true};
}
// What IAM answers a role, federated user or service that calls an operation about "the calling
// user" without naming one.
AwsError MustNameUser() {
  return {"ValidationError", "Must specify userName when calling with non-User credentials", 400,
          true};
}

// The output of writes that answer nothing but success.
json::object NoOutput(const IdentityStore::Done&) { return {}; }

std::string Field(const json::value& in, std::string_view key) {
  return std::string(aws::StringField(in, key).value_or(""));
}

// IAM returns policy documents URL-encoded (botocore decodes them).
std::string EncodedDocument(std::string_view document) { return UriEncode(document, false); }

json::value UserJson(const UserRecord& u) {
  return json::object{{"Path", u.path},
                      {"UserName", u.user_name},
                      {"UserId", u.user_id},
                      {"Arn", u.arn},
                      {"CreateDate", aws::TimestampValue(u.created)}};
}

// `trust_policy`: the role's trust policy as shown (IamService::DisplayedTrustPolicy).
json::value RoleJson(const RoleRecord& r, std::string_view trust_policy) {
  json::object o{{"Path", r.path},
                 {"RoleName", r.role_name},
                 {"RoleId", r.role_id},
                 {"Arn", r.arn},
                 {"CreateDate", aws::TimestampValue(r.created)},
                 {"AssumeRolePolicyDocument", EncodedDocument(trust_policy)},
                 {"MaxSessionDuration", r.max_session_duration}};
  if (!r.description.empty()) o["Description"] = r.description;
  return o;
}

json::value PolicyJson(const ManagedPolicyRecord& p, int attachments) {
  json::object o{{"PolicyName", p.name},
                 {"PolicyId", p.policy_id},
                 {"Arn", p.arn},
                 {"Path", p.path},
                 {"DefaultVersionId", "v1"},
                 {"AttachmentCount", attachments},
                 {"PermissionsBoundaryUsageCount", 0},
                 {"IsAttachable", true},
                 {"CreateDate", aws::TimestampValue(p.created)},
                 {"UpdateDate", aws::TimestampValue(p.updated)}};
  if (!p.description.empty()) o["Description"] = p.description;
  return o;
}

// One page of `items` after Marker (an opaque offset), MaxItems long; IsTruncated and Marker set.
template <typename T, typename ToJson>
void Page(const json::value& in, const std::vector<T>& items, std::string_view list_key,
          ToJson to_json, json::object* out) {
  size_t offset = 0;
  if (auto marker = aws::StringField(in, "Marker")) {
    auto raw = Base64Decode(*marker);
    if (raw) offset = std::strtoull(raw->c_str(), nullptr, 10);
  }
  size_t max = static_cast<size_t>(aws::IntField(in, "MaxItems").value_or(kDefaultMaxItems));
  json::array list;
  for (size_t i = offset; i < items.size() && list.size() < max; ++i) {
    list.push_back(to_json(items[i]));
  }
  size_t next = offset + list.size();
  (*out)[list_key] = std::move(list);
  (*out)["IsTruncated"] = next < items.size();
  if (next < items.size()) (*out)["Marker"] = Base64Encode(std::to_string(next));
}

bool PathMatches(std::string_view path, const json::value& in) {
  auto prefix = aws::StringField(in, "PathPrefix");
  return !prefix || path.substr(0, prefix->size()) == *prefix;
}

// The user a call is about: its UserName, or the caller when it names none and is a user: an IAM
// user, or the root user (empty: the account's root credentials). Roles, federated users and
// services are no user, and must name one (CheckInput refuses them before this runs; a refusal
// here too, so that no path can fall through to the root user's keys).
Result<std::string, AwsError> SubjectUser(const aws::RequestContext& ctx) {
  if (auto name = aws::StringField(ctx.input, "UserName")) return std::string(*name);
  if (ctx.identity.type == aws::IdentityType::kIAMUser) return ctx.identity.user_name;
  if (ctx.identity.type == aws::IdentityType::kRoot) return std::string();
  return MustNameUser();
}

}  // namespace

std::optional<AwsError> IamService::CheckPolicyDocument(std::string_view document, bool trust,
                                                        bool current_version) {
  PolicyParseOptions options;
  options.kind = trust ? PolicyKind::kTrust : PolicyKind::kIdentity;
  options.require_current_version = current_version;
  auto parsed = PolicyDocument::Parse(document, options);
  if (!parsed.ok()) return Malformed(parsed.error());
  return std::nullopt;
}

Result<std::vector<std::string>, AwsError> IamService::TrustPrincipalArns(
    std::string_view document) {
  auto parsed = PolicyDocument::Parse(document, PolicyKind::kTrust);
  if (!parsed.ok()) return Malformed(parsed.error());
  std::vector<std::string> arns;
  for (const Statement& st : parsed->statements()) {
    if (!st.principals) continue;
    for (const std::string& v : st.principals->aws) {
      // arn:aws:iam::<12 digits>:user/<path/>name or role/<path/>name, no wildcards.
      constexpr std::string_view kPrefix = "arn:aws:iam::";
      if (v.rfind(kPrefix, 0) != 0 || v.find_first_of("*?") != std::string::npos) continue;
      std::string_view rest = std::string_view(v).substr(kPrefix.size());
      if (rest.size() < 14 || rest[12] != ':') continue;
      std::string_view resource = rest.substr(13);
      if (resource.rfind("user/", 0) != 0 && resource.rfind("role/", 0) != 0) continue;
      arns.push_back(v);
    }
  }
  return arns;
}

template <typename T, typename Output>
Result<json::value, AwsError> IamService::Commit(aws::RequestContext& ctx,
                                                 IdentityStore::Outcome<T> outcome, Output output) {
  // The changed entities go into the log with the call's record, at the place the store took
  // while it was still locked; a refused call is recorded at the place it took there too, so it
  // comes before any change it did not see.
  for (store::Mutation& m : outcome.changes.mutations) ctx.mutations.push_back(std::move(m));
  ctx.ticket = std::move(outcome.changes.ticket);
  if (!outcome.ok()) return outcome.error();
  return json::value(output(outcome.value()));
}

std::string IamService::DisplayedTrustPolicy(const RoleRecord& role) const {
  std::map<std::string, std::string> stale;
  for (const auto& [arn, id] : role.trust_principal_ids) {
    if (store_.UniqueIdOf(arn) != id) stale[arn] = id;
  }
  if (stale.empty()) return role.trust_policy;
  boost::system::error_code ec;
  json::value doc = json::parse(role.trust_policy, ec);
  if (ec) return role.trust_policy;
  auto replace = [&](json::value& v) {
    if (!v.is_string()) return;
    auto it = stale.find(std::string(v.get_string()));
    if (it != stale.end()) v = it->second;
  };
  auto visit_principal = [&](json::value& principal) {
    json::object* p = principal.if_object();
    if (p == nullptr) return;
    auto aws = p->find("AWS");
    if (aws == p->end()) return;
    if (json::array* list = aws->value().if_array()) {
      for (json::value& e : *list) replace(e);
    } else {
      replace(aws->value());
    }
  };
  if (json::object* o = doc.if_object()) {
    auto statements = o->find("Statement");
    if (statements != o->end()) {
      auto visit_statement = [&](json::value& st) {
        if (json::object* so = st.if_object()) {
          if (auto p = so->find("Principal"); p != so->end()) visit_principal(p->value());
        }
      };
      if (json::array* list = statements->value().if_array()) {
        for (json::value& st : *list) visit_statement(st);
      } else {
        visit_statement(statements->value());
      }
    }
  }
  return json::serialize(doc);
}

IamService::IamService(IdentityStore& store) : store_(store) {
  auto& h = handlers_;
  // --- users -----------------------------------------------------------------------------------
  h["CreateUser"] = [this](aws::RequestContext& ctx) -> Result<json::value, AwsError> {
    return Commit(
        ctx, store_.AddUser(ctx.account_id, Field(ctx.input, "UserName"), Field(ctx.input, "Path")),
        [](const UserRecord& u) {
          return json::object{{"User", UserJson(u)}};
        });
  };
  h["GetUser"] = [this](aws::RequestContext& ctx) -> Result<json::value, AwsError> {
    auto subject = SubjectUser(ctx);
    if (!subject.ok()) return subject.error();
    const std::string& name = *subject;
    if (name.empty()) {
      // The root user.
      auto account = store_.Account(ctx.account_id);
      json::object user{
          {"Path", "/"},
          {"UserId", ctx.account_id},
          {"Arn", "arn:aws:iam::" + ctx.account_id + ":root"},
          {"CreateDate", aws::TimestampValue(account ? account->created : FromUnixSeconds(0))}};
      if (account && !account->alias.empty()) user["UserName"] = account->alias;
      return json::value(json::object{{"User", std::move(user)}});
    }
    auto user = store_.GetUser(ctx.account_id, name);
    if (!user) return NoSuchEntity("The user with name " + name + " cannot be found.");
    return json::value(json::object{{"User", UserJson(*user)}});
  };
  h["ListUsers"] = [this](aws::RequestContext& ctx) -> Result<json::value, AwsError> {
    std::vector<UserRecord> users;
    for (auto& u : store_.ListUsers(ctx.account_id)) {
      if (PathMatches(u.path, ctx.input)) users.push_back(std::move(u));
    }
    json::object out;
    Page(ctx.input, users, "Users", UserJson, &out);
    return json::value(std::move(out));
  };
  h["DeleteUser"] = [this](aws::RequestContext& ctx) -> Result<json::value, AwsError> {
    return Commit(ctx, store_.RemoveUser(ctx.account_id, Field(ctx.input, "UserName")), NoOutput);
  };
  // --- access keys -----------------------------------------------------------------------------
  h["CreateAccessKey"] = [this](aws::RequestContext& ctx) -> Result<json::value, AwsError> {
    auto subject = SubjectUser(ctx);
    if (!subject.ok()) return subject.error();
    return Commit(ctx, store_.AddAccessKey(ctx.account_id, *subject), [](const AccessKeyRecord& k) {
      json::object key{{"AccessKeyId", k.access_key_id},
                       {"Status", "Active"},
                       {"SecretAccessKey", k.secret_access_key},
                       {"CreateDate", aws::TimestampValue(k.created)}};
      if (!k.user_name.empty()) key["UserName"] = k.user_name;
      return json::object{{"AccessKey", std::move(key)}};
    });
  };
  h["ListAccessKeys"] = [this](aws::RequestContext& ctx) -> Result<json::value, AwsError> {
    auto subject = SubjectUser(ctx);
    if (!subject.ok()) return subject.error();
    const std::string& user = *subject;
    if (!user.empty() && !store_.GetUser(ctx.account_id, user)) {
      return NoSuchEntity("The user with name " + user + " cannot be found.");
    }
    json::object out;
    Page(
        ctx.input, store_.ListAccessKeys(ctx.account_id, user), "AccessKeyMetadata",
        [](const AccessKeyRecord& k) {
          json::object o{{"AccessKeyId", k.access_key_id},
                         {"Status", k.active ? "Active" : "Inactive"},
                         {"CreateDate", aws::TimestampValue(k.created)}};
          if (!k.user_name.empty()) o["UserName"] = k.user_name;
          return json::value(std::move(o));
        },
        &out);
    return json::value(std::move(out));
  };
  h["UpdateAccessKey"] = [this](aws::RequestContext& ctx) -> Result<json::value, AwsError> {
    auto subject = SubjectUser(ctx);
    if (!subject.ok()) return subject.error();
    return Commit(
        ctx,
        store_.SetAccessKeyStatus(ctx.account_id, *subject, Field(ctx.input, "AccessKeyId"),
                                  Field(ctx.input, "Status") == "Active"),
        NoOutput);
  };
  h["DeleteAccessKey"] = [this](aws::RequestContext& ctx) -> Result<json::value, AwsError> {
    auto subject = SubjectUser(ctx);
    if (!subject.ok()) return subject.error();
    return Commit(ctx,
                  store_.RemoveAccessKey(ctx.account_id, *subject, Field(ctx.input, "AccessKeyId")),
                  NoOutput);
  };
  // --- roles -----------------------------------------------------------------------------------
  h["CreateRole"] = [this](aws::RequestContext& ctx) -> Result<json::value, AwsError> {
    RoleRecord role;
    role.account_id = ctx.account_id;
    role.role_name = Field(ctx.input, "RoleName");
    role.path = Field(ctx.input, "Path");
    role.trust_policy = Field(ctx.input, "AssumeRolePolicyDocument");
    role.description = Field(ctx.input, "Description");
    role.max_session_duration =
        static_cast<int>(aws::IntField(ctx.input, "MaxSessionDuration").value_or(3600));
    if (auto err = CheckPolicyDocument(role.trust_policy, true)) return *err;
    auto principals = TrustPrincipalArns(role.trust_policy);
    if (!principals.ok()) return principals.error();
    return Commit(ctx, store_.AddRole(std::move(role), *principals), [](const RoleRecord& r) {
      return json::object{{"Role", RoleJson(r, r.trust_policy)}};
    });
  };
  h["UpdateAssumeRolePolicy"] = [this](aws::RequestContext& ctx) -> Result<json::value, AwsError> {
    std::string document = Field(ctx.input, "PolicyDocument");
    if (auto err = CheckPolicyDocument(document, true)) return *err;
    auto principals = TrustPrincipalArns(document);
    if (!principals.ok()) return principals.error();
    return Commit(
        ctx,
        store_.SetTrustPolicy(ctx.account_id, Field(ctx.input, "RoleName"), document, *principals),
        NoOutput);
  };
  h["UpdateRole"] = [this](aws::RequestContext& ctx) -> Result<json::value, AwsError> {
    auto description = aws::StringField(ctx.input, "Description");
    auto max_session = aws::IntField(ctx.input, "MaxSessionDuration");
    return Commit(ctx,
                  store_.ChangeRole(ctx.account_id, Field(ctx.input, "RoleName"),
                                    [&](RoleRecord& r) {
                                      if (description) r.description = std::string(*description);
                                      if (max_session) {
                                        r.max_session_duration = static_cast<int>(*max_session);
                                      }
                                    }),
                  NoOutput);
  };
  h["GetRole"] = [this](aws::RequestContext& ctx) -> Result<json::value, AwsError> {
    std::string name = Field(ctx.input, "RoleName");
    auto role = store_.GetRole(ctx.account_id, name);
    if (!role) return NoSuchEntity("The role with name " + name + " cannot be found.");
    return json::value(json::object{{"Role", RoleJson(*role, DisplayedTrustPolicy(*role))}});
  };
  h["ListRoles"] = [this](aws::RequestContext& ctx) -> Result<json::value, AwsError> {
    std::vector<RoleRecord> roles;
    for (auto& r : store_.ListRoles(ctx.account_id)) {
      if (PathMatches(r.path, ctx.input)) roles.push_back(std::move(r));
    }
    json::object out;
    Page(
        ctx.input, roles, "Roles",
        [this](const RoleRecord& r) { return RoleJson(r, DisplayedTrustPolicy(r)); }, &out);
    return json::value(std::move(out));
  };
  h["DeleteRole"] = [this](aws::RequestContext& ctx) -> Result<json::value, AwsError> {
    return Commit(ctx, store_.RemoveRole(ctx.account_id, Field(ctx.input, "RoleName")), NoOutput);
  };
  // --- inline policies (users and roles alike) --------------------------------------------------
  for (const char* type : {"User", "Role"}) {
    std::string t = type;
    std::string lower = AsciiLower(t);
    std::string name_key = t + "Name";
    h["Put" + t + "Policy"] =
        [this, lower, name_key](aws::RequestContext& ctx) -> Result<json::value, AwsError> {
      std::string document = Field(ctx.input, "PolicyDocument");
      if (auto err = CheckPolicyDocument(document, false)) return *err;
      return Commit(ctx,
                    store_.PutInlinePolicy(ctx.account_id, {lower, Field(ctx.input, name_key)},
                                           Field(ctx.input, "PolicyName"), document),
                    NoOutput);
    };
    h["Get" + t + "Policy"] =
        [this, lower, name_key](aws::RequestContext& ctx) -> Result<json::value, AwsError> {
      std::string who = Field(ctx.input, name_key), policy = Field(ctx.input, "PolicyName");
      auto doc = store_.GetInlinePolicy(ctx.account_id, {lower, who}, policy);
      if (!doc) {
        return NoSuchEntity("The " + lower + " policy with name " + policy + " cannot be found.");
      }
      return json::value(json::object{
          {name_key, who}, {"PolicyName", policy}, {"PolicyDocument", EncodedDocument(*doc)}});
    };
    h["Delete" + t + "Policy"] =
        [this, lower, name_key](aws::RequestContext& ctx) -> Result<json::value, AwsError> {
      return Commit(ctx,
                    store_.DeleteInlinePolicy(ctx.account_id, {lower, Field(ctx.input, name_key)},
                                              Field(ctx.input, "PolicyName")),
                    NoOutput);
    };
    h["List" + t + "Policies"] =
        [this, lower, name_key](aws::RequestContext& ctx) -> Result<json::value, AwsError> {
      std::string who = Field(ctx.input, name_key);
      bool exists = lower == "user" ? store_.GetUser(ctx.account_id, who).has_value()
                                    : store_.GetRole(ctx.account_id, who).has_value();
      if (!exists) return NoSuchEntity("The " + lower + " with name " + who + " cannot be found.");
      json::object out;
      Page(
          ctx.input, store_.ListInlinePolicies(ctx.account_id, {lower, who}), "PolicyNames",
          [](const std::string& n) { return json::value(n); }, &out);
      return json::value(std::move(out));
    };
    h["Attach" + t + "Policy"] =
        [this, lower, name_key](aws::RequestContext& ctx) -> Result<json::value, AwsError> {
      return Commit(ctx,
                    store_.Attach(ctx.account_id, {lower, Field(ctx.input, name_key)},
                                  Field(ctx.input, "PolicyArn")),
                    NoOutput);
    };
    h["Detach" + t + "Policy"] =
        [this, lower, name_key](aws::RequestContext& ctx) -> Result<json::value, AwsError> {
      return Commit(ctx,
                    store_.Detach(ctx.account_id, {lower, Field(ctx.input, name_key)},
                                  Field(ctx.input, "PolicyArn")),
                    NoOutput);
    };
    h["ListAttached" + t + "Policies"] =
        [this, lower, name_key](aws::RequestContext& ctx) -> Result<json::value, AwsError> {
      std::string who = Field(ctx.input, name_key);
      bool exists = lower == "user" ? store_.GetUser(ctx.account_id, who).has_value()
                                    : store_.GetRole(ctx.account_id, who).has_value();
      if (!exists) return NoSuchEntity("The " + lower + " with name " + who + " cannot be found.");
      json::object out;
      Page(
          ctx.input, store_.ListAttached(ctx.account_id, {lower, who}), "AttachedPolicies",
          [&](const std::string& arn) {
            auto p = store_.GetManagedPolicy(ctx.account_id, arn);
            return json::value(json::object{{"PolicyName", p ? p->name : arn}, {"PolicyArn", arn}});
          },
          &out);
      return json::value(std::move(out));
    };
  }
  // --- managed policies ------------------------------------------------------------------------
  h["CreatePolicy"] = [this](aws::RequestContext& ctx) -> Result<json::value, AwsError> {
    ManagedPolicyRecord p;
    p.account_id = ctx.account_id;
    p.name = Field(ctx.input, "PolicyName");
    p.path = Field(ctx.input, "Path");
    p.document = Field(ctx.input, "PolicyDocument");
    p.description = Field(ctx.input, "Description");
    // Managed policies must be 2012-10-17 documents.
    if (auto err = CheckPolicyDocument(p.document, false, true)) return *err;
    return Commit(ctx, store_.AddManagedPolicy(std::move(p)), [](const ManagedPolicyRecord& added) {
      return json::object{{"Policy", PolicyJson(added, 0)}};
    });
  };
  h["GetPolicy"] = [this](aws::RequestContext& ctx) -> Result<json::value, AwsError> {
    std::string arn = Field(ctx.input, "PolicyArn");
    auto p = store_.GetManagedPolicy(ctx.account_id, arn);
    if (!p) return NoSuchEntity("Policy " + arn + " was not found.");
    return json::value(
        json::object{{"Policy", PolicyJson(*p, store_.AttachmentCount(ctx.account_id, arn))}});
  };
  h["GetPolicyVersion"] = [this](aws::RequestContext& ctx) -> Result<json::value, AwsError> {
    std::string arn = Field(ctx.input, "PolicyArn");
    auto p = store_.GetManagedPolicy(ctx.account_id, arn);
    if (!p || Field(ctx.input, "VersionId") != "v1") {
      return NoSuchEntity("Policy " + arn + " version " + Field(ctx.input, "VersionId") +
                          " does not exist or is not attachable.");
    }
    return json::value(json::object{
        {"PolicyVersion", json::object{{"Document", EncodedDocument(p->document)},
                                       {"VersionId", "v1"},
                                       {"IsDefaultVersion", true},
                                       {"CreateDate", aws::TimestampValue(p->created)}}}});
  };
  h["ListPolicies"] = [this](aws::RequestContext& ctx) -> Result<json::value, AwsError> {
    std::string scope = Field(ctx.input, "Scope");
    bool only_attached = aws::BoolField(ctx.input, "OnlyAttached").value_or(false);
    std::vector<std::pair<ManagedPolicyRecord, int>> policies;
    for (auto& p : store_.ListManagedPolicies(ctx.account_id, scope.empty() ? "All" : scope)) {
      int n = store_.AttachmentCount(ctx.account_id, p.arn);
      if ((only_attached && n == 0) || !PathMatches(p.path, ctx.input)) continue;
      policies.emplace_back(std::move(p), n);
    }
    json::object out;
    Page(
        ctx.input, policies, "Policies",
        [](const std::pair<ManagedPolicyRecord, int>& p) { return PolicyJson(p.first, p.second); },
        &out);
    return json::value(std::move(out));
  };
  h["DeletePolicy"] = [this](aws::RequestContext& ctx) -> Result<json::value, AwsError> {
    return Commit(ctx, store_.RemoveManagedPolicy(ctx.account_id, Field(ctx.input, "PolicyArn")),
                  NoOutput);
  };
}

namespace {

// IAM operations with an optional UserName that default to the caller.
bool ActsOnCallerWithoutUserName(std::string_view op) {
  for (std::string_view o :
       {"GetUser", "CreateAccessKey", "ListAccessKeys", "UpdateAccessKey", "DeleteAccessKey",
        "ListSigningCertificates", "ListSSHPublicKeys", "ListMFADevices",
        "ListServiceSpecificCredentials", "UploadSigningCertificate", "UpdateSigningCertificate",
        "DeleteSigningCertificate", "ChangePassword", "GetLoginProfile"}) {
    if (op == o) return true;
  }
  return false;
}

}  // namespace

std::vector<aws::CallResource> IamService::ResolveResources(const aws::RequestContext& ctx) const {
  std::vector<aws::CallResource> out;
  const std::string& account = ctx.account_id;
  // A name that designates a stored entity is that entity, whatever its case; one that does not
  // (yet) is spelled as IAM would spell it, under the call's Path.
  std::string path(aws::StringField(ctx.input, "Path").value_or("/"));
  if (auto name = aws::StringField(ctx.input, "UserName")) {
    if (auto user = store_.GetUser(account, std::string(*name))) {
      out.push_back({"AWS::IAM::User", user->user_name, user->arn});
    } else {
      out.push_back(
          {"AWS::IAM::User", std::string(*name), UserArn(account, path, std::string(*name))});
    }
  } else if (ctx.identity.type == aws::IdentityType::kIAMUser && ctx.operation != nullptr &&
             ActsOnCallerWithoutUserName(ctx.operation->name)) {
    // The call acts on the calling user (so "arn:aws:iam::*:user/${aws:username}" works).
    out.push_back({"AWS::IAM::User", ctx.identity.user_name, ctx.identity.arn});
  }
  if (auto name = aws::StringField(ctx.input, "RoleName")) {
    if (auto role = store_.GetRole(account, std::string(*name))) {
      out.push_back({"AWS::IAM::Role", role->role_name, role->arn});
    } else {
      out.push_back(
          {"AWS::IAM::Role", std::string(*name), RoleArn(account, path, std::string(*name))});
    }
  }
  if (auto arn = aws::StringField(ctx.input, "PolicyArn")) {
    out.push_back({"AWS::IAM::Policy", std::string(*arn), std::string(*arn)});
  }
  return out;
}

aws::AccessRequest IamService::AccessFor(const aws::RequestContext& ctx) const {
  aws::AccessRequest access = Service::AccessFor(ctx);
  const std::string& op = ctx.operation->name;
  // Listing users and roles is authorized on the path being listed, ListPolicies on the policy
  // path (AWS's denials name these).
  if (op == "ListUsers" || op == "ListRoles") {
    std::string prefix(aws::StringField(ctx.input, "PathPrefix").value_or("/"));
    access.resource =
        "arn:aws:iam::" + ctx.account_id + (op == "ListUsers" ? ":user" : ":role") + prefix;
  } else if (op == "ListPolicies") {
    access.resource =
        "policy path " + std::string(aws::StringField(ctx.input, "PathPrefix").value_or("/"));
  }
  return access;
}

bool IamService::Implements(std::string_view operation) const {
  return handlers_.count(std::string(operation)) != 0;
}

std::optional<AwsError> IamService::CheckInput(const aws::RequestContext& ctx) const {
  // An operation about "the calling user" needs a user to be about: a role's or federated user's
  // session (or a service) must name one. Without this check the caller's empty user name would
  // be the root user's.
  if (ctx.operation != nullptr && ActsOnCallerWithoutUserName(ctx.operation->name) &&
      !aws::StringField(ctx.input, "UserName") &&
      ctx.identity.type != aws::IdentityType::kIAMUser &&
      ctx.identity.type != aws::IdentityType::kRoot) {
    return MustNameUser();
  }
  return std::nullopt;
}

Result<json::value, AwsError> IamService::Invoke(aws::RequestContext& ctx) {
  auto it = handlers_.find(ctx.operation->name);
  if (it == handlers_.end()) {
    return AwsError::NotImplemented("sagetrail does not implement IAM operation " +
                                    ctx.operation->name + " yet");
  }
  return it->second(ctx);
}

}  // namespace sagetrail::iam
