// IamService: the IAM API (a global service: its calls are recorded in us-east-1) over the
// IdentityStore: users, access keys, roles, inline and managed policies and their attachments.
// Changes are made in memory and saved once the call's audit record is durable. Thread-safe.
#pragma once

#include <functional>
#include <string_view>
#include <unordered_map>

#include "aws/service.h"
#include "common/clock.h"
#include "iam/identity_store.h"

namespace sagetrail::iam {

class IamService final : public aws::Service {
 public:
  explicit IamService(IdentityStore& store);

  std::string_view name() const override { return "iam"; }
  bool Implements(std::string_view operation) const override;
  std::optional<aws::AwsError> CheckInput(const aws::RequestContext& ctx) const override;
  Result<boost::json::value, aws::AwsError> Invoke(aws::RequestContext& ctx) override;

  // A policy document's problems in IAM's words (MalformedPolicyDocument), if any. `trust`: a
  // role's trust policy (needs principals) rather than an identity policy (must not have them).
  // `current_version`: only "2012-10-17" documents (managed policies).
  static std::optional<aws::AwsError> CheckPolicyDocument(std::string_view document, bool trust,
                                                          bool current_version = false);

 private:
  // A trust policy's user and role principals in accounts this server holds must exist.
  std::optional<aws::AwsError> CheckTrustPrincipals(std::string_view document) const;

  using Handler =
      std::function<Result<boost::json::value, aws::AwsError>(aws::RequestContext& ctx)>;
  // Saves `changes` once the call is recorded; passes `result` through.
  Result<boost::json::value, aws::AwsError> Commit(aws::RequestContext& ctx,
                                                   const IdentityStore::Changes& changes,
                                                   boost::json::value result);

  IdentityStore& store_;
  std::unordered_map<std::string, Handler> handlers_;
};

}  // namespace sagetrail::iam
