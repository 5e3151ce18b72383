// The AWS managed policies the server knows: simplified documents of our own covering the
// services it emulates (sagemaker, cloudtrail, logs, sns, iam, sts, s3), under AWS's names and
// ARNs. Parsed once, on first use; the returned documents live for the whole process and are
// safe to share between threads.
#pragma once

#include <string_view>
#include <vector>

#include "iam/policy/policy_document.h"

namespace sagetrail::iam {

struct AwsManagedPolicyInfo {
  std::string_view name;         // "AdministratorAccess"
  std::string_view arn;          // "arn:aws:iam::aws:policy/AdministratorAccess"
  std::string_view path;         // "/"
  std::string_view description;  // one line, ours
  std::string_view document;     // the policy JSON
};

// All of them, in a stable order.
const std::vector<AwsManagedPolicyInfo>& AwsManagedPolicyCatalog();

// The parsed document for a managed policy ARN, or nullptr when there is none by that ARN.
const PolicyDocument* AwsManagedPolicy(std::string_view arn);

}  // namespace sagetrail::iam
