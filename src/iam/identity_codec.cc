#include "iam/identity_codec.h"

#include <boost/json.hpp>

namespace sagetrail::iam {
namespace json = boost::json;

namespace {

constexpr std::string_view kEntityPrefix = "iam/";
constexpr std::string_view kTokenKey = "iam/token_key";
constexpr std::string_view kKinds[] = {"account", "user",   "key",       "role",
                                       "policy",  "inline", "attachment"};

std::string Str(const json::object& o, std::string_view k) {
  auto it = o.find(k);
  return it != o.end() && it->value().is_string() ? std::string(it->value().get_string()) : "";
}
int64_t Int(const json::object& o, std::string_view k) {
  auto it = o.find(k);
  return it != o.end() && it->value().is_int64() ? it->value().get_int64() : 0;
}

// Each kind's JSON object, members in the order they have always been written.
json::object ToJson(const AccountRecord& a) {
  return json::object{{"alias", a.alias}, {"created", ToUnixMillis(a.created)}};
}
json::object ToJson(const UserRecord& u) {
  return json::object{{"name", u.user_name},
                      {"id", u.user_id},
                      {"path", u.path},
                      {"created", ToUnixMillis(u.created)}};
}
json::object ToJson(const AccessKeyRecord& k) {
  return json::object{{"secret", k.secret_access_key},
                      {"user", k.user_name},
                      {"status", k.active ? "Active" : "Inactive"},
                      {"created", ToUnixMillis(k.created)}};
}
json::object ToJson(const RoleRecord& r) {
  json::object trust_ids;
  for (const auto& [arn, id] : r.trust_principal_ids) trust_ids[arn] = id;
  return json::object{{"name", r.role_name},
                      {"id", r.role_id},
                      {"path", r.path},
                      {"trust", r.trust_policy},
                      {"trust_ids", std::move(trust_ids)},
                      {"description", r.description},
                      {"max_session", r.max_session_duration},
                      {"created", ToUnixMillis(r.created)}};
}
json::object ToJson(const ManagedPolicyRecord& p) {
  return json::object{{"name", p.name},
                      {"id", p.policy_id},
                      {"path", p.path},
                      {"document", p.document},
                      {"description", p.description},
                      {"created", ToUnixMillis(p.created)},
                      {"updated", ToUnixMillis(p.updated)}};
}
json::object ToJson(const InlinePolicyRecord& i) {
  return json::object{{"type", i.principal.type},
                      {"principal", i.principal.name},
                      {"name", i.policy_name},
                      {"document", i.document}};
}
json::object ToJson(const AttachmentRecord& a) {
  return json::object{
      {"type", a.principal.type}, {"principal", a.principal.name}, {"arn", a.policy_arn}};
}

StoredEntity FromJson(const EntityRef& ref, const json::object& b) {
  const std::string& account_id = ref.account_id;
  if (ref.kind == "account") {
    return AccountRecord{account_id, Str(b, "alias"), FromUnixMillis(Int(b, "created"))};
  }
  if (ref.kind == "user") {
    UserRecord u;
    u.account_id = account_id;
    u.user_name = Str(b, "name");
    u.user_id = Str(b, "id");
    u.path = Str(b, "path");
    u.arn = UserArn(account_id, u.path, u.user_name);
    u.created = FromUnixMillis(Int(b, "created"));
    return u;
  }
  if (ref.kind == "key") {
    AccessKeyRecord k;
    k.access_key_id = ref.key;
    k.secret_access_key = Str(b, "secret");
    k.account_id = account_id;
    k.user_name = Str(b, "user");
    k.active = Str(b, "status") != "Inactive";
    k.created = FromUnixMillis(Int(b, "created"));
    return k;
  }
  if (ref.kind == "role") {
    RoleRecord r;
    r.account_id = account_id;
    r.role_name = Str(b, "name");
    r.role_id = Str(b, "id");
    r.path = Str(b, "path");
    r.arn = RoleArn(account_id, r.path, r.role_name);
    r.trust_policy = Str(b, "trust");
    if (auto it = b.find("trust_ids"); it != b.end() && it->value().is_object()) {
      for (const auto& kv : it->value().get_object()) {
        if (kv.value().is_string()) {
          r.trust_principal_ids[std::string(kv.key())] = std::string(kv.value().get_string());
        }
      }
    }
    r.description = Str(b, "description");
    r.max_session_duration = static_cast<int>(Int(b, "max_session"));
    r.created = FromUnixMillis(Int(b, "created"));
    return r;
  }
  if (ref.kind == "policy") {
    ManagedPolicyRecord p;
    p.account_id = account_id;
    p.name = Str(b, "name");
    p.policy_id = Str(b, "id");
    p.path = Str(b, "path");
    p.arn = ManagedPolicyArn(account_id, p.path, p.name);
    p.document = Str(b, "document");
    p.description = Str(b, "description");
    p.created = FromUnixMillis(Int(b, "created"));
    p.updated = FromUnixMillis(Int(b, "updated"));
    return p;
  }
  if (ref.kind == "inline") {
    return InlinePolicyRecord{
        {Str(b, "type"), Str(b, "principal"), ""}, Str(b, "name"), Str(b, "document")};
  }
  // "attachment" (Decode checked the kind).
  return AttachmentRecord{{Str(b, "type"), Str(b, "principal"), ""}, Str(b, "arn")};
}

bool KnownKind(std::string_view kind) {
  for (std::string_view k : kKinds) {
    if (k == kind) return true;
  }
  return false;
}

}  // namespace

std::string IdentityCodec::Key(const EntityRef& ref) {
  return std::string(kEntityPrefix) + ref.account_id + "/" + ref.kind + "/" + ref.key;
}

std::optional<EntityRef> IdentityCodec::ParseKey(std::string_view key) {
  if (!key.starts_with(kEntityPrefix)) return std::nullopt;
  // "iam/<account>/<kind>/<key>"; the entity key may itself hold slashes.
  std::string_view rest = key.substr(kEntityPrefix.size());
  size_t a = rest.find('/');
  size_t k = a == std::string_view::npos ? a : rest.find('/', a + 1);
  if (k == std::string_view::npos) return std::nullopt;  // not an entity (the token key)
  std::string_view kind = rest.substr(a + 1, k - a - 1);
  if (!KnownKind(kind)) return std::nullopt;
  return EntityRef{std::string(rest.substr(0, a)), std::string(kind),
                   std::string(rest.substr(k + 1))};
}

std::string IdentityCodec::Encode(const StoredEntity& entity) {
  return json::serialize(std::visit([](const auto& e) { return ToJson(e); }, entity));
}

Result<StoredEntity> IdentityCodec::Decode(const EntityRef& ref, std::string_view body) {
  if (!KnownKind(ref.kind)) {
    return Status::Corruption("stored IAM entity " + Key(ref) + " is of no known kind");
  }
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) {
    return Status::Corruption("stored IAM entity " + Key(ref) + " is not a JSON object");
  }
  return FromJson(ref, v.get_object());
}

store::Mutation IdentityCodec::Put(const EntityRef& ref, const StoredEntity& entity) {
  return store::Mutation::Put(Key(ref), Encode(entity));
}

store::Mutation IdentityCodec::Delete(const EntityRef& ref) {
  return store::Mutation::Delete(Key(ref));
}

Result<std::optional<std::string>> IdentityCodec::TokenKey() const { return state_.Get(kTokenKey); }

store::Mutation IdentityCodec::PutTokenKey(std::string key) {
  return store::Mutation::Put(std::string(kTokenKey), std::move(key));
}

Status IdentityCodec::ForEach(const std::function<void(const EntityRef&, StoredEntity)>& fn) const {
  Status bad = Status::Ok();
  Status s = state_.Scan(kEntityPrefix, [&](std::string_view key, std::string_view body) {
    auto ref = ParseKey(key);
    if (!ref) return true;
    auto entity = Decode(*ref, body);
    if (!entity.ok()) {
      bad = std::move(entity).error();
      return false;
    }
    fn(*ref, std::move(entity).value());
    return true;
  });
  return s.ok() ? bad : s;
}

}  // namespace sagetrail::iam
