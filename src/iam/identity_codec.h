// IdentityCodec: how IAM entities live in the durable state: one key per entity,
// "iam/<account>/<kind>/<key>" (see EntityRef), holding its record as a JSON object, and the
// key that seals session tokens at "iam/token_key". Makes the mutations that store or delete an
// entity (committed with the record of the call that changed it, by IdentityStore) and reads
// the state back at start. Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/result.h"
#include "iam/identity_model.h"
#include "store/mutation.h"
#include "store/state_reader.h"

namespace sagetrail::iam {

// One stored entity, decoded; the alternative is its kind.
using StoredEntity = std::variant<AccountRecord, UserRecord, AccessKeyRecord, RoleRecord,
                                  ManagedPolicyRecord, InlinePolicyRecord, AttachmentRecord>;

class IdentityCodec {
 public:
  explicit IdentityCodec(const store::StateReader& state) : state_(state) {}

  // "iam/<account>/<kind>/<key>".
  static std::string Key(const EntityRef& ref);
  // The entity a state key names; nullopt for a key that names none (the token key, a key
  // outside "iam/", a kind this version does not know).
  static std::optional<EntityRef> ParseKey(std::string_view key);

  // The JSON text `entity` is stored as. What its EntityRef holds (the account; the id of an
  // account or an access key) is not repeated, and ARNs are derived again on decoding.
  static std::string Encode(const StoredEntity& entity);
  // The entity stored under `ref`; Corruption if `body` is not a JSON object or `ref` is of no
  // known kind. Fields missing from older data get their defaults.
  static Result<StoredEntity> Decode(const EntityRef& ref, std::string_view body);

  // The mutations that store `entity` under `ref`, and that delete what `ref` names.
  static store::Mutation Put(const EntityRef& ref, const StoredEntity& entity);
  static store::Mutation Delete(const EntityRef& ref);

  // The stored key that seals session tokens, if any (as stored: the caller checks its size).
  Result<std::optional<std::string>> TokenKey() const;
  static store::Mutation PutTokenKey(std::string key);

  // Calls `fn` with every stored entity, in key order. An entity that cannot be decoded stops
  // the walk: the result is Corruption naming its key.
  Status ForEach(const std::function<void(const EntityRef&, StoredEntity)>& fn) const;

 private:
  const store::StateReader& state_;
};

}  // namespace sagetrail::iam
