// IdentityStore: the accounts and their IAM entities (users, access keys, roles, inline and
// managed policies, attachments; see identity_model.h), kept in memory for the request path, with
// IAM's rules for changing them (NoSuchEntity, EntityAlreadyExists, DeleteConflict, ...). Their
// durable form is IdentityCodec's: the store loads them through it at start and hands back the
// mutations each change makes. Implements aws::CredentialStore for SigV4: long-term keys are
// looked up here; temporary credentials (ASIA...) are opened from their sealed session token.
//
// Two ways to change things:
//   - setup (first start, `sagetrail accounts add`): Create* methods apply, commit and wait until
//     the change is durable;
//   - the IAM API: the Add*/Remove*/... methods change memory and return an Outcome: the call's
//     place in the commit order, taken while the store is still locked for writing whether the
//     change was made or refused, and the entities it touched as they are now (Mutations). The
//     caller commits them with the call's record.
//
// Thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
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
#include "iam/identity_codec.h"
#include "iam/identity_model.h"
#include "iam/session_token.h"
#include "store/mutation.h"
#include "store/state_reader.h"

namespace sagetrail::iam {

class IdentityStore final : public aws::CredentialStore {
 public:
  // Loads every entity from `state`; commits setup changes (and the token key, made on first
  // use of a data directory) through `commits`. An entity that cannot be decoded fails the open
  // (Corruption naming it) rather than being left out.
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
  // What a write hands to the call: the entities it changed, as they are now, and its place in
  // the commit order.
  struct Changes {
    store::Mutations mutations;
    aws::LogTicket ticket;
  };
  // The value of writes that have nothing to return but their changes.
  struct Done {};
  // What an IAM API write did. `changes.ticket` is always taken, while the store is locked for
  // writing, whether the write was made or refused: so the call's record lands after every
  // change it saw and before every change it did not (a DeleteUser refused with DeleteConflict
  // comes before the DeleteAccessKey that removed the key it saw). `changes.mutations` are
  // empty when it was refused.
  template <typename T>
  struct Outcome {
    Changes changes;
    Result<T, aws::AwsError> result;

    bool ok() const { return result.ok(); }
    const aws::AwsError& error() const { return result.error(); }
    T& value() { return result.value(); }
    const T& value() const { return result.value(); }
    T* operator->() { return &result.value(); }
    const T* operator->() const { return &result.value(); }
  };

  Outcome<UserRecord> AddUser(const std::string& account_id, const std::string& user_name,
                              const std::string& path);
  std::optional<UserRecord> GetUser(const std::string& account_id, const std::string& name) const;
  std::vector<UserRecord> ListUsers(const std::string& account_id) const;
  Outcome<Done> RemoveUser(const std::string& account_id, const std::string& name);

  Outcome<AccessKeyRecord> AddAccessKey(const std::string& account_id,
                                        const std::string& user_name);
  std::vector<AccessKeyRecord> ListAccessKeys(const std::string& account_id,
                                              const std::string& user_name) const;
  Outcome<Done> SetAccessKeyStatus(const std::string& account_id, const std::string& user_name,
                                   const std::string& access_key_id, bool active);
  Outcome<Done> RemoveAccessKey(const std::string& account_id, const std::string& user_name,
                                const std::string& access_key_id);

  // `trust_principals`: the user and role ARNs the role's trust policy names (see
  // TrustPrincipalIds); their unique ids are kept with the role.
  Outcome<RoleRecord> AddRole(RoleRecord role, const std::vector<std::string>& trust_principals);
  std::optional<RoleRecord> GetRole(const std::string& account_id, const std::string& name) const;
  // Applies `change` to a role (UpdateRole); its name, id and ARN stay.
  Outcome<Done> ChangeRole(const std::string& account_id, const std::string& name,
                           const std::function<void(RoleRecord&)>& change);
  // Replaces a role's trust policy (UpdateAssumeRolePolicy); `trust_principals` as for AddRole.
  Outcome<Done> SetTrustPolicy(const std::string& account_id, const std::string& name,
                               const std::string& document,
                               const std::vector<std::string>& trust_principals);
  std::vector<RoleRecord> ListRoles(const std::string& account_id) const;
  Outcome<Done> RemoveRole(const std::string& account_id, const std::string& name);

  Outcome<Done> PutInlinePolicy(const std::string& account_id, const PrincipalRef& principal,
                                const std::string& policy_name, const std::string& document);
  std::optional<std::string> GetInlinePolicy(const std::string& account_id,
                                             const PrincipalRef& principal,
                                             const std::string& policy_name) const;
  std::vector<std::string> ListInlinePolicies(const std::string& account_id,
                                              const PrincipalRef& principal) const;
  Outcome<Done> DeleteInlinePolicy(const std::string& account_id, const PrincipalRef& principal,
                                   const std::string& policy_name);

  Outcome<ManagedPolicyRecord> AddManagedPolicy(ManagedPolicyRecord policy);
  // A customer managed policy of `account_id`, or an AWS managed one, by ARN.
  std::optional<ManagedPolicyRecord> GetManagedPolicy(const std::string& account_id,
                                                      const std::string& arn) const;
  // Customer managed policies ("Local"), AWS managed ones ("AWS") or both ("All").
  std::vector<ManagedPolicyRecord> ListManagedPolicies(const std::string& account_id,
                                                       const std::string& scope) const;
  int AttachmentCount(const std::string& account_id, const std::string& arn) const;
  Outcome<Done> RemoveManagedPolicy(const std::string& account_id, const std::string& arn);

  Outcome<Done> Attach(const std::string& account_id, const PrincipalRef& principal,
                       const std::string& policy_arn);
  Outcome<Done> Detach(const std::string& account_id, const PrincipalRef& principal,
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
  // The unique id of each IAM user and role ARN in `arns` that lies in an account this server
  // holds (ARNs of other accounts, and anything else, are left out), for a resource-based policy
  // being saved that names them (ValidatedResourcePolicy::principal_arns): what the policy names
  // is the entity, not its name. The error is the first such ARN that names no user or role.
  Result<std::map<std::string, std::string>, std::string> PrincipalIds(
      const std::vector<std::string>& arns) const;
  // The stored role an ARN names (see UniqueIdOf), if any.
  std::optional<RoleRecord> RoleByArn(std::string_view arn) const;
  // The stored user an ARN names, if any.
  std::optional<UserRecord> UserByArn(std::string_view arn) const;

 private:
  struct AccountState;
  using Touched = std::vector<EntityRef>;
  IdentityStore(const store::StateReader& state, aws::AuditSink& commits, Random& random,
                const Clock& clock);
  Status Load();
  // The entity `e` names as it is in memory now; nullopt if it is gone. Called with mu_ held.
  std::optional<StoredEntity> EntityOf(const EntityRef& e) const;
  // The mutations of `entities` and a place in the commit order. Called with mu_ held
  // exclusively, so the place is taken before anyone can see the change.
  Changes Stage(const std::vector<EntityRef>& entities);
  // Runs `change` (Result<T, AwsError>(Touched&): the rule and the change, listing the entities
  // it touched) with mu_ held exclusively, and takes the call's place in the commit order before
  // mu_ is released, whether `change` succeeded or not.
  template <typename T, typename Change>
  Outcome<T> Write(Change&& change);
  // Commits setup changes and waits until they are durable.
  Status CommitNow(Changes changes);
  std::shared_ptr<const aws::Credential> MakeCredential(const AccessKeyRecord& key) const;
  // Whether the user, role or account a session stands for still exists as the same entity.
  bool SessionPrincipalExists(const aws::Identity& identity) const;
  std::shared_ptr<const aws::Credential> FromSessionToken(std::string_view access_key_id,
                                                          std::string_view token) const;
  AccountState* State(const std::string& account_id);
  const AccountState* State(const std::string& account_id) const;
  // The stored user or role of that name (any case), or nullptr. Called with mu_ held.
  const UserRecord* FindUser(const std::string& account_id, const std::string& name) const;
  const RoleRecord* FindRole(const std::string& account_id, const std::string& name) const;
  // UniqueIdOf, called with mu_ held.
  std::string UniqueIdOfLocked(std::string_view arn) const;
  // The unique id of each user and role ARN in `arns` that lies in an account this server holds;
  // MalformedPolicyDocument ("Invalid principal in policy") for one that does not exist. Called
  // with mu_ held, so that what the ids say is what the call saw.
  Result<std::map<std::string, std::string>, aws::AwsError> TrustPrincipalIds(
      const std::vector<std::string>& arns) const;
  // PrincipalIds, called with mu_ held.
  Result<std::map<std::string, std::string>, std::string> PrincipalIdsLocked(
      const std::vector<std::string>& arns) const;
  // Every writer takes mu_ through this: it also bumps generation_.
  std::unique_lock<std::shared_mutex> LockForWrite();
  std::string NewId(std::string_view prefix, size_t n);
  // NoSuchEntity for a key that `user_name` (empty: root) does not hold: names the user if the
  // user does not exist, else the key. Called with mu_ held.
  aws::AwsError KeyNotFound(const std::string& account_id, const std::string& user_name,
                            const std::string& key_id) const;
  TimePoint Now() const;

  IdentityCodec codec_;
  aws::AuditSink& commits_;
  Random& random_;
  const Clock& clock_;
  std::unique_ptr<SessionTokenCodec> tokens_;
  mutable std::shared_mutex mu_;
  std::atomic<uint64_t> generation_{0};                            // bumped by LockForWrite()
  std::map<std::string, std::unique_ptr<AccountState>> accounts_;  // guarded by mu_
  // Long-term credentials by key id; guarded by mu_.
  std::unordered_map<std::string, std::shared_ptr<const aws::Credential>> keys_;
};

}  // namespace sagetrail::iam
