// SessionToken: temporary credentials carried entirely in their session token. The claims (key
// id, secret, who the session is, when it expires, its session policy) are sealed with
// AES-256-GCM under a server key, so the server needs no table of sessions and a token that was
// altered or forged fails to open. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/identity.h"
#include "common/clock.h"
#include "common/random.h"

namespace sagetrail::iam {

struct SessionClaims {
  std::string access_key_id;  // "ASIA..."
  std::string secret_access_key;
  aws::Identity identity;  // the session's userIdentity (AssumedRole, FederatedUser, IAMUser)
  TimePoint expires_at;
  // Session policies (AssumeRole/GetFederationToken Policy and PolicyArns); none given: empty.
  std::string session_policy;
  std::vector<std::string> session_policy_arns;
  bool has_session_policy = false;  // federated sessions always intersect (no policy: nothing)
};

class SessionTokenCodec {
 public:
  // `key` is 32 bytes.
  explicit SessionTokenCodec(std::string key) : key_(std::move(key)) {}

  std::string Seal(const SessionClaims& claims, Random& random) const;
  // nullopt for anything that is not a token this server sealed, unaltered.
  std::optional<SessionClaims> Open(std::string_view token) const;

 private:
  std::string key_;
};

}  // namespace sagetrail::iam
