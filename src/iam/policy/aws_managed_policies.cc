#include "iam/policy/aws_managed_policies.h"

#include <map>
#include <string>

namespace sagetrail::iam {
namespace {

constexpr std::string_view kAdministratorAccess = R"({
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
})";

// Read-only verbs on every emulated service. sts gets no Get*: GetSessionToken and
// GetFederationToken mint credentials, which is not reading.
constexpr std::string_view kReadOnlyAccess = R"({
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ReadOnlyEmulatedServices",
      "Effect": "Allow",
      "Action": [
        "sagemaker:Describe*", "sagemaker:Get*", "sagemaker:List*", "sagemaker:Search*",
        "sagemaker:BatchDescribe*", "sagemaker:BatchGet*",
        "cloudtrail:Describe*", "cloudtrail:Get*", "cloudtrail:List*", "cloudtrail:Lookup*",
        "logs:Describe*", "logs:Get*", "logs:List*", "logs:FilterLogEvents",
        "sns:Get*", "sns:List*",
        "iam:Get*", "iam:List*",
        "sts:GetCallerIdentity", "sts:GetAccessKeyInfo",
        "s3:Get*", "s3:List*"
      ],
      "Resource": "*"
    }
  ]
})";

constexpr std::string_view kAmazonSageMakerFullAccess = R"({
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "SageMakerAll",
      "Effect": "Allow",
      "Action": "sagemaker:*",
      "Resource": "*"
    },
    {
      "Sid": "SupportingReads",
      "Effect": "Allow",
      "Action": [
        "iam:ListRoles", "iam:GetRole",
        "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
        "logs:DescribeLogGroups", "logs:DescribeLogStreams", "logs:GetLogEvents",
        "sns:ListTopics", "s3:ListAllMyBuckets", "s3:GetBucketLocation"
      ],
      "Resource": "*"
    },
    {
      "Sid": "PassRoleToSageMaker",
      "Effect": "Allow",
      "Action": "iam:PassRole",
      "Resource": "arn:aws:iam::*:role/*",
      "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}
    },
    {
      "Sid": "SageMakerBuckets",
      "Effect": "Allow",
      "Action": [
        "s3:CreateBucket", "s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject",
        "s3:AbortMultipartUpload"
      ],
      "Resource": [
        "arn:aws:s3:::*SageMaker*", "arn:aws:s3:::*Sagemaker*", "arn:aws:s3:::*sagemaker*"
      ]
    }
  ]
})";

constexpr std::string_view kAmazonSageMakerReadOnly = R"({
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "SageMakerRead",
      "Effect": "Allow",
      "Action": [
        "sagemaker:Describe*", "sagemaker:List*", "sagemaker:BatchDescribe*",
        "sagemaker:BatchGet*", "sagemaker:Get*", "sagemaker:Search", "sagemaker:QueryLineage"
      ],
      "Resource": "*"
    }
  ]
})";

struct Registry {
  std::map<std::string, PolicyDocument, std::less<>> by_arn;
};

Registry BuildRegistry() {
  Registry r;
  PolicyParseOptions options;
  options.require_current_version = true;  // managed policies are 2012-10-17
  for (const AwsManagedPolicyInfo& info : AwsManagedPolicyCatalog()) {
    auto parsed = PolicyDocument::Parse(info.document, options);
    if (parsed.ok()) r.by_arn.emplace(std::string(info.arn), std::move(parsed).value());
  }
  return r;
}

const Registry& GetRegistry() {
  static const Registry kRegistry = BuildRegistry();
  return kRegistry;
}

}  // namespace

const std::vector<AwsManagedPolicyInfo>& AwsManagedPolicyCatalog() {
  static const std::vector<AwsManagedPolicyInfo> kPolicies = {
      {"AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess", "/",
       "Full access to every action on every resource.", kAdministratorAccess},
      {"ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess", "/",
       "Describe, Get, List, Lookup and Search actions of every emulated service.",
       kReadOnlyAccess},
      {"AmazonSageMakerFullAccess", "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess", "/",
       "Every SageMaker action, passing roles to SageMaker, and its supporting reads.",
       kAmazonSageMakerFullAccess},
      {"AmazonSageMakerReadOnly", "arn:aws:iam::aws:policy/AmazonSageMakerReadOnly", "/",
       "Read-only access to SageMaker.", kAmazonSageMakerReadOnly},
  };
  return kPolicies;
}

const PolicyDocument* AwsManagedPolicy(std::string_view arn) {
  const Registry& r = GetRegistry();
  auto it = r.by_arn.find(arn);
  return it == r.by_arn.end() ? nullptr : &it->second;
}

}  // namespace sagetrail::iam
