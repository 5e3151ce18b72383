// ValidateResourcePolicy: a service's checks of a resource-based policy document when it is
// saved, with that service's error texts. Today: S3 bucket policies (PutBucketPolicy's
// MalformedPolicy messages, e.g. "Missing required field Principal", "Policy has invalid
// resource"), checked in the order S3 reports them: the document's form as JSON, its top-level
// members, then each statement in turn (its members, Effect, Principal, Action, Resource,
// Condition, and whether its actions apply to its resources). Size limits are the caller's.
// Pure function, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "iam/policy/policy_document.h"

namespace sagetrail::iam {

enum class ResourcePolicyType {
  kS3Bucket,  // `resource_name` is the bucket: every Resource must lie within it
};

struct ValidatedResourcePolicy {
  PolicyDocument document;  // of kind kResource
  // The IAM user and role ARNs its Principal and NotPrincipal elements name, in order, without
  // repeats: the caller resolves them to the entities' unique ids when it saves the policy
  // (IdentityStore::PrincipalIds; one that names no user or role of an account this server holds
  // is refused with "Invalid principal in policy") and hands those ids to IAM with the policy
  // (AccessRequest::resource_policy_principal_ids).
  std::vector<std::string> principal_arns;
};

// The error is the message of the service's refusal (S3: MalformedPolicy, HTTP 400).
Result<ValidatedResourcePolicy, std::string> ValidateResourcePolicy(std::string_view text,
                                                                    ResourcePolicyType type,
                                                                    std::string_view resource_name);

}  // namespace sagetrail::iam
