#include "iam/identity_store.h"

#include <algorithm>

#include <boost/json.hpp>
#include <future>

#include "common/crypto.h"
#include "common/strings.h"
#include "iam/policy/aws_managed_policies.h"

namespace sagetrail::iam {
namespace json = boost::json;

namespace {

constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kSecretAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr size_t kMaxAccessKeysPerUser = 2;
// Where IAM keeps its state: "iam/<account>/<kind>/<key>" per entity, and the token key.
constexpr std::string_view kEntityPrefix = "iam/";
constexpr std::string_view kTokenKey = "iam/token_key";

// An AWS managed policy as a record (its id derived from its ARN, so it is stable).
std::optional<ManagedPolicyRecord> AwsManagedRecord(std::string_view arn) {
  for (const AwsManagedPolicyInfo& p : AwsManagedPolicyCatalog()) {
    if (p.arn != arn) continue;
    ManagedPolicyRecord r;
    r.name = std::string(p.name);
    std::string digest = HexEncode(Sha256(p.arn));
    r.policy_id = "ANPA";
    for (size_t i = 0; i < 17; ++i) r.policy_id.push_back(kBase32[digest[i] % 32]);
    r.arn = std::string(p.arn);
    r.path = std::string(p.path);
    r.document = std::string(p.document);
    r.description = std::string(p.description);
    return r;
  }
  return std::nullopt;
}

aws::AwsError NoSuchEntity(std::string message) {
  return {"NoSuchEntity", std::move(message), 404, true};
}
aws::AwsError AlreadyExists(std::string message) {
  return {"EntityAlreadyExists", std::move(message), 409, true};
}
aws::AwsError DeleteConflict(std::string message) {
  return {"DeleteConflict", std::move(message), 409, true};
}

std::string Str(const json::object& o, std::string_view k) {
  auto it = o.find(k);
  return it != o.end() && it->value().is_string() ? std::string(it->value().get_string()) : "";
}
int64_t Int(const json::object& o, std::string_view k) {
  auto it = o.find(k);
  return it != o.end() && it->value().is_int64() ? it->value().get_int64() : 0;
}

std::string PrincipalKey(const PrincipalRef& p) { return p.type + "/" + AsciiLower(p.name); }

}  // namespace

struct IdentityStore::AccountState {
  AccountRecord account;
  std::map<std::string, UserRecord> users;  // by lower-case name: IAM names ignore case
  std::map<std::string, RoleRecord> roles;
  std::map<std::string, ManagedPolicyRecord> policies;
  struct Inline {
    PrincipalRef principal;
    std::string policy_name;
    std::string document;
  };
  std::map<std::string, Inline> inline_policies;  // "<type>/<name>/<policy>"
  std::map<std::string, std::pair<PrincipalRef, std::string>> attachments;  // key -> (who, arn)
};

IdentityStore::IdentityStore(const store::StateReader& state, aws::AuditSink& commits,
                             Random& random, const Clock& clock)
    : state_(state), commits_(commits), random_(random), clock_(clock) {}

IdentityStore::~IdentityStore() = default;

Result<std::unique_ptr<IdentityStore>> IdentityStore::Open(const store::StateReader& state,
                                                           aws::AuditSink& commits, Random& random,
                                                           const Clock& clock) {
  auto store = std::unique_ptr<IdentityStore>(new IdentityStore(state, commits, random, clock));
  // The key that seals session tokens, made once per data directory.
  auto stored = state.Get(kTokenKey);
  if (!stored.ok()) return stored.error();
  std::string key;
  if (*stored && (*stored)->size() == 32) {
    key = **stored;
  } else {
    key.resize(32);
    random.Fill(reinterpret_cast<uint8_t*>(key.data()), key.size());
    Changes c;
    c.mutations.push_back(store::Mutation::Put(std::string(kTokenKey), key));
    c.ticket = commits.Reserve();
    Status s = store->CommitNow(std::move(c));
    if (!s.ok()) return s;
  }
  store->tokens_ = std::make_unique<SessionTokenCodec>(key);
  Status s = store->Load();
  if (!s.ok()) return s;
  return store;
}

Status IdentityStore::CommitNow(Changes changes) {
  std::promise<Status> committed;
  auto done = committed.get_future();
  commits_.Commit(std::move(changes.ticket), std::move(changes.mutations),
                  [&committed](Status s) { committed.set_value(std::move(s)); });
  return done.get();
}

std::string IdentityStore::UserArn(const std::string& account_id, const std::string& path,
                                   const std::string& user_name) {
  return "arn:aws:iam::" + account_id + ":user" + (path.empty() ? std::string("/") : path) +
         user_name;
}

std::string IdentityStore::RoleArn(const std::string& account_id, const std::string& path,
                                   const std::string& role_name) {
  return "arn:aws:iam::" + account_id + ":role" + (path.empty() ? std::string("/") : path) +
         role_name;
}

// IAM keeps whole seconds ("CreateDate": "2026-11-22T10:00:00Z").
TimePoint IdentityStore::Now() const { return FromUnixSeconds(ToUnixSeconds(clock_.Now())); }

std::string IdentityStore::NewId(std::string_view prefix, size_t n) {
  return std::string(prefix) + random_.FromAlphabet(n, kBase32);
}

IdentityStore::AccountState* IdentityStore::State(const std::string& account_id) {
  auto it = accounts_.find(account_id);
  return it == accounts_.end() ? nullptr : it->second.get();
}

const IdentityStore::AccountState* IdentityStore::State(const std::string& account_id) const {
  auto it = accounts_.find(account_id);
  return it == accounts_.end() ? nullptr : it->second.get();
}

// --- loading ------------------------------------------------------------------------------

// Called with mu_ held exclusively (or before the store is shared).
void IdentityStore::LoadEntity(const std::string& account_id, const std::string& kind,
                               const std::string& key, const std::string& body_text) {
  boost::system::error_code ec;
  json::value v = json::parse(body_text, ec);
  if (ec || !v.is_object()) return;
  const json::object& b = v.get_object();
  auto& slot = accounts_[account_id];
  if (!slot) {
    slot = std::make_unique<AccountState>();
    slot->account.account_id = account_id;
  }
  AccountState& a = *slot;
  if (kind == "account") {
    a.account.alias = Str(b, "alias");
    a.account.created = FromUnixMillis(Int(b, "created"));
  } else if (kind == "user") {
    UserRecord u;
    u.account_id = account_id;
    u.user_name = Str(b, "name");
    u.user_id = Str(b, "id");
    u.path = Str(b, "path");
    u.arn = UserArn(account_id, u.path, u.user_name);
    u.created = FromUnixMillis(Int(b, "created"));
    a.users[key] = u;
  } else if (kind == "role") {
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
    a.roles[key] = r;
  } else if (kind == "policy") {
    ManagedPolicyRecord p;
    p.account_id = account_id;
    p.name = Str(b, "name");
    p.policy_id = Str(b, "id");
    p.path = Str(b, "path");
    p.arn = "arn:aws:iam::" + account_id + ":policy" + p.path + p.name;
    p.document = Str(b, "document");
    p.description = Str(b, "description");
    p.created = FromUnixMillis(Int(b, "created"));
    p.updated = FromUnixMillis(Int(b, "updated"));
    a.policies[key] = p;
  } else if (kind == "inline") {
    a.inline_policies[key] = {
        {Str(b, "type"), Str(b, "principal")}, Str(b, "name"), Str(b, "document")};
  } else if (kind == "attachment") {
    a.attachments[key] = {{Str(b, "type"), Str(b, "principal")}, Str(b, "arn")};
  } else if (kind == "key") {
    AccessKeyRecord k;
    k.access_key_id = key;
    k.secret_access_key = Str(b, "secret");
    k.account_id = account_id;
    k.user_name = Str(b, "user");
    k.active = Str(b, "status") != "Inactive";
    k.created = FromUnixMillis(Int(b, "created"));
    // Credentials are built once every entity is loaded (they need the user's record).
    keys_[key] = nullptr;
    pending_keys_.push_back(k);
  }
}

std::unique_lock<std::shared_mutex> IdentityStore::LockForWrite() {
  std::unique_lock lock(mu_);
  generation_.fetch_add(1, std::memory_order_release);
  return lock;
}

Status IdentityStore::Load() {
  auto lock = LockForWrite();
  pending_keys_.clear();
  Status s = state_.Scan(kEntityPrefix, [&](std::string_view key, std::string_view body) {
    // "iam/<account>/<kind>/<key>"; the entity key may itself hold slashes.
    std::string_view rest = key.substr(kEntityPrefix.size());
    size_t a = rest.find('/');
    size_t k = a == std::string_view::npos ? a : rest.find('/', a + 1);
    if (k == std::string_view::npos) return true;  // not an entity (the token key)
    LoadEntity(std::string(rest.substr(0, a)), std::string(rest.substr(a + 1, k - a - 1)),
               std::string(rest.substr(k + 1)), std::string(body));
    return true;
  });
  if (!s.ok()) return s;
  for (auto& [id, a] : accounts_) {  // accounts saved without their creation time
    if (a->account.created != TimePoint{}) continue;
    std::vector<TimePoint> times;
    for (const auto& [k, u] : a->users) times.push_back(u.created);
    for (const auto& [k, r] : a->roles) times.push_back(r.created);
    for (const auto& [k, p] : a->policies) times.push_back(p.created);
    for (const AccessKeyRecord& k : pending_keys_) {
      if (k.account_id == id) times.push_back(k.created);
    }
    if (!times.empty()) a->account.created = *std::min_element(times.begin(), times.end());
  }
  for (const AccessKeyRecord& k : pending_keys_) {
    auto c = MakeCredential(k);
    if (c) {
      keys_[k.access_key_id] = std::move(c);
    } else {
      keys_.erase(k.access_key_id);
    }
  }
  pending_keys_.clear();
  return Status::Ok();
}

std::string IdentityStore::EntityKey(const EntityRef& e) {
  return std::string(kEntityPrefix) + e.account_id + "/" + e.kind + "/" + e.key;
}

store::Mutation IdentityStore::MutationOf(const EntityRef& e) const {
  std::optional<std::string> body;
  {
    const AccountState* a = State(e.account_id);
    if (a != nullptr) {
      if (e.kind == "account") {
        body = json::serialize(json::object{{"alias", a->account.alias},
                                            {"created", ToUnixMillis(a->account.created)}});
      } else if (e.kind == "user") {
        if (auto it = a->users.find(e.key); it != a->users.end()) {
          const UserRecord& u = it->second;
          body = json::serialize(json::object{{"name", u.user_name},
                                              {"id", u.user_id},
                                              {"path", u.path},
                                              {"created", ToUnixMillis(u.created)}});
        }
      } else if (e.kind == "role") {
        if (auto it = a->roles.find(e.key); it != a->roles.end()) {
          const RoleRecord& r = it->second;
          json::object trust_ids;
          for (const auto& [arn, id] : r.trust_principal_ids) trust_ids[arn] = id;
          body = json::serialize(json::object{{"name", r.role_name},
                                              {"id", r.role_id},
                                              {"path", r.path},
                                              {"trust", r.trust_policy},
                                              {"trust_ids", std::move(trust_ids)},
                                              {"description", r.description},
                                              {"max_session", r.max_session_duration},
                                              {"created", ToUnixMillis(r.created)}});
        }
      } else if (e.kind == "policy") {
        if (auto it = a->policies.find(e.key); it != a->policies.end()) {
          const ManagedPolicyRecord& p = it->second;
          body = json::serialize(json::object{{"name", p.name},
                                              {"id", p.policy_id},
                                              {"path", p.path},
                                              {"document", p.document},
                                              {"description", p.description},
                                              {"created", ToUnixMillis(p.created)},
                                              {"updated", ToUnixMillis(p.updated)}});
        }
      } else if (e.kind == "inline") {
        if (auto it = a->inline_policies.find(e.key); it != a->inline_policies.end()) {
          body = json::serialize(json::object{{"type", it->second.principal.type},
                                              {"principal", it->second.principal.name},
                                              {"name", it->second.policy_name},
                                              {"document", it->second.document}});
        }
      } else if (e.kind == "attachment") {
        if (auto it = a->attachments.find(e.key); it != a->attachments.end()) {
          body = json::serialize(json::object{{"type", it->second.first.type},
                                              {"principal", it->second.first.name},
                                              {"arn", it->second.second}});
        }
      }
    }
    if (e.kind == "key") {
      auto it = keys_.find(e.key);
      if (it != keys_.end() && it->second) {
        const aws::Credential& c = *it->second;
        body = json::serialize(json::object{
            {"secret", c.secret_access_key},
            {"user", c.identity.type == aws::IdentityType::kRoot ? "" : c.identity.user_name},
            {"status", c.active ? "Active" : "Inactive"},
            {"created", ToUnixMillis(c.created)}});
      }
    }
  }
  if (!body) return store::Mutation::Delete(EntityKey(e));
  return store::Mutation::Put(EntityKey(e), std::move(*body));
}

IdentityStore::Changes IdentityStore::Stage(const std::vector<EntityRef>& entities) {
  Changes c;
  for (const EntityRef& e : entities) c.mutations.push_back(MutationOf(e));
  c.ticket = commits_.Reserve();
  return c;
}

// --- credentials --------------------------------------------------------------------------

// Called with mu_ held (either mode).
std::shared_ptr<const aws::Credential> IdentityStore::MakeCredential(
    const AccessKeyRecord& key) const {
  auto c = std::make_shared<aws::Credential>();
  c->access_key_id = key.access_key_id;
  c->secret_access_key = key.secret_access_key;
  c->active = key.active;
  c->created = key.created;
  aws::Identity& id = c->identity;
  id.account_id = key.account_id;
  id.access_key_id = key.access_key_id;
  const AccountState* a = State(key.account_id);
  if (key.user_name.empty()) {
    id.type = aws::IdentityType::kRoot;
    id.principal_id = key.account_id;
    id.arn = "arn:aws:iam::" + key.account_id + ":root";
    if (a != nullptr) id.user_name = a->account.alias;
  } else {
    if (a == nullptr) return nullptr;
    auto user = a->users.find(AsciiLower(key.user_name));
    if (user == a->users.end()) return nullptr;
    id.type = aws::IdentityType::kIAMUser;
    id.principal_id = user->second.user_id;
    id.arn = user->second.arn;
    id.user_name = user->second.user_name;
  }
  return c;
}

bool IdentityStore::SessionPrincipalExists(const aws::Identity& id) const {
  std::shared_lock lock(mu_);
  // The user or role a session stands for, by name, and whether it is still the same entity.
  auto user_is = [&](const std::string& account_id, const std::string& name,
                     const std::string& user_id) {
    const AccountState* a = State(account_id);
    if (a == nullptr) return false;
    auto it = a->users.find(AsciiLower(name));
    return it != a->users.end() && it->second.user_id == user_id;
  };
  switch (id.type) {
    case aws::IdentityType::kRoot:
      return State(id.account_id) != nullptr;
    case aws::IdentityType::kIAMUser:
      return user_is(id.account_id, id.user_name, id.principal_id);
    case aws::IdentityType::kAssumedRole: {
      if (!id.session || !id.session->issuer) return false;
      const aws::SessionIssuer& issuer = *id.session->issuer;
      const AccountState* a = State(issuer.account_id);
      if (a == nullptr) return false;
      auto it = a->roles.find(AsciiLower(issuer.user_name));
      return it != a->roles.end() && it->second.role_id == issuer.principal_id;
    }
    case aws::IdentityType::kFederatedUser: {
      if (!id.session || !id.session->issuer) return false;
      const aws::SessionIssuer& issuer = *id.session->issuer;
      if (issuer.type == "Root") return State(issuer.account_id) != nullptr;
      return user_is(issuer.account_id, issuer.user_name, issuer.principal_id);
    }
    case aws::IdentityType::kAWSService:
      return false;
  }
  return false;
}

std::shared_ptr<const aws::Credential> IdentityStore::FromSessionToken(
    std::string_view access_key_id, std::string_view token) const {
  auto claims = tokens_->Open(token);
  if (!claims || claims->access_key_id != access_key_id) return nullptr;
  // A session lives no longer than the principal it stands for: once that user or role is
  // deleted, its sessions are refused, whatever is later created under the same name.
  if (!SessionPrincipalExists(claims->identity)) return nullptr;
  auto c = std::make_shared<aws::Credential>();
  c->access_key_id = claims->access_key_id;
  c->secret_access_key = claims->secret_access_key;
  c->session_token = std::string(token);
  c->expiration = claims->expires_at;
  c->identity = std::move(claims->identity);
  c->identity.access_key_id = c->access_key_id;
  c->session_policy = std::move(claims->session_policy);
  c->session_policy_arns = std::move(claims->session_policy_arns);
  c->has_session_policy = claims->has_session_policy;
  return c;
}

std::shared_ptr<const aws::Credential> IdentityStore::Find(std::string_view access_key_id,
                                                           std::string_view session_token) const {
  if (!session_token.empty() && access_key_id.substr(0, 4) == "ASIA") {
    return FromSessionToken(access_key_id, session_token);
  }
  {
    std::shared_lock lock(mu_);
    auto it = keys_.find(std::string(access_key_id));
    if (it != keys_.end()) return it->second;
  }
  return nullptr;
}

// --- setup ----------------------------------------------------------------------------------

std::vector<AccountRecord> IdentityStore::Accounts() const {
  std::shared_lock lock(mu_);
  std::vector<AccountRecord> out;
  for (const auto& [id, a] : accounts_) out.push_back(a->account);
  return out;
}

std::optional<AccountRecord> IdentityStore::Account(const std::string& account_id) const {
  std::shared_lock lock(mu_);
  const AccountState* a = State(account_id);
  if (a == nullptr) return std::nullopt;
  return a->account;
}

Status IdentityStore::CreateAccount(const std::string& account_id, const std::string& alias) {
  Changes changes;
  {
    auto lock = LockForWrite();
    if (accounts_.count(account_id))
      return Status::AlreadyExists("account " + account_id + " already exists");
    auto a = std::make_unique<AccountState>();
    a->account = {account_id, alias, Now()};
    accounts_[account_id] = std::move(a);
    changes = Stage({{account_id, "account", account_id}});
  }
  return CommitNow(std::move(changes));
}

Result<UserRecord> IdentityStore::CreateUser(const std::string& account_id,
                                             const std::string& user_name) {
  auto added = AddUser(account_id, user_name, "/");
  if (!added.ok()) return Status::AlreadyExists(added.error().message);
  Status s = CommitNow(std::move(added->second));
  if (!s.ok()) return s;
  return added->first;
}

Result<AccessKeyRecord> IdentityStore::CreateAccessKey(const std::string& account_id,
                                                       const std::string& user_name) {
  AccessKeyRecord k;
  k.access_key_id = NewId("AKIA", 16);
  k.secret_access_key = random_.FromAlphabet(40, kSecretAlphabet);
  k.account_id = account_id;
  k.user_name = user_name;
  k.created = Now();
  Changes changes;
  {
    auto lock = LockForWrite();
    if (State(account_id) == nullptr) return Status::NotFound("no account " + account_id);
    auto c = MakeCredential(k);
    if (c == nullptr) return Status::NotFound("no user " + user_name + " in account " + account_id);
    keys_[k.access_key_id] = std::move(c);
    changes = Stage({{account_id, "key", k.access_key_id}});
  }
  Status s = CommitNow(std::move(changes));
  if (!s.ok()) return s;
  return k;
}

Status IdentityStore::AttachPolicyNow(const std::string& account_id, const PrincipalRef& principal,
                                      const std::string& policy_arn) {
  auto changes = Attach(account_id, principal, policy_arn);
  if (!changes.ok()) return Status::NotFound(changes.error().message);
  return CommitNow(std::move(changes).value());
}

// --- users and keys ---------------------------------------------------------------------------

Result<std::pair<UserRecord, IdentityStore::Changes>, aws::AwsError> IdentityStore::AddUser(
    const std::string& account_id, const std::string& user_name, const std::string& path) {
  auto lock = LockForWrite();
  AccountState* a = State(account_id);
  if (a == nullptr) return NoSuchEntity("The account " + account_id + " cannot be found.");
  std::string key = AsciiLower(user_name);
  if (a->users.count(key)) return AlreadyExists("User with name " + user_name + " already exists.");
  UserRecord u;
  u.account_id = account_id;
  u.user_name = user_name;
  u.user_id = NewId("AIDA", 17);
  u.path = path.empty() ? "/" : path;
  u.arn = UserArn(account_id, u.path, user_name);
  u.created = Now();
  a->users[key] = u;
  return std::make_pair(u, Stage({{account_id, "user", key}}));
}

std::optional<UserRecord> IdentityStore::GetUser(const std::string& account_id,
                                                 const std::string& name) const {
  std::shared_lock lock(mu_);
  const AccountState* a = State(account_id);
  if (a == nullptr) return std::nullopt;
  auto it = a->users.find(AsciiLower(name));
  if (it == a->users.end()) return std::nullopt;
  return it->second;
}

std::vector<UserRecord> IdentityStore::ListUsers(const std::string& account_id) const {
  std::shared_lock lock(mu_);
  std::vector<UserRecord> out;
  if (const AccountState* a = State(account_id)) {
    for (const auto& [k, u] : a->users) out.push_back(u);
  }
  return out;
}

Result<IdentityStore::Changes, aws::AwsError> IdentityStore::RemoveUser(
    const std::string& account_id, const std::string& name) {
  auto lock = LockForWrite();
  AccountState* a = State(account_id);
  std::string key = AsciiLower(name);
  if (a == nullptr || !a->users.count(key)) {
    return NoSuchEntity("The user with name " + name + " cannot be found.");
  }
  for (const auto& [id, c] : keys_) {
    if (c && c->identity.account_id == account_id &&
        c->identity.type == aws::IdentityType::kIAMUser &&
        AsciiLower(c->identity.user_name) == key) {
      return DeleteConflict("Cannot delete entity, must delete access keys first.");
    }
  }
  std::string prefix = "user/" + key + "/";
  for (const auto& [k, p] : a->inline_policies) {
    if (k.rfind(prefix, 0) == 0) {
      return DeleteConflict("Cannot delete entity, must delete policies first.");
    }
  }
  for (const auto& [k, p] : a->attachments) {
    if (k.rfind(prefix, 0) == 0) {
      return DeleteConflict("Cannot delete entity, must detach all policies first.");
    }
  }
  a->users.erase(key);
  return Stage({{account_id, "user", key}});
}

Result<std::pair<AccessKeyRecord, IdentityStore::Changes>, aws::AwsError>
IdentityStore::AddAccessKey(const std::string& account_id, const std::string& user_name) {
  auto lock = LockForWrite();
  const AccountState* a = State(account_id);
  if (!user_name.empty() && (a == nullptr || !a->users.count(AsciiLower(user_name)))) {
    return NoSuchEntity("The user with name " + user_name + " cannot be found.");
  }
  size_t existing = 0;
  for (const auto& [id, c] : keys_) {
    if (!c || c->identity.account_id != account_id) continue;
    bool root = c->identity.type == aws::IdentityType::kRoot;
    if (user_name.empty() ? root
                          : !root && AsciiLower(c->identity.user_name) == AsciiLower(user_name)) {
      ++existing;
    }
  }
  if (existing >= kMaxAccessKeysPerUser) {
    return aws::AwsError{"LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2", 409,
                         true};
  }
  AccessKeyRecord k;
  k.access_key_id = NewId("AKIA", 16);
  k.secret_access_key = random_.FromAlphabet(40, kSecretAlphabet);
  k.account_id = account_id;
  k.user_name = user_name.empty() ? "" : a->users.at(AsciiLower(user_name)).user_name;
  k.created = Now();
  keys_[k.access_key_id] = MakeCredential(k);
  return std::make_pair(k, Stage({{account_id, "key", k.access_key_id}}));
}

std::vector<AccessKeyRecord> IdentityStore::ListAccessKeys(const std::string& account_id,
                                                           const std::string& user_name) const {
  std::shared_lock lock(mu_);
  std::vector<AccessKeyRecord> out;
  for (const auto& [id, c] : keys_) {
    if (!c || c->identity.account_id != account_id) continue;
    bool root = c->identity.type == aws::IdentityType::kRoot;
    bool match = user_name.empty()
                     ? root
                     : !root && AsciiLower(c->identity.user_name) == AsciiLower(user_name);
    if (!match) continue;
    AccessKeyRecord k;
    k.access_key_id = id;
    k.account_id = account_id;
    k.user_name = root ? "" : c->identity.user_name;
    k.active = c->active;
    k.created = c->created;
    out.push_back(std::move(k));
  }
  std::sort(out.begin(), out.end(), [](const AccessKeyRecord& a, const AccessKeyRecord& b) {
    return a.created < b.created;
  });
  return out;
}

aws::AwsError IdentityStore::KeyNotFound(const std::string& account_id,
                                         const std::string& user_name,
                                         const std::string& key_id) const {
  const AccountState* a = State(account_id);
  if (!user_name.empty() && (a == nullptr || !a->users.count(AsciiLower(user_name)))) {
    return NoSuchEntity("The user with name " + user_name + " cannot be found.");
  }
  return NoSuchEntity("The Access Key with id " + key_id + " cannot be found.");
}

Result<IdentityStore::Changes, aws::AwsError> IdentityStore::SetAccessKeyStatus(
    const std::string& account_id, const std::string& user_name, const std::string& key_id,
    bool active) {
  auto lock = LockForWrite();
  auto it = keys_.find(key_id);
  bool owned =
      it != keys_.end() && it->second && it->second->identity.account_id == account_id &&
      (user_name.empty() ? it->second->identity.type == aws::IdentityType::kRoot
                         : AsciiLower(it->second->identity.user_name) == AsciiLower(user_name));
  if (!owned) return KeyNotFound(account_id, user_name, key_id);
  auto updated = std::make_shared<aws::Credential>(*it->second);
  updated->active = active;
  it->second = std::move(updated);
  return Stage({{account_id, "key", key_id}});
}

Result<IdentityStore::Changes, aws::AwsError> IdentityStore::RemoveAccessKey(
    const std::string& account_id, const std::string& user_name, const std::string& key_id) {
  auto lock = LockForWrite();
  auto it = keys_.find(key_id);
  bool owned =
      it != keys_.end() && it->second && it->second->identity.account_id == account_id &&
      (user_name.empty() ? it->second->identity.type == aws::IdentityType::kRoot
                         : AsciiLower(it->second->identity.user_name) == AsciiLower(user_name));
  if (!owned) return KeyNotFound(account_id, user_name, key_id);
  keys_.erase(it);
  return Stage({{account_id, "key", key_id}});
}

// --- roles ----------------------------------------------------------------------------------

Result<std::pair<RoleRecord, IdentityStore::Changes>, aws::AwsError> IdentityStore::AddRole(
    RoleRecord role) {
  auto lock = LockForWrite();
  AccountState* a = State(role.account_id);
  if (a == nullptr) return NoSuchEntity("The account " + role.account_id + " cannot be found.");
  std::string key = AsciiLower(role.role_name);
  if (a->roles.count(key)) {
    return AlreadyExists("Role with name " + role.role_name + " already exists.");
  }
  role.role_id = NewId("AROA", 17);
  if (role.path.empty()) role.path = "/";
  role.arn = RoleArn(role.account_id, role.path, role.role_name);
  role.created = Now();
  a->roles[key] = role;
  return std::make_pair(role, Stage({{role.account_id, "role", key}}));
}

Result<IdentityStore::Changes, aws::AwsError> IdentityStore::ChangeRole(
    const std::string& account_id, const std::string& name,
    const std::function<void(RoleRecord&)>& change) {
  auto lock = LockForWrite();
  AccountState* a = State(account_id);
  std::string key = AsciiLower(name);
  if (a == nullptr || !a->roles.count(key)) {
    return NoSuchEntity("The role with name " + name + " cannot be found.");
  }
  RoleRecord& role = a->roles[key];
  change(role);
  return Stage({{account_id, "role", key}});
}

std::optional<RoleRecord> IdentityStore::GetRole(const std::string& account_id,
                                                 const std::string& name) const {
  std::shared_lock lock(mu_);
  const AccountState* a = State(account_id);
  if (a == nullptr) return std::nullopt;
  auto it = a->roles.find(AsciiLower(name));
  if (it == a->roles.end()) return std::nullopt;
  return it->second;
}

std::vector<RoleRecord> IdentityStore::ListRoles(const std::string& account_id) const {
  std::shared_lock lock(mu_);
  std::vector<RoleRecord> out;
  if (const AccountState* a = State(account_id)) {
    for (const auto& [k, r] : a->roles) out.push_back(r);
  }
  return out;
}

Result<IdentityStore::Changes, aws::AwsError> IdentityStore::RemoveRole(
    const std::string& account_id, const std::string& name) {
  auto lock = LockForWrite();
  AccountState* a = State(account_id);
  std::string key = AsciiLower(name);
  if (a == nullptr || !a->roles.count(key)) {
    return NoSuchEntity("The role with name " + name + " cannot be found.");
  }
  std::string prefix = "role/" + key + "/";
  for (const auto& [k, p] : a->inline_policies) {
    if (k.rfind(prefix, 0) == 0) {
      return DeleteConflict("Cannot delete entity, must delete policies first.");
    }
  }
  for (const auto& [k, p] : a->attachments) {
    if (k.rfind(prefix, 0) == 0) {
      return DeleteConflict("Cannot delete entity, must detach all policies first.");
    }
  }
  a->roles.erase(key);
  return Stage({{account_id, "role", key}});
}

// --- inline policies --------------------------------------------------------------------------

Result<IdentityStore::Changes, aws::AwsError> IdentityStore::PutInlinePolicy(
    const std::string& account_id, const PrincipalRef& principal, const std::string& policy_name,
    const std::string& document) {
  auto lock = LockForWrite();
  AccountState* a = State(account_id);
  std::string who = AsciiLower(principal.name);
  bool exists = a != nullptr &&
                (principal.type == "user" ? a->users.count(who) != 0 : a->roles.count(who) != 0);
  if (!exists) {
    return NoSuchEntity("The " + principal.type + " with name " + principal.name +
                        " cannot be found.");
  }
  std::string key = PrincipalKey(principal) + "/" + policy_name;
  const std::string& canonical =
      principal.type == "user" ? a->users.at(who).user_name : a->roles.at(who).role_name;
  a->inline_policies[key] = {{principal.type, canonical}, policy_name, document};
  return Stage({{account_id, "inline", key}});
}

std::optional<std::string> IdentityStore::GetInlinePolicy(const std::string& account_id,
                                                          const PrincipalRef& principal,
                                                          const std::string& policy_name) const {
  std::shared_lock lock(mu_);
  const AccountState* a = State(account_id);
  if (a == nullptr) return std::nullopt;
  auto it = a->inline_policies.find(PrincipalKey(principal) + "/" + policy_name);
  if (it == a->inline_policies.end()) return std::nullopt;
  return it->second.document;
}

std::vector<std::string> IdentityStore::ListInlinePolicies(const std::string& account_id,
                                                           const PrincipalRef& principal) const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  const AccountState* a = State(account_id);
  if (a == nullptr) return out;
  std::string prefix = PrincipalKey(principal) + "/";
  for (auto it = a->inline_policies.lower_bound(prefix);
       it != a->inline_policies.end() && it->first.rfind(prefix, 0) == 0; ++it) {
    out.push_back(it->second.policy_name);
  }
  return out;
}

Result<IdentityStore::Changes, aws::AwsError> IdentityStore::DeleteInlinePolicy(
    const std::string& account_id, const PrincipalRef& principal, const std::string& policy_name) {
  auto lock = LockForWrite();
  AccountState* a = State(account_id);
  std::string key = PrincipalKey(principal) + "/" + policy_name;
  if (a == nullptr || !a->inline_policies.count(key)) {
    return NoSuchEntity("The " + principal.type + " policy with name " + policy_name +
                        " cannot be found.");
  }
  a->inline_policies.erase(key);
  return Stage({{account_id, "inline", key}});
}

// --- managed policies and attachments ---------------------------------------------------------

Result<std::pair<ManagedPolicyRecord, IdentityStore::Changes>, aws::AwsError>
IdentityStore::AddManagedPolicy(ManagedPolicyRecord policy) {
  auto lock = LockForWrite();
  AccountState* a = State(policy.account_id);
  if (a == nullptr) return NoSuchEntity("The account " + policy.account_id + " cannot be found.");
  std::string key = AsciiLower(policy.name);
  if (policy.path.empty()) policy.path = "/";
  policy.arn = "arn:aws:iam::" + policy.account_id + ":policy" + policy.path + policy.name;
  if (a->policies.count(key)) {
    return AlreadyExists("A policy called " + policy.name +
                         " already exists. Duplicate names are not allowed.");
  }
  policy.policy_id = NewId("ANPA", 17);
  policy.created = policy.updated = Now();
  a->policies[key] = policy;
  return std::make_pair(policy, Stage({{policy.account_id, "policy", key}}));
}

std::optional<ManagedPolicyRecord> IdentityStore::GetManagedPolicy(const std::string& account_id,
                                                                   const std::string& arn) const {
  if (auto r = AwsManagedRecord(arn)) return r;
  std::shared_lock lock(mu_);
  const AccountState* a = State(account_id);
  if (a == nullptr) return std::nullopt;
  for (const auto& [k, p] : a->policies) {
    if (p.arn == arn) return p;
  }
  return std::nullopt;
}

std::vector<ManagedPolicyRecord> IdentityStore::ListManagedPolicies(
    const std::string& account_id, const std::string& scope) const {
  std::vector<ManagedPolicyRecord> out;
  if (scope != "Local") {
    for (const AwsManagedPolicyInfo& p : AwsManagedPolicyCatalog()) {
      out.push_back(*AwsManagedRecord(p.arn));
    }
  }
  if (scope != "AWS") {
    std::shared_lock lock(mu_);
    if (const AccountState* a = State(account_id)) {
      for (const auto& [k, p] : a->policies) out.push_back(p);
    }
  }
  return out;
}

int IdentityStore::AttachmentCount(const std::string& account_id, const std::string& arn) const {
  std::shared_lock lock(mu_);
  const AccountState* a = State(account_id);
  if (a == nullptr) return 0;
  int n = 0;
  for (const auto& [k, v] : a->attachments) n += v.second == arn ? 1 : 0;
  return n;
}

Result<IdentityStore::Changes, aws::AwsError> IdentityStore::RemoveManagedPolicy(
    const std::string& account_id, const std::string& arn) {
  auto lock = LockForWrite();
  AccountState* a = State(account_id);
  if (a != nullptr) {
    for (auto it = a->policies.begin(); it != a->policies.end(); ++it) {
      if (it->second.arn != arn) continue;
      for (const auto& [k, v] : a->attachments) {
        if (v.second == arn) {
          return DeleteConflict("Cannot delete a policy attached to entities.");
        }
      }
      std::string key = it->first;
      a->policies.erase(it);
      return Stage({{account_id, "policy", key}});
    }
  }
  return NoSuchEntity("Policy " + arn + " was not found.");
}

Result<IdentityStore::Changes, aws::AwsError> IdentityStore::Attach(const std::string& account_id,
                                                                    const PrincipalRef& principal,
                                                                    const std::string& arn) {
  auto lock = LockForWrite();
  AccountState* a = State(account_id);
  std::string who = AsciiLower(principal.name);
  bool exists = a != nullptr &&
                (principal.type == "user" ? a->users.count(who) != 0 : a->roles.count(who) != 0);
  if (!exists) {
    return NoSuchEntity("The " + principal.type + " with name " + principal.name +
                        " cannot be found.");
  }
  bool policy_exists = AwsManagedRecord(arn).has_value();
  for (const auto& [k, p] : a->policies) policy_exists = policy_exists || p.arn == arn;
  if (!policy_exists) {
    return NoSuchEntity("Policy " + arn + " does not exist or is not attachable.");
  }
  std::string key = PrincipalKey(principal) + "/" + arn;
  const std::string& canonical =
      principal.type == "user" ? a->users.at(who).user_name : a->roles.at(who).role_name;
  a->attachments[key] = {{principal.type, canonical}, arn};
  return Stage({{account_id, "attachment", key}});
}

Result<IdentityStore::Changes, aws::AwsError> IdentityStore::Detach(const std::string& account_id,
                                                                    const PrincipalRef& principal,
                                                                    const std::string& arn) {
  auto lock = LockForWrite();
  AccountState* a = State(account_id);
  std::string key = PrincipalKey(principal) + "/" + arn;
  if (a == nullptr || !a->attachments.count(key)) {
    return NoSuchEntity("Policy " + arn + " was not found.");
  }
  a->attachments.erase(key);
  return Stage({{account_id, "attachment", key}});
}

std::vector<std::string> IdentityStore::ListAttached(const std::string& account_id,
                                                     const PrincipalRef& principal) const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  const AccountState* a = State(account_id);
  if (a == nullptr) return out;
  std::string prefix = PrincipalKey(principal) + "/";
  for (auto it = a->attachments.lower_bound(prefix);
       it != a->attachments.end() && it->first.rfind(prefix, 0) == 0; ++it) {
    out.push_back(it->second.second);
  }
  return out;
}

std::vector<std::string> IdentityStore::PoliciesOf(const std::string& account_id,
                                                   const PrincipalRef& principal) const {
  std::vector<std::string> out;
  if (!principal.id.empty()) {
    std::shared_lock lock(mu_);
    const AccountState* a = State(account_id);
    if (a == nullptr) return out;
    std::string key = AsciiLower(principal.name);
    bool same = false;
    if (principal.type == "user") {
      auto it = a->users.find(key);
      same = it != a->users.end() && it->second.user_id == principal.id;
    } else {
      auto it = a->roles.find(key);
      same = it != a->roles.end() && it->second.role_id == principal.id;
    }
    if (!same) return out;
  }
  for (const std::string& name : ListInlinePolicies(account_id, principal)) {
    if (auto doc = GetInlinePolicy(account_id, principal, name)) out.push_back(*doc);
  }
  for (const std::string& arn : ListAttached(account_id, principal)) {
    if (auto p = GetManagedPolicy(account_id, arn)) out.push_back(p->document);
  }
  return out;
}

namespace {

// "arn:aws:iam::<acct>:<type>/<path/>name" -> (account, path, name); nullopt for any other form.
struct IamArn {
  std::string account_id, path, name;
};
std::optional<IamArn> ParseIamArn(std::string_view arn, std::string_view type) {
  constexpr std::string_view kPrefix = "arn:aws:iam::";
  if (arn.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string_view rest = arn.substr(kPrefix.size());
  if (rest.size() < 13 || rest[12] != ':') return std::nullopt;
  std::string_view account = rest.substr(0, 12);
  std::string_view resource = rest.substr(13);
  if (resource.substr(0, type.size()) != type || resource.size() <= type.size() ||
      resource[type.size()] != '/') {
    return std::nullopt;
  }
  std::string_view path_and_name = resource.substr(type.size());  // "/path/name"
  size_t slash = path_and_name.rfind('/');
  std::string_view name = path_and_name.substr(slash + 1);
  if (name.empty()) return std::nullopt;
  return IamArn{std::string(account), std::string(path_and_name.substr(0, slash + 1)),
                std::string(name)};
}

}  // namespace

std::optional<RoleRecord> IdentityStore::RoleByArn(std::string_view arn) const {
  auto parsed = ParseIamArn(arn, "role");
  if (!parsed) return std::nullopt;
  auto role = GetRole(parsed->account_id, parsed->name);
  if (!role || role->path != parsed->path) return std::nullopt;
  return role;
}

std::optional<UserRecord> IdentityStore::UserByArn(std::string_view arn) const {
  auto parsed = ParseIamArn(arn, "user");
  if (!parsed) return std::nullopt;
  auto user = GetUser(parsed->account_id, parsed->name);
  if (!user || user->path != parsed->path) return std::nullopt;
  return user;
}

std::string IdentityStore::UniqueIdOf(std::string_view arn) const {
  if (auto user = UserByArn(arn)) return user->user_id;
  if (auto role = RoleByArn(arn)) return role->role_id;
  return {};
}

}  // namespace sagetrail::iam
