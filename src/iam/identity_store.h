// IdentityStore: the accounts, IAM users and access keys the server knows, persisted in SQLite
// and mirrored in memory for the request path. Implements aws::CredentialStore for SigV4.
// Thread-safe: lookups take a shared lock; changes are serialized.
#pragma once

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "aws/credential_store.h"
#include "common/clock.h"
#include "common/random.h"
#include "common/result.h"
#include "common/sqlite.h"

namespace sagetrail::iam {

struct AccountRecord {
  std::string account_id;
  std::string alias;
};

struct UserRecord {
  std::string account_id;
  std::string user_name;
  std::string user_id;  // "AIDA..."
  std::string path = "/";
  std::string arn;
};

struct AccessKeyRecord {
  std::string access_key_id;
  std::string secret_access_key;
  std::string account_id;
  std::string user_name;  // empty for the account's root credentials
  bool active = true;
};

class IdentityStore final : public aws::CredentialStore {
 public:
  static Result<std::unique_ptr<IdentityStore>> Open(const std::string& db_path, Random& random,
                                                     const Clock& clock);

  std::shared_ptr<const aws::Credential> Find(std::string_view access_key_id,
                                              std::string_view session_token) const override;

  std::vector<AccountRecord> Accounts() const;
  Status CreateAccount(const std::string& account_id, const std::string& alias);
  Result<UserRecord> CreateUser(const std::string& account_id, const std::string& user_name);
  // A new access key for the account's root (`user_name` empty) or for an IAM user.
  Result<AccessKeyRecord> CreateAccessKey(const std::string& account_id,
                                          const std::string& user_name);

  static std::string UserArn(const std::string& account_id, const std::string& path,
                             const std::string& user_name);

 private:
  IdentityStore(std::unique_ptr<SqliteDb> db, Random& random, const Clock& clock)
      : db_(std::move(db)), random_(random), clock_(clock) {}
  Status Load();
  std::shared_ptr<const aws::Credential> MakeCredential(const AccessKeyRecord& key) const;

  std::unique_ptr<SqliteDb> db_;  // guarded by write_mu_
  Random& random_;
  const Clock& clock_;
  std::mutex write_mu_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, AccountRecord> accounts_;  // guarded by mu_
  std::unordered_map<std::string, UserRecord> users_;        // "<acct>/<name>", mu_
  std::unordered_map<std::string, std::shared_ptr<const aws::Credential>> keys_;  // mu_
};

}  // namespace sagetrail::iam
