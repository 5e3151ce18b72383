#include "iam/identity_store.h"

namespace sagetrail::iam {
namespace {

constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kSecretAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS iam_accounts(
  account_id TEXT PRIMARY KEY,
  alias TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS iam_users(
  account_id TEXT NOT NULL,
  user_name TEXT NOT NULL COLLATE NOCASE,
  user_id TEXT NOT NULL UNIQUE,
  path TEXT NOT NULL DEFAULT '/',
  created_at INTEGER NOT NULL,
  PRIMARY KEY(account_id, user_name));
CREATE TABLE IF NOT EXISTS iam_access_keys(
  access_key_id TEXT PRIMARY KEY,
  secret TEXT NOT NULL,
  account_id TEXT NOT NULL,
  user_name TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'Active',
  created_at INTEGER NOT NULL);
)sql";

std::string UserKey(const std::string& account_id, const std::string& user_name) {
  return account_id + "/" + user_name;
}

}  // namespace

Result<std::unique_ptr<IdentityStore>> IdentityStore::Open(const std::string& db_path,
                                                           Random& random, const Clock& clock) {
  auto db = SqliteDb::Open(db_path);
  if (!db.ok()) return db.error();
  Status s = (*db)->Exec(kSchema);
  if (!s.ok()) return s;
  auto store =
      std::unique_ptr<IdentityStore>(new IdentityStore(std::move(db).value(), random, clock));
  s = store->Load();
  if (!s.ok()) return s;
  return store;
}

std::string IdentityStore::UserArn(const std::string& account_id, const std::string& path,
                                   const std::string& user_name) {
  return "arn:aws:iam::" + account_id + ":user" + (path.empty() ? std::string("/") : path) +
         user_name;
}

Status IdentityStore::Load() {
  std::unique_lock lock(mu_);
  auto accounts = db_->Prepare("SELECT account_id, alias FROM iam_accounts");
  if (!accounts.ok()) return accounts.error();
  while (true) {
    auto row = accounts->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    AccountRecord a{accounts->ColumnText(0), accounts->ColumnText(1)};
    accounts_[a.account_id] = a;
  }
  auto users = db_->Prepare("SELECT account_id, user_name, user_id, path FROM iam_users");
  if (!users.ok()) return users.error();
  while (true) {
    auto row = users->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    UserRecord u;
    u.account_id = users->ColumnText(0);
    u.user_name = users->ColumnText(1);
    u.user_id = users->ColumnText(2);
    u.path = users->ColumnText(3);
    u.arn = UserArn(u.account_id, u.path, u.user_name);
    users_[UserKey(u.account_id, u.user_name)] = u;
  }
  auto keys = db_->Prepare(
      "SELECT access_key_id, secret, account_id, user_name, status FROM iam_access_keys");
  if (!keys.ok()) return keys.error();
  std::vector<AccessKeyRecord> records;
  while (true) {
    auto row = keys->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    AccessKeyRecord k;
    k.access_key_id = keys->ColumnText(0);
    k.secret_access_key = keys->ColumnText(1);
    k.account_id = keys->ColumnText(2);
    k.user_name = keys->ColumnText(3);
    k.active = keys->ColumnText(4) == "Active";
    records.push_back(std::move(k));
  }
  for (const auto& k : records) {
    if (auto c = MakeCredential(k)) keys_[k.access_key_id] = std::move(c);
  }
  return Status::Ok();
}

// Called with mu_ held (either mode).
std::shared_ptr<const aws::Credential> IdentityStore::MakeCredential(
    const AccessKeyRecord& key) const {
  auto c = std::make_shared<aws::Credential>();
  c->access_key_id = key.access_key_id;
  c->secret_access_key = key.secret_access_key;
  c->active = key.active;
  aws::Identity& id = c->identity;
  id.account_id = key.account_id;
  id.access_key_id = key.access_key_id;
  if (key.user_name.empty()) {
    id.type = aws::IdentityType::kRoot;
    id.principal_id = key.account_id;
    id.arn = "arn:aws:iam::" + key.account_id + ":root";
    auto acct = accounts_.find(key.account_id);
    if (acct != accounts_.end()) id.user_name = acct->second.alias;
  } else {
    auto user = users_.find(UserKey(key.account_id, key.user_name));
    if (user == users_.end()) return nullptr;
    id.type = aws::IdentityType::kIAMUser;
    id.principal_id = user->second.user_id;
    id.arn = user->second.arn;
    id.user_name = user->second.user_name;
  }
  return c;
}

std::shared_ptr<const aws::Credential> IdentityStore::Find(std::string_view access_key_id,
                                                           std::string_view) const {
  std::shared_lock lock(mu_);
  auto it = keys_.find(std::string(access_key_id));
  return it == keys_.end() ? nullptr : it->second;
}

std::vector<AccountRecord> IdentityStore::Accounts() const {
  std::shared_lock lock(mu_);
  std::vector<AccountRecord> out;
  for (const auto& [id, a] : accounts_) out.push_back(a);
  return out;
}

Status IdentityStore::CreateAccount(const std::string& account_id, const std::string& alias) {
  std::lock_guard<std::mutex> w(write_mu_);
  {
    std::shared_lock lock(mu_);
    if (accounts_.count(account_id)) return Status::AlreadyExists("account " + account_id);
  }
  auto stmt =
      db_->Prepare("INSERT INTO iam_accounts(account_id, alias, created_at) VALUES(?1, ?2, ?3)");
  if (!stmt.ok()) return stmt.error();
  Status s = stmt->Bind(1, account_id).Bind(2, alias).Bind(3, ToUnixSeconds(clock_.Now())).Run();
  if (!s.ok()) return s;
  std::unique_lock lock(mu_);
  accounts_[account_id] = AccountRecord{account_id, alias};
  return Status::Ok();
}

Result<UserRecord> IdentityStore::CreateUser(const std::string& account_id,
                                             const std::string& user_name) {
  std::lock_guard<std::mutex> w(write_mu_);
  UserRecord u;
  u.account_id = account_id;
  u.user_name = user_name;
  u.user_id = "AIDA" + random_.FromAlphabet(17, kBase32);
  u.arn = UserArn(account_id, u.path, user_name);
  auto stmt = db_->Prepare(
      "INSERT INTO iam_users(account_id, user_name, user_id, path, created_at) "
      "VALUES(?1, ?2, ?3, ?4, ?5)");
  if (!stmt.ok()) return stmt.error();
  Status s = stmt->Bind(1, account_id)
                 .Bind(2, user_name)
                 .Bind(3, u.user_id)
                 .Bind(4, u.path)
                 .Bind(5, ToUnixSeconds(clock_.Now()))
                 .Run();
  if (!s.ok()) return s;
  std::unique_lock lock(mu_);
  users_[UserKey(account_id, user_name)] = u;
  return u;
}

Result<AccessKeyRecord> IdentityStore::CreateAccessKey(const std::string& account_id,
                                                       const std::string& user_name) {
  std::lock_guard<std::mutex> w(write_mu_);
  if (!user_name.empty()) {
    // Checked before the INSERT: a key row for a missing user would be persisted but unusable.
    std::shared_lock lock(mu_);
    if (users_.count(UserKey(account_id, user_name)) == 0) {
      return Status::NotFound("no user " + user_name + " in account " + account_id);
    }
  }
  AccessKeyRecord k;
  k.access_key_id = "AKIA" + random_.FromAlphabet(16, kBase32);
  k.secret_access_key = random_.FromAlphabet(40, kSecretAlphabet);
  k.account_id = account_id;
  k.user_name = user_name;
  auto stmt = db_->Prepare(
      "INSERT INTO iam_access_keys(access_key_id, secret, account_id, user_name, status, "
      "created_at) VALUES(?1, ?2, ?3, ?4, 'Active', ?5)");
  if (!stmt.ok()) return stmt.error();
  Status s = stmt->Bind(1, k.access_key_id)
                 .Bind(2, k.secret_access_key)
                 .Bind(3, account_id)
                 .Bind(4, user_name)
                 .Bind(5, ToUnixSeconds(clock_.Now()))
                 .Run();
  if (!s.ok()) return s;
  std::unique_lock lock(mu_);
  auto c = MakeCredential(k);
  if (c == nullptr) return Status::NotFound("no user " + user_name + " in account " + account_id);
  keys_[k.access_key_id] = std::move(c);
  return k;
}

}  // namespace sagetrail::iam
