#include "iam/identity_store.h"

#include <algorithm>
#include <future>
#include <type_traits>

#include "common/crypto.h"
#include "common/strings.h"
#include "iam/policy/aws_managed_policies.h"

namespace sagetrail::iam {

namespace {

constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kSecretAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr size_t kMaxAccessKeysPerUser = 2;
constexpr size_t kTokenKeySize = 32;

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
aws::AwsError MalformedPolicy(std::string message) {
  return {"MalformedPolicyDocument", std::move(message), 400, true};
}

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

struct IdentityStore::AccountState {
  AccountRecord account;
  std::map<std::string, UserRecord> users;  // by lower-case name: IAM names ignore case
  std::map<std::string, RoleRecord> roles;
  std::map<std::string, ManagedPolicyRecord> policies;
  std::map<std::string, InlinePolicyRecord> inline_policies;  // by InlinePolicyKey
  std::map<std::string, AttachmentRecord> attachments;        // by AttachmentKey
};

namespace {

// A user or role (keys under `prefix`) that still has inline or attached policies cannot be
// deleted; IAM names the inline ones first.
std::optional<aws::AwsError> PoliciesBlockDeletion(const auto& account, const std::string& prefix) {
  for (const auto& [k, p] : account.inline_policies) {
    if (k.rfind(prefix, 0) == 0) {
      return DeleteConflict("Cannot delete entity, must delete policies first.");
    }
  }
  for (const auto& [k, p] : account.attachments) {
    if (k.rfind(prefix, 0) == 0) {
      return DeleteConflict("Cannot delete entity, must detach all policies first.");
    }
  }
  return std::nullopt;
}

}  // namespace

IdentityStore::IdentityStore(const store::StateReader& state, aws::AuditSink& commits,
                             Random& random, const Clock& clock)
    : codec_(state), commits_(commits), random_(random), clock_(clock) {}

IdentityStore::~IdentityStore() = default;

Result<std::unique_ptr<IdentityStore>> IdentityStore::Open(const store::StateReader& state,
                                                           aws::AuditSink& commits, Random& random,
                                                           const Clock& clock) {
  auto store = std::unique_ptr<IdentityStore>(new IdentityStore(state, commits, random, clock));
  // The key that seals session tokens, made once per data directory.
  auto stored = store->codec_.TokenKey();
  if (!stored.ok()) return stored.error();
  std::string key;
  if (*stored && (*stored)->size() == kTokenKeySize) {
    key = **stored;
  } else {
    key.resize(kTokenKeySize);
    random.Fill(reinterpret_cast<uint8_t*>(key.data()), key.size());
    Changes c;
    c.mutations.push_back(IdentityCodec::PutTokenKey(key));
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

const UserRecord* IdentityStore::FindUser(const std::string& account_id,
                                          const std::string& name) const {
  const AccountState* a = State(account_id);
  if (a == nullptr) return nullptr;
  auto it = a->users.find(AsciiLower(name));
  return it == a->users.end() ? nullptr : &it->second;
}

const RoleRecord* IdentityStore::FindRole(const std::string& account_id,
                                          const std::string& name) const {
  const AccountState* a = State(account_id);
  if (a == nullptr) return nullptr;
  auto it = a->roles.find(AsciiLower(name));
  return it == a->roles.end() ? nullptr : &it->second;
}

// --- loading ------------------------------------------------------------------------------

std::unique_lock<std::shared_mutex> IdentityStore::LockForWrite() {
  std::unique_lock lock(mu_);
  generation_.fetch_add(1, std::memory_order_release);
  return lock;
}

Status IdentityStore::Load() {
  auto lock = LockForWrite();
  // Credentials are built once every entity is loaded (they need the user's record).
  std::vector<AccessKeyRecord> keys;
  Status s = codec_.ForEach([&](const EntityRef& ref, StoredEntity entity) {
    auto& slot = accounts_[ref.account_id];
    if (!slot) {
      slot = std::make_unique<AccountState>();
      slot->account.account_id = ref.account_id;
    }
    AccountState& a = *slot;
    std::visit(
        [&](auto&& e) {
          using E = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<E, AccountRecord>) {
            a.account = std::move(e);
          } else if constexpr (std::is_same_v<E, UserRecord>) {
            a.users[ref.key] = std::move(e);
          } else if constexpr (std::is_same_v<E, RoleRecord>) {
            a.roles[ref.key] = std::move(e);
          } else if constexpr (std::is_same_v<E, ManagedPolicyRecord>) {
            a.policies[ref.key] = std::move(e);
          } else if constexpr (std::is_same_v<E, InlinePolicyRecord>) {
            a.inline_policies[ref.key] = std::move(e);
          } else if constexpr (std::is_same_v<E, AttachmentRecord>) {
            a.attachments[ref.key] = std::move(e);
          } else {
            static_assert(std::is_same_v<E, AccessKeyRecord>);
            keys_[ref.key] = nullptr;
            keys.push_back(std::move(e));
          }
        },
        std::move(entity));
  });
  if (!s.ok()) return s;
  for (auto& [id, a] : accounts_) {  // accounts saved without their creation time
    if (a->account.created != TimePoint{}) continue;
    std::vector<TimePoint> times;
    for (const auto& [k, u] : a->users) times.push_back(u.created);
    for (const auto& [k, r] : a->roles) times.push_back(r.created);
    for (const auto& [k, p] : a->policies) times.push_back(p.created);
    for (const AccessKeyRecord& k : keys) {
      if (k.account_id == id) times.push_back(k.created);
    }
    if (!times.empty()) a->account.created = *std::min_element(times.begin(), times.end());
  }
  for (const AccessKeyRecord& k : keys) {
    auto c = MakeCredential(k);
    if (c) {
      keys_[k.access_key_id] = std::move(c);
    } else {
      keys_.erase(k.access_key_id);
    }
  }
  return Status::Ok();
}

// --- staging changes ----------------------------------------------------------------------

std::optional<StoredEntity> IdentityStore::EntityOf(const EntityRef& e) const {
  if (e.kind == "key") {
    auto it = keys_.find(e.key);
    if (it == keys_.end() || !it->second) return std::nullopt;
    const aws::Credential& c = *it->second;
    AccessKeyRecord k;
    k.access_key_id = e.key;
    k.secret_access_key = c.secret_access_key;
    k.account_id = c.identity.account_id;
    k.user_name = c.identity.type == aws::IdentityType::kRoot ? "" : c.identity.user_name;
    k.active = c.active;
    k.created = c.created;
    return k;
  }
  const AccountState* a = State(e.account_id);
  if (a == nullptr) return std::nullopt;
  auto find = [&](const auto& map) -> std::optional<StoredEntity> {
    auto it = map.find(e.key);
    if (it == map.end()) return std::nullopt;
    return it->second;
  };
  if (e.kind == "account") return a->account;
  if (e.kind == "user") return find(a->users);
  if (e.kind == "role") return find(a->roles);
  if (e.kind == "policy") return find(a->policies);
  if (e.kind == "inline") return find(a->inline_policies);
  if (e.kind == "attachment") return find(a->attachments);
  return std::nullopt;
}

IdentityStore::Changes IdentityStore::Stage(const std::vector<EntityRef>& entities) {
  Changes c;
  for (const EntityRef& e : entities) {
    auto entity = EntityOf(e);
    c.mutations.push_back(entity ? IdentityCodec::Put(e, *entity) : IdentityCodec::Delete(e));
  }
  c.ticket = commits_.Reserve();
  return c;
}

template <typename T, typename Change>
IdentityStore::Outcome<T> IdentityStore::Write(Change&& change) {
  auto lock = LockForWrite();
  Touched touched;
  Result<T, aws::AwsError> result = change(touched);
  if (!result.ok()) touched.clear();  // a refused write changed nothing
  // Taken before the lock is released, success or failure: see Outcome.
  return Outcome<T>{Stage(touched), std::move(result)};
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
    const UserRecord* user = FindUser(key.account_id, key.user_name);
    if (user == nullptr) return nullptr;
    id.type = aws::IdentityType::kIAMUser;
    id.principal_id = user->user_id;
    id.arn = user->arn;
    id.user_name = user->user_name;
  }
  return c;
}

bool IdentityStore::SessionPrincipalExists(const aws::Identity& id) const {
  std::shared_lock lock(mu_);
  // The user or role a session stands for, by name, and whether it is still the same entity.
  auto user_is = [&](const std::string& account_id, const std::string& name,
                     const std::string& user_id) {
    const UserRecord* user = FindUser(account_id, name);
    return user != nullptr && user->user_id == user_id;
  };
  switch (id.type) {
    case aws::IdentityType::kRoot:
      return State(id.account_id) != nullptr;
    case aws::IdentityType::kIAMUser:
      return user_is(id.account_id, id.user_name, id.principal_id);
    case aws::IdentityType::kAssumedRole: {
      if (!id.session || !id.session->issuer) return false;
      const aws::SessionIssuer& issuer = *id.session->issuer;
      const RoleRecord* role = FindRole(issuer.account_id, issuer.user_name);
      return role != nullptr && role->role_id == issuer.principal_id;
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
  Status s = CommitNow(std::move(added.changes));
  if (!s.ok()) return s;
  return added.value();
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
  auto attached = Attach(account_id, principal, policy_arn);
  if (!attached.ok()) return Status::NotFound(attached.error().message);
  return CommitNow(std::move(attached.changes));
}

// --- users and keys ---------------------------------------------------------------------------

IdentityStore::Outcome<UserRecord> IdentityStore::AddUser(const std::string& account_id,
                                                          const std::string& user_name,
                                                          const std::string& path) {
  return Write<UserRecord>([&](Touched& touched) -> Result<UserRecord, aws::AwsError> {
    AccountState* a = State(account_id);
    if (a == nullptr) return NoSuchEntity("The account " + account_id + " cannot be found.");
    std::string key = AsciiLower(user_name);
    if (a->users.count(key)) {
      return AlreadyExists("User with name " + user_name + " already exists.");
    }
    UserRecord u;
    u.account_id = account_id;
    u.user_name = user_name;
    u.user_id = NewId("AIDA", 17);
    u.path = path.empty() ? "/" : path;
    u.arn = UserArn(account_id, u.path, user_name);
    u.created = Now();
    a->users[key] = u;
    touched.push_back({account_id, "user", key});
    return u;
  });
}

std::optional<UserRecord> IdentityStore::GetUser(const std::string& account_id,
                                                 const std::string& name) const {
  std::shared_lock lock(mu_);
  const UserRecord* user = FindUser(account_id, name);
  if (user == nullptr) return std::nullopt;
  return *user;
}

std::vector<UserRecord> IdentityStore::ListUsers(const std::string& account_id) const {
  std::shared_lock lock(mu_);
  std::vector<UserRecord> out;
  if (const AccountState* a = State(account_id)) {
    for (const auto& [k, u] : a->users) out.push_back(u);
  }
  return out;
}

IdentityStore::Outcome<IdentityStore::Done> IdentityStore::RemoveUser(const std::string& account_id,
                                                                      const std::string& name) {
  return Write<Done>([&](Touched& touched) -> Result<Done, aws::AwsError> {
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
    if (auto conflict = PoliciesBlockDeletion(*a, "user/" + key + "/")) return *conflict;
    a->users.erase(key);
    touched.push_back({account_id, "user", key});
    return Done{};
  });
}

IdentityStore::Outcome<AccessKeyRecord> IdentityStore::AddAccessKey(const std::string& account_id,
                                                                    const std::string& user_name) {
  return Write<AccessKeyRecord>([&](Touched& touched) -> Result<AccessKeyRecord, aws::AwsError> {
    const UserRecord* user = user_name.empty() ? nullptr : FindUser(account_id, user_name);
    if (!user_name.empty() && user == nullptr) {
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
    k.user_name = user == nullptr ? "" : user->user_name;
    k.created = Now();
    keys_[k.access_key_id] = MakeCredential(k);
    touched.push_back({account_id, "key", k.access_key_id});
    return k;
  });
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
  if (!user_name.empty() && FindUser(account_id, user_name) == nullptr) {
    return NoSuchEntity("The user with name " + user_name + " cannot be found.");
  }
  return NoSuchEntity("The Access Key with id " + key_id + " cannot be found.");
}

IdentityStore::Outcome<IdentityStore::Done> IdentityStore::SetAccessKeyStatus(
    const std::string& account_id, const std::string& user_name, const std::string& key_id,
    bool active) {
  return Write<Done>([&](Touched& touched) -> Result<Done, aws::AwsError> {
    auto it = keys_.find(key_id);
    bool owned =
        it != keys_.end() && it->second && it->second->identity.account_id == account_id &&
        (user_name.empty() ? it->second->identity.type == aws::IdentityType::kRoot
                           : AsciiLower(it->second->identity.user_name) == AsciiLower(user_name));
    if (!owned) return KeyNotFound(account_id, user_name, key_id);
    auto updated = std::make_shared<aws::Credential>(*it->second);
    updated->active = active;
    it->second = std::move(updated);
    touched.push_back({account_id, "key", key_id});
    return Done{};
  });
}

IdentityStore::Outcome<IdentityStore::Done> IdentityStore::RemoveAccessKey(
    const std::string& account_id, const std::string& user_name, const std::string& key_id) {
  return Write<Done>([&](Touched& touched) -> Result<Done, aws::AwsError> {
    auto it = keys_.find(key_id);
    bool owned =
        it != keys_.end() && it->second && it->second->identity.account_id == account_id &&
        (user_name.empty() ? it->second->identity.type == aws::IdentityType::kRoot
                           : AsciiLower(it->second->identity.user_name) == AsciiLower(user_name));
    if (!owned) return KeyNotFound(account_id, user_name, key_id);
    keys_.erase(it);
    touched.push_back({account_id, "key", key_id});
    return Done{};
  });
}

// --- roles ----------------------------------------------------------------------------------

Result<std::map<std::string, std::string>, aws::AwsError> IdentityStore::TrustPrincipalIds(
    const std::vector<std::string>& arns) const {
  auto ids = PrincipalIdsLocked(arns);
  if (!ids.ok()) {
    return MalformedPolicy("Invalid principal in policy: \"AWS\":\"" + ids.error() + "\"");
  }
  return std::move(ids).value();
}

Result<std::map<std::string, std::string>, std::string> IdentityStore::PrincipalIds(
    const std::vector<std::string>& arns) const {
  std::shared_lock lock(mu_);
  return PrincipalIdsLocked(arns);
}

Result<std::map<std::string, std::string>, std::string> IdentityStore::PrincipalIdsLocked(
    const std::vector<std::string>& arns) const {
  // IAM resolves user and role principals when a policy is saved; one that does not exist is
  // refused. Only accounts this server holds can be checked.
  std::map<std::string, std::string> ids;
  constexpr std::string_view kPrefix = "arn:aws:iam::";
  for (const std::string& arn : arns) {
    if (!arn.starts_with(kPrefix)) continue;
    std::string_view rest = std::string_view(arn).substr(kPrefix.size());
    if (rest.size() < 13 || rest[12] != ':') continue;
    if (State(std::string(rest.substr(0, 12))) == nullptr) continue;
    std::string id = UniqueIdOfLocked(arn);
    if (id.empty()) return arn;
    ids[arn] = id;
  }
  return ids;
}

IdentityStore::Outcome<RoleRecord> IdentityStore::AddRole(
    RoleRecord role, const std::vector<std::string>& trust_principals) {
  return Write<RoleRecord>([&](Touched& touched) -> Result<RoleRecord, aws::AwsError> {
    auto ids = TrustPrincipalIds(trust_principals);
    if (!ids.ok()) return ids.error();
    role.trust_principal_ids = std::move(ids).value();
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
    touched.push_back({role.account_id, "role", key});
    return role;
  });
}

IdentityStore::Outcome<IdentityStore::Done> IdentityStore::ChangeRole(
    const std::string& account_id, const std::string& name,
    const std::function<void(RoleRecord&)>& change) {
  return Write<Done>([&](Touched& touched) -> Result<Done, aws::AwsError> {
    AccountState* a = State(account_id);
    std::string key = AsciiLower(name);
    if (a == nullptr || !a->roles.count(key)) {
      return NoSuchEntity("The role with name " + name + " cannot be found.");
    }
    change(a->roles[key]);
    touched.push_back({account_id, "role", key});
    return Done{};
  });
}

IdentityStore::Outcome<IdentityStore::Done> IdentityStore::SetTrustPolicy(
    const std::string& account_id, const std::string& name, const std::string& document,
    const std::vector<std::string>& trust_principals) {
  return Write<Done>([&](Touched& touched) -> Result<Done, aws::AwsError> {
    auto ids = TrustPrincipalIds(trust_principals);
    if (!ids.ok()) return ids.error();
    AccountState* a = State(account_id);
    std::string key = AsciiLower(name);
    if (a == nullptr || !a->roles.count(key)) {
      return NoSuchEntity("The role with name " + name + " cannot be found.");
    }
    RoleRecord& role = a->roles[key];
    role.trust_policy = document;
    role.trust_principal_ids = std::move(ids).value();
    touched.push_back({account_id, "role", key});
    return Done{};
  });
}

std::optional<RoleRecord> IdentityStore::GetRole(const std::string& account_id,
                                                 const std::string& name) const {
  std::shared_lock lock(mu_);
  const RoleRecord* role = FindRole(account_id, name);
  if (role == nullptr) return std::nullopt;
  return *role;
}

std::vector<RoleRecord> IdentityStore::ListRoles(const std::string& account_id) const {
  std::shared_lock lock(mu_);
  std::vector<RoleRecord> out;
  if (const AccountState* a = State(account_id)) {
    for (const auto& [k, r] : a->roles) out.push_back(r);
  }
  return out;
}

IdentityStore::Outcome<IdentityStore::Done> IdentityStore::RemoveRole(const std::string& account_id,
                                                                      const std::string& name) {
  return Write<Done>([&](Touched& touched) -> Result<Done, aws::AwsError> {
    AccountState* a = State(account_id);
    std::string key = AsciiLower(name);
    if (a == nullptr || !a->roles.count(key)) {
      return NoSuchEntity("The role with name " + name + " cannot be found.");
    }
    if (auto conflict = PoliciesBlockDeletion(*a, "role/" + key + "/")) return *conflict;
    a->roles.erase(key);
    touched.push_back({account_id, "role", key});
    return Done{};
  });
}

// --- inline policies --------------------------------------------------------------------------

IdentityStore::Outcome<IdentityStore::Done> IdentityStore::PutInlinePolicy(
    const std::string& account_id, const PrincipalRef& principal, const std::string& policy_name,
    const std::string& document) {
  return Write<Done>([&](Touched& touched) -> Result<Done, aws::AwsError> {
    AccountState* a = State(account_id);
    const std::string* canonical = nullptr;  // the principal's name as created
    if (principal.type == "user") {
      if (const UserRecord* u = FindUser(account_id, principal.name)) canonical = &u->user_name;
    } else if (const RoleRecord* r = FindRole(account_id, principal.name)) {
      canonical = &r->role_name;
    }
    if (a == nullptr || canonical == nullptr) {
      return NoSuchEntity("The " + principal.type + " with name " + principal.name +
                          " cannot be found.");
    }
    std::string key = InlinePolicyKey(principal, policy_name);
    a->inline_policies[key] = {{principal.type, *canonical, ""}, policy_name, document};
    touched.push_back({account_id, "inline", key});
    return Done{};
  });
}

std::optional<std::string> IdentityStore::GetInlinePolicy(const std::string& account_id,
                                                          const PrincipalRef& principal,
                                                          const std::string& policy_name) const {
  std::shared_lock lock(mu_);
  const AccountState* a = State(account_id);
  if (a == nullptr) return std::nullopt;
  auto it = a->inline_policies.find(InlinePolicyKey(principal, policy_name));
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

IdentityStore::Outcome<IdentityStore::Done> IdentityStore::DeleteInlinePolicy(
    const std::string& account_id, const PrincipalRef& principal, const std::string& policy_name) {
  return Write<Done>([&](Touched& touched) -> Result<Done, aws::AwsError> {
    AccountState* a = State(account_id);
    std::string key = InlinePolicyKey(principal, policy_name);
    if (a == nullptr || !a->inline_policies.count(key)) {
      return NoSuchEntity("The " + principal.type + " policy with name " + policy_name +
                          " cannot be found.");
    }
    a->inline_policies.erase(key);
    touched.push_back({account_id, "inline", key});
    return Done{};
  });
}

// --- managed policies and attachments ---------------------------------------------------------

IdentityStore::Outcome<ManagedPolicyRecord> IdentityStore::AddManagedPolicy(
    ManagedPolicyRecord policy) {
  return Write<ManagedPolicyRecord>(
      [&](Touched& touched) -> Result<ManagedPolicyRecord, aws::AwsError> {
        AccountState* a = State(policy.account_id);
        if (a == nullptr) {
          return NoSuchEntity("The account " + policy.account_id + " cannot be found.");
        }
        std::string key = AsciiLower(policy.name);
        if (policy.path.empty()) policy.path = "/";
        policy.arn = ManagedPolicyArn(policy.account_id, policy.path, policy.name);
        if (a->policies.count(key)) {
          return AlreadyExists("A policy called " + policy.name +
                               " already exists. Duplicate names are not allowed.");
        }
        policy.policy_id = NewId("ANPA", 17);
        policy.created = policy.updated = Now();
        a->policies[key] = policy;
        touched.push_back({policy.account_id, "policy", key});
        return policy;
      });
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
  for (const auto& [k, v] : a->attachments) n += v.policy_arn == arn ? 1 : 0;
  return n;
}

IdentityStore::Outcome<IdentityStore::Done> IdentityStore::RemoveManagedPolicy(
    const std::string& account_id, const std::string& arn) {
  return Write<Done>([&](Touched& touched) -> Result<Done, aws::AwsError> {
    AccountState* a = State(account_id);
    if (a != nullptr) {
      for (auto it = a->policies.begin(); it != a->policies.end(); ++it) {
        if (it->second.arn != arn) continue;
        for (const auto& [k, v] : a->attachments) {
          if (v.policy_arn == arn) {
            return DeleteConflict("Cannot delete a policy attached to entities.");
          }
        }
        std::string key = it->first;
        a->policies.erase(it);
        touched.push_back({account_id, "policy", key});
        return Done{};
      }
    }
    return NoSuchEntity("Policy " + arn + " was not found.");
  });
}

IdentityStore::Outcome<IdentityStore::Done> IdentityStore::Attach(const std::string& account_id,
                                                                  const PrincipalRef& principal,
                                                                  const std::string& arn) {
  return Write<Done>([&](Touched& touched) -> Result<Done, aws::AwsError> {
    AccountState* a = State(account_id);
    const std::string* canonical = nullptr;  // the principal's name as created
    if (principal.type == "user") {
      if (const UserRecord* u = FindUser(account_id, principal.name)) canonical = &u->user_name;
    } else if (const RoleRecord* r = FindRole(account_id, principal.name)) {
      canonical = &r->role_name;
    }
    if (a == nullptr || canonical == nullptr) {
      return NoSuchEntity("The " + principal.type + " with name " + principal.name +
                          " cannot be found.");
    }
    bool policy_exists = AwsManagedRecord(arn).has_value();
    for (const auto& [k, p] : a->policies) policy_exists = policy_exists || p.arn == arn;
    if (!policy_exists) {
      return NoSuchEntity("Policy " + arn + " does not exist or is not attachable.");
    }
    std::string key = AttachmentKey(principal, arn);
    a->attachments[key] = {{principal.type, *canonical, ""}, arn};
    touched.push_back({account_id, "attachment", key});
    return Done{};
  });
}

IdentityStore::Outcome<IdentityStore::Done> IdentityStore::Detach(const std::string& account_id,
                                                                  const PrincipalRef& principal,
                                                                  const std::string& arn) {
  return Write<Done>([&](Touched& touched) -> Result<Done, aws::AwsError> {
    AccountState* a = State(account_id);
    std::string key = AttachmentKey(principal, arn);
    if (a == nullptr || !a->attachments.count(key)) {
      return NoSuchEntity("Policy " + arn + " was not found.");
    }
    a->attachments.erase(key);
    touched.push_back({account_id, "attachment", key});
    return Done{};
  });
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
    out.push_back(it->second.policy_arn);
  }
  return out;
}

std::vector<std::string> IdentityStore::PoliciesOf(const std::string& account_id,
                                                   const PrincipalRef& principal) const {
  std::vector<std::string> out;
  if (!principal.id.empty()) {
    std::shared_lock lock(mu_);
    bool same = false;
    if (principal.type == "user") {
      const UserRecord* u = FindUser(account_id, principal.name);
      same = u != nullptr && u->user_id == principal.id;
    } else {
      const RoleRecord* r = FindRole(account_id, principal.name);
      same = r != nullptr && r->role_id == principal.id;
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

// --- by ARN -----------------------------------------------------------------------------------

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
  std::shared_lock lock(mu_);
  return UniqueIdOfLocked(arn);
}

std::string IdentityStore::UniqueIdOfLocked(std::string_view arn) const {
  if (auto parsed = ParseIamArn(arn, "user")) {
    const UserRecord* user = FindUser(parsed->account_id, parsed->name);
    if (user != nullptr && user->path == parsed->path) return user->user_id;
  }
  if (auto parsed = ParseIamArn(arn, "role")) {
    const RoleRecord* role = FindRole(parsed->account_id, parsed->name);
    if (role != nullptr && role->path == parsed->path) return role->role_id;
  }
  return {};
}

}  // namespace sagetrail::iam
