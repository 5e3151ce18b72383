#include "iam/identity_model.h"

#include "common/strings.h"

namespace sagetrail::iam {

std::string PrincipalKey(const PrincipalRef& principal) {
  return principal.type + "/" + AsciiLower(principal.name);
}

std::string InlinePolicyKey(const PrincipalRef& principal, const std::string& policy_name) {
  return PrincipalKey(principal) + "/" + policy_name;
}

std::string AttachmentKey(const PrincipalRef& principal, const std::string& policy_arn) {
  return PrincipalKey(principal) + "/" + policy_arn;
}

std::string UserArn(const std::string& account_id, const std::string& path,
                    const std::string& user_name) {
  return "arn:aws:iam::" + account_id + ":user" + (path.empty() ? std::string("/") : path) +
         user_name;
}

std::string RoleArn(const std::string& account_id, const std::string& path,
                    const std::string& role_name) {
  return "arn:aws:iam::" + account_id + ":role" + (path.empty() ? std::string("/") : path) +
         role_name;
}

std::string ManagedPolicyArn(const std::string& account_id, const std::string& path,
                             const std::string& name) {
  return "arn:aws:iam::" + account_id + ":policy" + path + name;
}

}  // namespace sagetrail::iam
