// The IAM entities as sagetrail keeps them: accounts, users, access keys, roles, customer managed
// policies, inline policies and attachments, and the names by which they are stored
// (EntityRef). Plain records: the rules live in IdentityStore, the durable form in
// IdentityCodec.
#pragma once

#include <map>
#include <string>

#include "common/clock.h"

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

// An inline policy of a user or a role; `principal.name` as the principal was created.
struct InlinePolicyRecord {
  PrincipalRef principal;
  std::string policy_name;
  std::string document;
};

// A managed policy (customer or AWS) attached to a user or a role.
struct AttachmentRecord {
  PrincipalRef principal;
  std::string policy_arn;
};

// How an entity is named in the store, in memory and on disk: (account, kind, key).
//   kind          key
//   "account"     the account id
//   "user"        the lower-case user name (IAM names ignore case)
//   "key"         the access key id
//   "role"        the lower-case role name
//   "policy"      the lower-case policy name (customer managed policies)
//   "inline"      "<type>/<lower-case principal name>/<policy name>"  (InlinePolicyKey)
//   "attachment"  "<type>/<lower-case principal name>/<policy ARN>"   (AttachmentKey)
struct EntityRef {
  std::string account_id;
  std::string kind;
  std::string key;
};

// "<type>/<lower-case name>": the start of the keys of a principal's inline policies and
// attachments.
std::string PrincipalKey(const PrincipalRef& principal);
std::string InlinePolicyKey(const PrincipalRef& principal, const std::string& policy_name);
std::string AttachmentKey(const PrincipalRef& principal, const std::string& policy_arn);

// arn:aws:iam::<account>:user<path><name> (an empty path is "/"), and the same for roles.
std::string UserArn(const std::string& account_id, const std::string& path,
                    const std::string& user_name);
std::string RoleArn(const std::string& account_id, const std::string& path,
                    const std::string& role_name);
// arn:aws:iam::<account>:policy<path><name>, the path as given.
std::string ManagedPolicyArn(const std::string& account_id, const std::string& path,
                             const std::string& name);

}  // namespace sagetrail::iam
