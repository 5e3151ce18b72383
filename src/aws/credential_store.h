// CredentialStore: access key id -> secret and identity, for SigV4 verification.
// Implementations must be thread-safe; lookups are on the request path and must not do I/O.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/identity.h"
#include "common/clock.h"

namespace sagetrail::aws {

struct Credential {
  std::string access_key_id;
  std::string secret_access_key;
  Identity identity;
  bool active = true;
  TimePoint created;
  // Temporary credentials: the token the caller must present, and when it stops working.
  std::string session_token;
  std::optional<TimePoint> expiration;
  // Session policies that further limit temporary credentials (AssumeRole / GetFederationToken
  // Policy and PolicyArns). A federated session always intersects: with none, nothing is allowed.
  bool has_session_policy = false;
  std::string session_policy;
  std::vector<std::string> session_policy_arns;
};

class CredentialStore {
 public:
  virtual ~CredentialStore() = default;
  // The credential for `access_key_id`, or nullptr if unknown. `session_token` is the token the
  // request presented (may be empty): stores whose temporary credentials live inside the token
  // itself decode and authenticate it here.
  virtual std::shared_ptr<const Credential> Find(std::string_view access_key_id,
                                                 std::string_view session_token) const = 0;
};

}  // namespace sagetrail::aws
