// Role trust policies: who may assume a role, and whether the caller's own policies must agree.
#include "iam/policy/trust_policy_evaluator.h"

#include <gtest/gtest.h>

#include "iam/policy/policy_test_util.h"

namespace sagetrail::iam {
namespace {

constexpr char kRole[] = "arn:aws:iam::123456789012:role/Trainer";
constexpr char kBob[] = "arn:aws:iam::123456789012:user/bob";
constexpr char kAlice[] = "arn:aws:iam::123456789012:user/alice";
constexpr char kCrossUser[] = "arn:aws:iam::111122223333:user/carol";

std::string TrustPolicy(std::string_view principal, std::string_view extra = "",
                        std::string_view action = "sts:AssumeRole") {
  return testing::Policy(std::string(R"({"Effect": "Allow", "Action": ")") + std::string(action) +
                         R"(", "Principal": )" + std::string(principal) + std::string(extra) + "}");
}

class PolicyTrustTest : public ::testing::Test {
 protected:
  TrustDecision Evaluate(const std::string& trust_json, TrustCaller caller,
                         ConditionContext context = {}, std::string action = "sts:AssumeRole") {
    auto doc = testing::ParseOrFail(trust_json, PolicyParseOptions{PolicyKind::kTrust});
    if (!doc) return {};
    TrustRequest request;
    request.role_arn = kRole;
    request.action = std::move(action);
    request.caller = std::move(caller);
    request.context = std::move(context);
    return TrustPolicyEvaluator::Evaluate(*doc, request);
  }
  static TrustCaller User(std::string arn, std::string account = "") {
    return {TrustCaller::Kind::kAwsPrincipal, std::move(arn), std::move(account), ""};
  }
  static TrustCaller Service(std::string name) {
    return {TrustCaller::Kind::kService, std::move(name), "", ""};
  }
};

TEST_F(PolicyTrustTest, SameAccountUserNamedDirectlyNeedsNoIdentityPolicy) {
  TrustDecision d = Evaluate(TrustPolicy(R"({"AWS": "arn:aws:iam::123456789012:user/bob"})"),
                             User(kBob, "123456789012"));
  EXPECT_TRUE(d.allowed);
  EXPECT_FALSE(d.explicit_deny);
  EXPECT_EQ(d.match, TrustMatch::kPrincipal);
  EXPECT_FALSE(d.identity_policy_required);
  // Another user of the same account is not named.
  EXPECT_FALSE(Evaluate(TrustPolicy(R"({"AWS": "arn:aws:iam::123456789012:user/bob"})"),
                        User(kAlice, "123456789012"))
                   .allowed);
}

TEST_F(PolicyTrustTest, AccountRootDelegatesToIdentityPolicies) {
  for (const char* principal :
       {R"({"AWS": "arn:aws:iam::123456789012:root"})", R"({"AWS": "123456789012"})"}) {
    TrustDecision d = Evaluate(TrustPolicy(principal), User(kAlice, "123456789012"));
    EXPECT_TRUE(d.allowed) << principal;
    EXPECT_EQ(d.match, TrustMatch::kAccount) << principal;
    EXPECT_TRUE(d.identity_policy_required) << principal;
  }
  // The account's root user is covered by the same entry.
  TrustDecision root =
      Evaluate(TrustPolicy(R"({"AWS": "123456789012"})"), User("arn:aws:iam::123456789012:root"));
  EXPECT_TRUE(root.allowed);
  EXPECT_EQ(root.match, TrustMatch::kAccount);
}

TEST_F(PolicyTrustTest, CrossAccountAlwaysNeedsTheCallersIdentityPolicy) {
  TrustDecision named =
      Evaluate(TrustPolicy(R"({"AWS": "arn:aws:iam::111122223333:user/carol"})"), User(kCrossUser));
  EXPECT_TRUE(named.allowed);
  EXPECT_EQ(named.match, TrustMatch::kPrincipal);
  EXPECT_TRUE(named.identity_policy_required);

  TrustDecision account = Evaluate(TrustPolicy(R"({"AWS": "111122223333"})"), User(kCrossUser));
  EXPECT_TRUE(account.allowed);
  EXPECT_EQ(account.match, TrustMatch::kAccount);
  EXPECT_TRUE(account.identity_policy_required);

  TrustDecision other = Evaluate(TrustPolicy(R"({"AWS": "444455556666"})"), User(kCrossUser));
  EXPECT_FALSE(other.allowed);
  EXPECT_EQ(other.match, TrustMatch::kNone);
}

TEST_F(PolicyTrustTest, AnyPrincipal) {
  TrustDecision d = Evaluate(TrustPolicy(R"({"AWS": "*"})"), User(kCrossUser));
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.match, TrustMatch::kAnyone);
  EXPECT_TRUE(d.identity_policy_required);
  // "AWS": "*" covers AWS principals, not services.
  EXPECT_FALSE(
      Evaluate(TrustPolicy(R"({"AWS": "*"})"), Service("sagemaker.amazonaws.com")).allowed);
}

TEST_F(PolicyTrustTest, ExternalIdCondition) {
  std::string trust = TrustPolicy(R"({"AWS": "111122223333"})",
                                  R"(, "Condition": {"StringEquals": {"sts:ExternalId": "x-42"}})");
  ConditionContext right;
  right.Set("sts:ExternalId", "x-42");
  ConditionContext wrong;
  wrong.Set("sts:ExternalId", "x-43");
  EXPECT_TRUE(Evaluate(trust, User(kCrossUser), right).allowed);
  EXPECT_FALSE(Evaluate(trust, User(kCrossUser), wrong).allowed);
  EXPECT_FALSE(Evaluate(trust, User(kCrossUser), {}).allowed);
}

TEST_F(PolicyTrustTest, ServicePrincipal) {
  std::string trust = TrustPolicy(R"({"Service": ["sagemaker.amazonaws.com"]})");
  TrustDecision d = Evaluate(trust, Service("sagemaker.amazonaws.com"));
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.match, TrustMatch::kService);
  EXPECT_FALSE(d.identity_policy_required);
  EXPECT_FALSE(Evaluate(trust, Service("ec2.amazonaws.com")).allowed);
  EXPECT_FALSE(Evaluate(trust, User(kBob)).allowed);  // a service-only trust admits no users
}

TEST_F(PolicyTrustTest, RoleSessions) {
  TrustCaller session{TrustCaller::Kind::kAwsPrincipal,
                      "arn:aws:sts::123456789012:assumed-role/Dev/ci-run", "123456789012",
                      "arn:aws:iam::123456789012:role/Dev"};
  TrustDecision by_role =
      Evaluate(TrustPolicy(R"({"AWS": "arn:aws:iam::123456789012:role/Dev"})"), session);
  EXPECT_TRUE(by_role.allowed);
  EXPECT_EQ(by_role.match, TrustMatch::kRole);
  EXPECT_FALSE(by_role.identity_policy_required);

  TrustDecision by_session = Evaluate(
      TrustPolicy(R"({"AWS": "arn:aws:sts::123456789012:assumed-role/Dev/ci-run"})"), session);
  EXPECT_EQ(by_session.match, TrustMatch::kPrincipal);

  EXPECT_FALSE(
      Evaluate(TrustPolicy(R"({"AWS": "arn:aws:iam::123456789012:role/Ops"})"), session).allowed);
}

TEST_F(PolicyTrustTest, DenyStatementWins) {
  std::string trust = testing::Policy(R"([
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "123456789012"}},
    {"Effect": "Deny", "Action": "sts:AssumeRole",
     "Principal": {"AWS": "arn:aws:iam::123456789012:user/bob"}}
  ])");
  TrustDecision bob = Evaluate(trust, User(kBob));
  EXPECT_FALSE(bob.allowed);
  EXPECT_TRUE(bob.explicit_deny);
  TrustDecision alice = Evaluate(trust, User(kAlice));
  EXPECT_TRUE(alice.allowed);
  EXPECT_FALSE(alice.explicit_deny);
}

TEST_F(PolicyTrustTest, ActionMustMatch) {
  std::string trust =
      TrustPolicy(R"({"AWS": "123456789012"})", "", "sts:AssumeRoleWithWebIdentity");
  EXPECT_FALSE(Evaluate(trust, User(kBob)).allowed);
  EXPECT_TRUE(Evaluate(trust, User(kBob), {}, "sts:AssumeRoleWithWebIdentity").allowed);
  // Action names are case-insensitive here too.
  EXPECT_TRUE(Evaluate(TrustPolicy(R"({"AWS": "123456789012"})", "", "sts:assumerole"), User(kBob))
                  .allowed);
}

TEST_F(PolicyTrustTest, FederatedPrincipal) {
  std::string trust = TrustPolicy(
      R"({"Federated": "cognito-identity.amazonaws.com"})",
      R"(, "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": "pool-1"}})",
      "sts:AssumeRoleWithWebIdentity");
  ConditionContext context;
  context.Set("cognito-identity.amazonaws.com:aud", "pool-1");
  TrustCaller caller{TrustCaller::Kind::kFederated, "cognito-identity.amazonaws.com", "", ""};
  TrustDecision d = Evaluate(trust, caller, context, "sts:AssumeRoleWithWebIdentity");
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.match, TrustMatch::kFederated);
  EXPECT_FALSE(d.identity_policy_required);
}

TEST_F(PolicyTrustTest, BestMatchWinsAcrossStatements) {
  std::string trust = testing::Policy(R"([
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "123456789012"}},
    {"Effect": "Allow", "Action": "sts:AssumeRole",
     "Principal": {"AWS": ["arn:aws:iam::123456789012:user/bob"]}}
  ])");
  TrustDecision d = Evaluate(trust, User(kBob));
  EXPECT_EQ(d.match, TrustMatch::kPrincipal);
  EXPECT_FALSE(d.identity_policy_required);
  EXPECT_STREQ(TrustMatchName(d.match), "Principal");
}

TEST_F(PolicyTrustTest, PrincipalArnCondition) {
  std::string trust = TrustPolicy(
      R"({"AWS": "123456789012"})",
      R"(, "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:user/b*"}})");
  ConditionContext bob;
  bob.Set("aws:PrincipalArn", kBob);
  ConditionContext alice;
  alice.Set("aws:PrincipalArn", kAlice);
  EXPECT_TRUE(Evaluate(trust, User(kBob), bob).allowed);
  EXPECT_FALSE(Evaluate(trust, User(kAlice), alice).allowed);
}

}  // namespace
}  // namespace sagetrail::iam
