// StsService: the STS API. GetCallerIdentity says who the credentials belong to; AssumeRole,
// GetFederationToken and GetSessionToken issue temporary credentials whose whole session (who,
// until when, session policies) is sealed in the session token (see SessionTokenCodec), so
// nothing is stored. AssumeRole weighs the role's trust policy and, where IAM requires it, the
// caller's identity-based policies; a role in another account is assumed across accounts and the
// call is recorded in both. Thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "aws/service.h"
#include "common/clock.h"
#include "common/random.h"
#include "iam/iam_authorizer.h"
#include "iam/identity_store.h"

namespace sagetrail::iam {

class StsService final : public aws::Service {
 public:
  StsService(IdentityStore& store, const IamAuthorizer& authorizer, const Clock& clock,
             Random& random);

  std::string_view name() const override { return "sts"; }
  bool Implements(std::string_view operation) const override;
  // Every STS call is read-only (issuing credentials changes no resource); those that issue
  // credentials keep their response (key, token and expiry; never the secret), and AssumeRole's
  // record names the role it assumed.
  bool IsReadOnly(std::string_view) const override { return true; }
  bool LogsResponse(std::string_view operation) const override {
    return operation != "GetCallerIdentity" && operation != "GetAccessKeyInfo";
  }
  bool ListsResources(std::string_view operation) const override {
    return operation == "AssumeRole";
  }
  // RoleArn, as the stored role's ARN.
  std::vector<aws::CallResource> ResolveResources(const aws::RequestContext& ctx) const override;
  aws::AccessRequest AccessFor(const aws::RequestContext& ctx) const override;
  Result<boost::json::value, aws::AwsError> Invoke(aws::RequestContext& ctx) override;

 private:
  Result<boost::json::value, aws::AwsError> GetCallerIdentity(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> AssumeRole(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> GetFederationToken(aws::RequestContext& ctx);
  Result<boost::json::value, aws::AwsError> GetSessionToken(aws::RequestContext& ctx);
  // New temporary credentials for `claims` (key, secret and expiry are filled in here).
  boost::json::value Issue(SessionClaims& claims, int duration_seconds);

  using Handler =
      std::function<Result<boost::json::value, aws::AwsError>(aws::RequestContext& ctx)>;

  IdentityStore& store_;
  const IamAuthorizer& authorizer_;
  const Clock& clock_;
  Random& random_;
  std::unordered_map<std::string, Handler> handlers_;  // by operation name
};

}  // namespace sagetrail::iam
