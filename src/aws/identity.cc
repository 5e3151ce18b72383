#include "aws/identity.h"

namespace sagetrail::aws {

const char* IdentityTypeName(IdentityType t) {
  switch (t) {
    case IdentityType::kRoot:
      return "Root";
    case IdentityType::kIAMUser:
      return "IAMUser";
    case IdentityType::kAssumedRole:
      return "AssumedRole";
    case IdentityType::kFederatedUser:
      return "FederatedUser";
    case IdentityType::kAWSService:
      return "AWSService";
  }
  return "Unknown";
}

}  // namespace sagetrail::aws
