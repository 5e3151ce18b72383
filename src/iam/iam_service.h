// IamService: the IAM API (a global service: its calls are recorded in us-east-1) over the
// IdentityStore: users, access keys, roles, inline and managed policies and their attachments.
// Changes are made in memory and saved once the call's audit record is durable. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "aws/service.h"
#include "common/clock.h"
#include "iam/identity_store.h"

namespace sagetrail::iam {

class IamService final : public aws::Service {
 public:
  explicit IamService(IdentityStore& store);

  std::string_view name() const override { return "iam"; }
  bool Implements(std::string_view operation) const override;
  // IAM is global: its calls are recorded in us-east-1.
  std::string RecordRegion(std::string_view) const override { return "us-east-1"; }
  std::optional<aws::AwsError> CheckInput(const aws::RequestContext& ctx) const override;
  // UserName / RoleName resolved to the stored user or role (its ARN with its path, its name as
  // created), the caller itself for calls that default to it, and PolicyArn.
  std::vector<aws::CallResource> ResolveResources(const aws::RequestContext& ctx) const override;
  // The resolved user or role; for ListUsers/ListRoles the listed path, for ListPolicies the
  // policy path (AWS's denials name these).
  aws::AccessRequest AccessFor(const aws::RequestContext& ctx) const override;
  Result<boost::json::value, aws::AwsError> Invoke(aws::RequestContext& ctx) override;

  // A policy document's problems in IAM's words (MalformedPolicyDocument), if any. `trust`: a
  // role's trust policy (needs principals) rather than an identity policy (must not have them).
  // `current_version`: only "2012-10-17" documents (managed policies).
  static std::optional<aws::AwsError> CheckPolicyDocument(std::string_view document, bool trust,
                                                          bool current_version = false);

 private:
  // The user and role ARNs a trust policy names as principals (no wildcards): those in accounts
  // this server holds must exist, which the store checks when it saves the policy.
  static Result<std::vector<std::string>, aws::AwsError> TrustPrincipalArns(
      std::string_view document);
  // A role's trust policy as IAM shows it: a principal ARN whose user or role was deleted since
  // (or replaced by another of the same name) appears as the unique id the policy still holds.
  std::string DisplayedTrustPolicy(const RoleRecord& role) const;

  using Handler =
      std::function<Result<boost::json::value, aws::AwsError>(aws::RequestContext& ctx)>;
  // Hands a write's changes and its place in the commit order to the call, whatever its outcome
  // (see IdentityStore::Outcome); then answers its error, or `output(value)`.
  template <typename T, typename Output>
  Result<boost::json::value, aws::AwsError> Commit(aws::RequestContext& ctx,
                                                   IdentityStore::Outcome<T> outcome,
                                                   Output output);

  IdentityStore& store_;
  std::unordered_map<std::string, Handler> handlers_;
};

}  // namespace sagetrail::iam
