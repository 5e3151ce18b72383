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
  // A trust policy's user and role principals in accounts this server holds must exist; their
  // unique ids, by the ARN the policy names them with (kept with the role).
  Result<std::map<std::string, std::string>, aws::AwsError> ResolveTrustPrincipals(
      std::string_view document) const;
  // A role's trust policy as IAM shows it: a principal ARN whose user or role was deleted since
  // (or replaced by another of the same name) appears as the unique id the policy still holds.
  std::string DisplayedTrustPolicy(const RoleRecord& role) const;

  using Handler =
      std::function<Result<boost::json::value, aws::AwsError>(aws::RequestContext& ctx)>;
  // Hands `changes` to the call, to be committed with its record; passes `result` through.
  Result<boost::json::value, aws::AwsError> Commit(aws::RequestContext& ctx,
                                                   IdentityStore::Changes changes,
                                                   boost::json::value result);

  IdentityStore& store_;
  std::unordered_map<std::string, Handler> handlers_;
};

}  // namespace sagetrail::iam
