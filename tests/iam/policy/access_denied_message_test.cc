// AccessDenied message texts, in AWS's enhanced (policy type) format.
#include "iam/policy/access_denied_message.h"

#include <gtest/gtest.h>

#include "iam/policy/policy_test_util.h"

namespace sagetrail::iam {
namespace {

constexpr char kBob[] = "arn:aws:iam::123456789012:user/bob";
constexpr char kModel[] = "arn:aws:sagemaker:us-east-1:123456789012:model/m";

TEST(PolicyDenialMessageTest, ImplicitDenyInIdentityPolicies) {
  EXPECT_EQ(AccessDeniedMessage(kBob, "sagemaker:CreateModel", kModel, Decision::kImplicitDeny),
            "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: "
            "sagemaker:CreateModel on resource: arn:aws:sagemaker:us-east-1:123456789012:model/m "
            "because no identity-based policy allows the sagemaker:CreateModel action");
}

TEST(PolicyDenialMessageTest, ExplicitDenyInIdentityPolicies) {
  EXPECT_EQ(AccessDeniedMessage(kBob, "sagemaker:DeleteModel", kModel, Decision::kExplicitDeny),
            "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: "
            "sagemaker:DeleteModel on resource: arn:aws:sagemaker:us-east-1:123456789012:model/m "
            "with an explicit deny in an identity-based policy");
}

TEST(PolicyDenialMessageTest, ExplicitDenyNamesTheManagedPolicyWhenGiven) {
  EXPECT_EQ(AccessDeniedMessage(kBob, "iam:CreateUser", "arn:aws:iam::123456789012:user/x",
                                Decision::kExplicitDeny, "arn:aws:iam::123456789012:policy/NoIam"),
            "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: "
            "iam:CreateUser on resource: arn:aws:iam::123456789012:user/x with an explicit deny "
            "in an identity-based policy: arn:aws:iam::123456789012:policy/NoIam");
  // Implicit denies have no single policy to name.
  EXPECT_EQ(AccessDeniedMessage(kBob, "iam:CreateUser", "*", Decision::kImplicitDeny,
                                "arn:aws:iam::123456789012:policy/NoIam"),
            "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: "
            "iam:CreateUser on resource: * because no identity-based policy allows the "
            "iam:CreateUser action");
}

TEST(PolicyDenialMessageTest, SessionPolicies) {
  const char* session = "arn:aws:sts::123456789012:assumed-role/Trainer/ci";
  EXPECT_EQ(AccessDeniedMessage(session, "s3:PutObject", "arn:aws:s3:::b/k",
                                Decision::kSessionImplicitDeny),
            "User: arn:aws:sts::123456789012:assumed-role/Trainer/ci is not authorized to "
            "perform: s3:PutObject on resource: arn:aws:s3:::b/k because no session policy "
            "allows the s3:PutObject action");
  EXPECT_EQ(
      AccessDeniedMessage(session, "s3:ListAllMyBuckets", "*", Decision::kSessionExplicitDeny),
      "User: arn:aws:sts::123456789012:assumed-role/Trainer/ci is not authorized to "
      "perform: s3:ListAllMyBuckets on resource: * with an explicit deny in a session "
      "policy");
}

TEST(PolicyDenialMessageTest, ResourceClauseForStarAndForNone) {
  EXPECT_EQ(AccessDeniedMessage(kBob, "cloudtrail:LookupEvents", "*", Decision::kImplicitDeny),
            "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: "
            "cloudtrail:LookupEvents on resource: * because no identity-based policy allows the "
            "cloudtrail:LookupEvents action");
  EXPECT_EQ(AccessDeniedMessage(kBob, "sagemaker:ListModels", "", Decision::kImplicitDeny),
            "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: "
            "sagemaker:ListModels because no identity-based policy allows the "
            "sagemaker:ListModels action");
}

TEST(PolicyDenialMessageTest, AllowHasNoMessage) {
  EXPECT_EQ(AccessDeniedMessage(kBob, "sagemaker:ListModels", "*", Decision::kAllow), "");
}

TEST(PolicyDenialMessageTest, FromAnEvaluatedRequest) {
  auto doc = testing::ParseOrFail(
      testing::Policy(R"({"Effect": "Allow", "Action": "sagemaker:Describe*", "Resource": "*"})"));
  ASSERT_TRUE(doc);
  AuthorizationRequest request{"sagemaker:CreateModel", kModel, kBob, false, {}};
  Evaluation e = PolicyEvaluator::Evaluate(request, std::vector<PolicyDocument>{*doc});
  ASSERT_EQ(e.decision, Decision::kImplicitDeny);
  EXPECT_EQ(AccessDeniedMessage(request, e.decision),
            "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: "
            "sagemaker:CreateModel on resource: arn:aws:sagemaker:us-east-1:123456789012:model/m "
            "because no identity-based policy allows the sagemaker:CreateModel action");
}

}  // namespace
}  // namespace sagetrail::iam
