// Identity: who made a request, with everything a CloudTrail userIdentity element needs.
#pragma once

#include <optional>
#include <string>

#include "common/clock.h"

namespace sagetrail::aws {

enum class IdentityType { kRoot, kIAMUser, kAssumedRole, kFederatedUser, kAWSService };

const char* IdentityTypeName(IdentityType t);  // "Root", "IAMUser", ...

// The principal that issued temporary credentials (CloudTrail sessionContext.sessionIssuer).
struct SessionIssuer {
  std::string type;  // "Role", "IAMUser" or "Root"
  std::string principal_id;
  std::string arn;
  std::string account_id;
  std::string user_name;
};

struct SessionContext {
  std::optional<SessionIssuer> issuer;
  TimePoint creation_date;
  bool mfa_authenticated = false;
  std::string source_identity;
};

struct Identity {
  IdentityType type = IdentityType::kIAMUser;
  std::string principal_id;
  std::string arn;
  std::string account_id;
  std::string access_key_id;
  std::string user_name;     // IAM user name, or the account alias for Root (may be empty)
  std::string session_name;  // AssumedRole / FederatedUser
  std::optional<SessionContext> session;
  std::string invoked_by;  // AWSService: the service principal
};

}  // namespace sagetrail::aws
