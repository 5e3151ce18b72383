// The built-in AWS managed policies: catalog, parsing, and what each one allows.
#include "iam/policy/aws_managed_policies.h"

#include <gtest/gtest.h>

#include <set>

#include "iam/policy/policy_evaluator.h"

namespace sagetrail::iam {
namespace {

Decision Check(std::string_view arn, std::string action, std::string resource = "*",
               ConditionContext context = {}) {
  const PolicyDocument* doc = AwsManagedPolicy(arn);
  EXPECT_NE(doc, nullptr) << arn;
  if (doc == nullptr) return Decision::kImplicitDeny;
  AuthorizationRequest request{std::move(action), std::move(resource),
                               "arn:aws:iam::123456789012:user/bob", false, std::move(context)};
  return PolicyEvaluator::Evaluate(request, {doc}, std::nullopt).decision;
}

constexpr char kAdmin[] = "arn:aws:iam::aws:policy/AdministratorAccess";
constexpr char kReadOnly[] = "arn:aws:iam::aws:policy/ReadOnlyAccess";
constexpr char kSageMakerFull[] = "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess";
constexpr char kSageMakerReadOnly[] = "arn:aws:iam::aws:policy/AmazonSageMakerReadOnly";

TEST(PolicyManagedTest, CatalogListsEveryPolicyAndEachParses) {
  const auto& catalog = AwsManagedPolicyCatalog();
  std::set<std::string> names;
  for (const AwsManagedPolicyInfo& info : catalog) {
    names.insert(std::string(info.name));
    EXPECT_EQ(info.arn, "arn:aws:iam::aws:policy/" + std::string(info.name));
    EXPECT_EQ(info.path, "/");
    EXPECT_FALSE(info.description.empty());
    const PolicyDocument* doc = AwsManagedPolicy(info.arn);
    ASSERT_NE(doc, nullptr) << info.name;
    EXPECT_EQ(doc->kind(), PolicyKind::kIdentity);
    EXPECT_EQ(doc->version(), "2012-10-17");
    EXPECT_EQ(AwsManagedPolicy(info.arn), doc);  // parsed once, stable
  }
  EXPECT_EQ(names, (std::set<std::string>{"AdministratorAccess", "ReadOnlyAccess",
                                          "AmazonSageMakerFullAccess", "AmazonSageMakerReadOnly"}));
  EXPECT_EQ(AwsManagedPolicy("arn:aws:iam::aws:policy/PowerUserAccess"), nullptr);
  EXPECT_EQ(AwsManagedPolicy("arn:aws:iam::123456789012:policy/AdministratorAccess"), nullptr);
}

TEST(PolicyManagedTest, AdministratorAccessAllowsEverything) {
  EXPECT_EQ(Check(kAdmin, "iam:CreateUser", "arn:aws:iam::123456789012:user/x"), Decision::kAllow);
  EXPECT_EQ(Check(kAdmin, "sagemaker:DeleteEndpoint",
                  "arn:aws:sagemaker:us-east-1:123456789012:endpoint/e"),
            Decision::kAllow);
}

TEST(PolicyManagedTest, ReadOnlyAccessReadsButDoesNotWrite) {
  for (const char* action :
       {"sagemaker:DescribeModel", "sagemaker:ListModels", "sagemaker:Search",
        "cloudtrail:LookupEvents", "cloudtrail:GetTrailStatus", "logs:FilterLogEvents",
        "logs:GetLogEvents", "sns:ListTopics", "iam:GetUser", "sts:GetCallerIdentity",
        "s3:GetObject", "s3:ListBucket"}) {
    EXPECT_EQ(Check(kReadOnly, action), Decision::kAllow) << action;
  }
  for (const char* action :
       {"sagemaker:CreateModel", "iam:CreateUser", "sns:Publish", "s3:PutObject",
        "sts:GetSessionToken", "sts:AssumeRole", "cloudtrail:StopLogging"}) {
    EXPECT_EQ(Check(kReadOnly, action), Decision::kImplicitDeny) << action;
  }
}

TEST(PolicyManagedTest, SageMakerFullAccess) {
  EXPECT_EQ(Check(kSageMakerFull, "sagemaker:CreateModel",
                  "arn:aws:sagemaker:us-east-1:123456789012:model/m"),
            Decision::kAllow);
  ConditionContext to_sagemaker;
  to_sagemaker.Set("iam:PassedToService", "sagemaker.amazonaws.com");
  ConditionContext to_ec2;
  to_ec2.Set("iam:PassedToService", "ec2.amazonaws.com");
  const char* role = "arn:aws:iam::123456789012:role/SageMakerExecution";
  EXPECT_EQ(Check(kSageMakerFull, "iam:PassRole", role, to_sagemaker), Decision::kAllow);
  EXPECT_EQ(Check(kSageMakerFull, "iam:PassRole", role, to_ec2), Decision::kImplicitDeny);
  EXPECT_EQ(Check(kSageMakerFull, "s3:GetObject", "arn:aws:s3:::my-sagemaker-data/train.csv"),
            Decision::kAllow);
  EXPECT_EQ(Check(kSageMakerFull, "s3:GetObject", "arn:aws:s3:::payroll/2026.csv"),
            Decision::kImplicitDeny);
  EXPECT_EQ(Check(kSageMakerFull, "iam:CreateUser"), Decision::kImplicitDeny);
}

TEST(PolicyManagedTest, SageMakerReadOnly) {
  EXPECT_EQ(Check(kSageMakerReadOnly, "sagemaker:ListModels"), Decision::kAllow);
  EXPECT_EQ(Check(kSageMakerReadOnly, "sagemaker:DescribeTrainingJob"), Decision::kAllow);
  EXPECT_EQ(Check(kSageMakerReadOnly, "sagemaker:DeleteModel"), Decision::kImplicitDeny);
  EXPECT_EQ(Check(kSageMakerReadOnly, "cloudtrail:LookupEvents"), Decision::kImplicitDeny);
}

}  // namespace
}  // namespace sagetrail::iam
