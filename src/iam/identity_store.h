// IdentityStore: the accounts and their IAM entities (users, access keys, roles, inline and
// managed policies, attachments), kept in memory for the request path and in the durable state
// as one JSON document per entity ("iam/<account>/<kind>/<key>"). Implements
// aws::CredentialStore for SigV4: long-term keys are looked up here; temporary credentials
// (ASIA...) are opened from their sealed session token.
//
// Two ways to change things:
//   - setup (first start, `sagetrail accounts add`): Create* methods apply, commit and wait until
//     the change is durable;
//   - the IAM API: the Add*/Remove*/... methods change memory and return Changes: the entities
//     they touched as they are now (Mutations) and the change's place in the commit order, taken
//     while the store is still locked. The caller commits them with the call's record.
//
// Thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "aws/audit_sink.h"
#include "aws/aws_error.h"
#include "aws/credential_store.h"
#include "common/clock.h"
#include "common/random.h"
#include "common/result.h"
#include "iam/session_token.h"
#include "store/mutation.h"
#include "store/state_reader.h"

namespace sagetrail::iam {

struct AccountRecord {
  std::string account_id;
  std::string alias;
  // When the account was made; for accounts saved before this was kept, the time of its
  // earliest entity (its root key, normally).
  TimePoint created;
};

struct UserRecord {
  std::string account_id;
  std::string user_name;
  std::string user_id;  // "AIDA..."
  std::string path = "/";
  std::string arn;
  TimePoint created;
};

struct AccessKeyRecord {
  std::string access_key_id;
  std::string secret_access_key;
  std::string account_id;
  std::string user_name;  // empty for the account's root credentials
  bool active = true;
  TimePoint created;
};

struct RoleRecord {
  std::string account_id;
  std::string role_name;
  std::string role_id;  // "AROA..."
  std::string path = "/";
  std::string arn;
  std::string trust_policy;  // JSON text as given
  // The unique id of each user or role the trust policy names by ARN, as it was when the policy
  // was saved (IAM stores the id): a principal deleted and created again under the same name is
  // another principal, and the policy no longer lets it in.
  std::map<std::string, std::string> trust_principal_ids;
  std::string description;
  int max_session_duration = 3600;
  TimePoint created;
};

struct ManagedPolicyRecord {
  std::string account_id;  // empty for AWS managed policies
  std::string name;
  std::string policy_id;  // "ANPA..."
  std::string path = "/";
  std::string arn;
  std::string document;
  std::string description;
  TimePoint created;
  TimePoint updated;
};

// A user or a role, as policies are attached to them: ("user", "alice").
struct PrincipalRef {
  std::string type;  // "user" or "role"
  std::string name;
  // The entity's unique id ("AIDA...", "AROA..."), when the caller knows which entity it means:
  // then a later entity of the same name is not this one.
  std::string id;
  bool operator<(const PrincipalRef& o) const {
    return type != o.type ? type < o.type : name < o.name;
  }
};

// An entity to save after an API call: (account, kind, key). See Save().
struct EntityRef {
  std::string account_id;
  std::string kind;  // "user", "key", "role", "inline", "policy", "attachment"
  std::string key;
};

class IdentityStore final : public aws::CredentialStore {
 public:
  // Loads every entity from `state`; commits setup changes (and the token key, made on first
  // use of a data directory) through `commits`.
  static Result<std::unique_ptr<IdentityStore>> Open(const store::StateReader& state,
                                                     aws::AuditSink& commits, Random& random,
                                                     const Clock& clock);
  ~IdentityStore() override;

  // aws::CredentialStore.
  std::shared_ptr<const aws::Credential> Find(std::string_view access_key_id,
                                              std::string_view session_token) const override;

  const SessionTokenCodec& tokens() const { return *tokens_; }
  Random& random() { return random_; }

  // --- setup: applied and saved at once ---------------------------------------------------
  std::vector<AccountRecord> Accounts() const;
  std::optional<AccountRecord> Account(const std::string& account_id) const;
  Status CreateAccount(const std::string& account_id, const std::string& alias);
  Result<UserRecord> CreateUser(const std::string& account_id, const std::string& user_name);
  // A new access key for the account's root (`user_name` empty) or for an IAM user.
  Result<AccessKeyRecord> CreateAccessKey(const std::string& account_id,
                                          const std::string& user_name);
  Status AttachPolicyNow(const std::string& account_id, const PrincipalRef& principal,
                         const std::string& policy_arn);

  // --- the IAM API: memory now, committed with the call's record ------------------------------
  // Each returns its Changes or the API error.
  struct Changes {
    store::Mutations mutations;
    aws::LogTicket ticket;
  };
  Result<std::pair<UserRecord, Changes>, aws::AwsError> AddUser(const std::string& account_id,
                                                                const std::string& user_name,
                                                                const std::string& path);
  std::optional<UserRecord> GetUser(const std::string& account_id, const std::string& name) const;
  std::vector<UserRecord> ListUsers(const std::string& account_id) const;
  Result<Changes, aws::AwsError> RemoveUser(const std::string& account_id, const std::string& name);

  Result<std::pair<AccessKeyRecord, Changes>, aws::AwsError> AddAccessKey(
      const std::string& account_id, const std::string& user_name);
  std::vector<AccessKeyRecord> ListAccessKeys(const std::string& account_id,
                                              const std::string& user_name) const;
  Result<Changes, aws::AwsError> SetAccessKeyStatus(const std::string& account_id,
                                                    const std::string& user_name,
                                                    const std::string& access_key_id, bool active);
  Result<Changes, aws::AwsError> RemoveAccessKey(const std::string& account_id,
                                                 const std::string& user_name,
                                                 const std::string& access_key_id);

  Result<std::pair<RoleRecord, Changes>, aws::AwsError> AddRole(RoleRecord role);
  std::optional<RoleRecord> GetRole(const std::string& account_id, const std::string& name) const;
  // Applies `change` to a role (UpdateRole, UpdateAssumeRolePolicy); its name, id and ARN stay.
  Result<Changes, aws::AwsError> ChangeRole(const std::string& account_id, const std::string& name,
                                            const std::function<void(RoleRecord&)>& change);
  std::vector<RoleRecord> ListRoles(const std::string& account_id) const;
  Result<Changes, aws::AwsError> RemoveRole(const std::string& account_id, const std::string& name);

  Result<Changes, aws::AwsError> PutInlinePolicy(const std::string& account_id,
                                                 const PrincipalRef& principal,
                                                 const std::string& policy_name,
                                                 const std::string& document);
  std::optional<std::string> GetInlinePolicy(const std::string& account_id,
                                             const PrincipalRef& principal,
                                             const std::string& policy_name) const;
  std::vector<std::string> ListInlinePolicies(const std::string& account_id,
                                              const PrincipalRef& principal) const;
  Result<Changes, aws::AwsError> DeleteInlinePolicy(const std::string& account_id,
                                                    const PrincipalRef& principal,
                                                    const std::string& policy_name);

  Result<std::pair<ManagedPolicyRecord, Changes>, aws::AwsError> AddManagedPolicy(
      ManagedPolicyRecord policy);
  // A customer managed policy of `account_id`, or an AWS managed one, by ARN.
  std::optional<ManagedPolicyRecord> GetManagedPolicy(const std::string& account_id,
                                                      const std::string& arn) const;
  // Customer managed policies ("Local"), AWS managed ones ("AWS") or both ("All").
  std::vector<ManagedPolicyRecord> ListManagedPolicies(const std::string& account_id,
                                                       const std::string& scope) const;
  int AttachmentCount(const std::string& account_id, const std::string& arn) const;
  Result<Changes, aws::AwsError> RemoveManagedPolicy(const std::string& account_id,
                                                     const std::string& arn);

  Result<Changes, aws::AwsError> Attach(const std::string& account_id,
                                        const PrincipalRef& principal,
                                        const std::string& policy_arn);
  Result<Changes, aws::AwsError> Detach(const std::string& account_id,
                                        const PrincipalRef& principal,
                                        const std::string& policy_arn);
  std::vector<std::string> ListAttached(const std::string& account_id,
                                        const PrincipalRef& principal) const;

  // Changes whenever anything in the store may have changed (every write bumps it), so that a
  // reader can cache what it derived from the store and know when to derive it again.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  // The identity-based policy documents (inline and attached) of a user or a role; none if it
  // does not exist, or if `principal.id` is set and names another (deleted) entity.
  std::vector<std::string> PoliciesOf(const std::string& account_id,
                                      const PrincipalRef& principal) const;

  // The unique id of the user or role an IAM ARN names ("arn:aws:iam::<acct>:user/<path>name"),
  // matched with its path and ignoring the name's case, or empty if there is none.
  std::string UniqueIdOf(std::string_view arn) const;
  // The stored role an ARN names (see UniqueIdOf), if any.
  std::optional<RoleRecord> RoleByArn(std::string_view arn) const;
  // The stored user an ARN names, if any.
  std::optional<UserRecord> UserByArn(std::string_view arn) const;

  static std::string UserArn(const std::string& account_id, const std::string& path,
                             const std::string& user_name);
  static std::string RoleArn(const std::string& account_id, const std::string& path,
                             const std::string& role_name);

 private:
  struct AccountState;
  IdentityStore(const store::StateReader& state, aws::AuditSink& commits, Random& random,
                const Clock& clock);
  Status Load();
  void LoadEntity(const std::string& account_id, const std::string& kind, const std::string& key,
                  const std::string& body);
  static std::string EntityKey(const EntityRef& e);
  // The durable form of one entity as it is in memory now (its deletion if it is gone). Called
  // with mu_ held.
  store::Mutation MutationOf(const EntityRef& e) const;
  // The mutations of `entities` and a place in the commit order. Called with mu_ held
  // exclusively, so the place is taken before anyone can see the change.
  Changes Stage(const std::vector<EntityRef>& entities);
  // Commits setup changes and waits until they are durable.
  Status CommitNow(Changes changes);
  std::shared_ptr<const aws::Credential> MakeCredential(const AccessKeyRecord& key) const;
  // Whether the user, role or account a session stands for still exists as the same entity.
  bool SessionPrincipalExists(const aws::Identity& identity) const;
  std::shared_ptr<const aws::Credential> FromSessionToken(std::string_view access_key_id,
                                                          std::string_view token) const;
  AccountState* State(const std::string& account_id);
  const AccountState* State(const std::string& account_id) const;
  // Every writer takes mu_ through this: it also bumps generation_.
  std::unique_lock<std::shared_mutex> LockForWrite();
  std::string NewId(std::string_view prefix, size_t n);
  // NoSuchEntity for a key that `user_name` (empty: root) does not hold: names the user if the
  // user does not exist, else the key. Called with mu_ held.
  aws::AwsError KeyNotFound(const std::string& account_id, const std::string& user_name,
                            const std::string& key_id) const;
  TimePoint Now() const;

  const store::StateReader& state_;
  aws::AuditSink& commits_;
  Random& random_;
  const Clock& clock_;
  std::unique_ptr<SessionTokenCodec> tokens_;
  mutable std::shared_mutex mu_;
  std::atomic<uint64_t> generation_{0};                            // bumped by LockForWrite()
  std::map<std::string, std::unique_ptr<AccountState>> accounts_;  // guarded by mu_
  // Long-term credentials by key id; guarded by mu_.
  std::unordered_map<std::string, std::shared_ptr<const aws::Credential>> keys_;
  std::vector<AccessKeyRecord> pending_keys_;  // while loading; guarded by mu_
};

}  // namespace sagetrail::iam
