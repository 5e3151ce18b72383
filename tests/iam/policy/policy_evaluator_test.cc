// PolicyEvaluator decisions: allow, implicit and explicit deny, Not* elements, wildcards, session
// policy intersection, the root user, conditions and policy variables.
#include "iam/policy/policy_evaluator.h"

#include <gtest/gtest.h>

#include <ostream>
#include <utility>

#include "iam/policy/aws_managed_policies.h"
#include "iam/policy/policy_test_util.h"

namespace sagetrail::iam {
namespace {

constexpr char kModel[] = "arn:aws:sagemaker:us-east-1:123456789012:model/m1";
constexpr char kUser[] = "arn:aws:iam::123456789012:user/bob";

struct EvalCase {
  const char* name;
  std::vector<std::string> identity;  // policy documents
  std::optional<std::vector<std::string>> session;
  std::string action;
  std::string resource;
  Decision want;
  std::vector<std::pair<std::string, std::string>> context = {};
  bool is_root = false;
};

std::string Allow(std::string_view action, std::string_view resource) {
  return testing::Policy(R"({"Effect": "Allow", "Action": ")" + std::string(action) +
                         R"(", "Resource": ")" + std::string(resource) + R"("})");
}
std::string Deny(std::string_view action, std::string_view resource) {
  return testing::Policy(R"({"Effect": "Deny", "Action": ")" + std::string(action) +
                         R"(", "Resource": ")" + std::string(resource) + R"("})");
}

std::vector<PolicyDocument> ParseAll(const std::vector<std::string>& texts) {
  std::vector<PolicyDocument> docs;
  for (const std::string& t : texts) {
    if (auto d = testing::ParseOrFail(t)) docs.push_back(std::move(*d));
  }
  return docs;
}

// Parameterized-test output names the case instead of dumping its bytes.
void PrintTo(const EvalCase& c, std::ostream* os) { *os << c.name; }

class PolicyEvaluatorTest : public ::testing::TestWithParam<EvalCase> {};

TEST_P(PolicyEvaluatorTest, Decides) {
  const EvalCase& c = GetParam();
  AuthorizationRequest request;
  request.action = c.action;
  request.resource = c.resource;
  request.principal_arn = kUser;
  request.is_root = c.is_root;
  for (const auto& [key, value] : c.context) request.context.Set(key, value);
  std::vector<PolicyDocument> identity = ParseAll(c.identity);
  ASSERT_EQ(identity.size(), c.identity.size());
  std::optional<std::vector<PolicyDocument>> session;
  if (c.session) {
    session = ParseAll(*c.session);
    ASSERT_EQ(session->size(), c.session->size());
  }
  Evaluation e = PolicyEvaluator::Evaluate(request, identity, session);
  EXPECT_EQ(DecisionName(e.decision), std::string(DecisionName(c.want)));
  EXPECT_EQ(e.allowed(), c.want == Decision::kAllow);
  bool explicit_deny =
      c.want == Decision::kExplicitDeny || c.want == Decision::kSessionExplicitDeny;
  EXPECT_EQ(e.denying_policy >= 0, explicit_deny);
}

const std::string kStatementList = testing::Policy(R"([
  {"Effect": "Allow", "Action": "sagemaker:List*", "Resource": "*"},
  {"Effect": "Allow", "Action": "sagemaker:CreateModel", "Resource": "arn:aws:sagemaker:*:*:model/*"}
])");
const std::string kStatementObject = testing::Policy(
    R"({"Effect": "Allow", "Action": ["sagemaker:CreateModel"],
        "Resource": ["arn:aws:sagemaker:*:*:model/*"]})");
const std::string kNotAction =
    testing::Policy(R"({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})");
const std::string kNotResource = testing::Policy(
    R"({"Effect": "Allow", "Action": "sagemaker:*",
        "NotResource": "arn:aws:sagemaker:us-east-1:123456789012:model/secret"})");
const std::string kDenyNotResource = testing::Policy(R"([
  {"Effect": "Deny", "Action": "sagemaker:*",
   "NotResource": "arn:aws:sagemaker:us-east-1:123456789012:model/public*"},
  {"Effect": "Allow", "Action": "*", "Resource": "*"}
])");
const std::string kAllowAndDenySameDoc = testing::Policy(R"([
  {"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"},
  {"Sid": "NoDelete", "Effect": "Deny", "Action": "sagemaker:Delete*", "Resource": "*"}
])");
const std::string kFromOffice = testing::Policy(
    R"({"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*",
        "Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}}})");
const std::string kDenyWithoutMfa = testing::Policy(
    R"({"Effect": "Deny", "NotAction": "iam:ListMFADevices", "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}})");
const std::string kOwnUser = testing::Policy(
    R"({"Effect": "Allow", "Action": "iam:*AccessKey*",
        "Resource": "arn:aws:iam::*:user/${aws:username}"})");
const std::string kOwnUser2008 = testing::Policy(
    R"({"Effect": "Allow", "Action": "iam:*AccessKey*",
        "Resource": "arn:aws:iam::*:user/${aws:username}"})",
    "2008-10-17");
const std::string kDenyOutsideOwnPrefix = testing::Policy(
    R"({"Effect": "Deny", "Action": "s3:*",
        "NotResource": "arn:aws:s3:::home/${aws:username}/*"})");

const EvalCase kCases[] = {
    {"AllowExact",
     {Allow("sagemaker:CreateModel", kModel)},
     std::nullopt,
     "sagemaker:CreateModel",
     kModel,
     Decision::kAllow},
    {"NoPoliciesImplicitDeny",
     {},
     std::nullopt,
     "sagemaker:CreateModel",
     kModel,
     Decision::kImplicitDeny},
    {"OtherActionImplicitDeny",
     {Allow("sagemaker:DescribeModel", "*")},
     std::nullopt,
     "sagemaker:CreateModel",
     kModel,
     Decision::kImplicitDeny},
    {"OtherResourceImplicitDeny",
     {Allow("sagemaker:CreateModel", "arn:aws:sagemaker:us-east-1:123456789012:model/m2")},
     std::nullopt,
     "sagemaker:CreateModel",
     kModel,
     Decision::kImplicitDeny},
    {"DenyInAnotherPolicyWins",
     {Allow("sagemaker:*", "*"), Deny("sagemaker:CreateModel", kModel)},
     std::nullopt,
     "sagemaker:CreateModel",
     kModel,
     Decision::kExplicitDeny},
    {"DenyInSamePolicyWins",
     {kAllowAndDenySameDoc},
     std::nullopt,
     "sagemaker:DeleteModel",
     kModel,
     Decision::kExplicitDeny},
    {"DenyElsewhereDoesNotApply",
     {kAllowAndDenySameDoc},
     std::nullopt,
     "sagemaker:CreateModel",
     kModel,
     Decision::kAllow},
    {"DenyAloneIsExplicit",
     {Deny("*", "*")},
     std::nullopt,
     "sagemaker:ListModels",
     "*",
     Decision::kExplicitDeny},
    {"NotActionCoversOthers",
     {kNotAction},
     std::nullopt,
     "sagemaker:CreateModel",
     kModel,
     Decision::kAllow},
    {"NotActionExcludesListed",
     {kNotAction},
     std::nullopt,
     "iam:CreateUser",
     kUser,
     Decision::kImplicitDeny},
    {"NotActionIsCaseInsensitive",
     {kNotAction},
     std::nullopt,
     "IAM:CreateUser",
     kUser,
     Decision::kImplicitDeny},
    {"NotResourceCoversOthers",
     {kNotResource},
     std::nullopt,
     "sagemaker:DeleteModel",
     kModel,
     Decision::kAllow},
    {"NotResourceExcludesListed",
     {kNotResource},
     std::nullopt,
     "sagemaker:DeleteModel",
     "arn:aws:sagemaker:us-east-1:123456789012:model/secret",
     Decision::kImplicitDeny},
    {"DenyNotResourceDeniesOthers",
     {kDenyNotResource},
     std::nullopt,
     "sagemaker:DescribeModel",
     kModel,
     Decision::kExplicitDeny},
    {"DenyNotResourceSparesListed",
     {kDenyNotResource},
     std::nullopt,
     "sagemaker:DescribeModel",
     "arn:aws:sagemaker:us-east-1:123456789012:model/public-1",
     Decision::kAllow},
    {"ActionStar",
     {Allow("sagemaker:Describe*", "*")},
     std::nullopt,
     "sagemaker:DescribeModel",
     kModel,
     Decision::kAllow},
    {"ActionStarNoMatch",
     {Allow("sagemaker:Describe*", "*")},
     std::nullopt,
     "sagemaker:CreateModel",
     kModel,
     Decision::kImplicitDeny},
    {"ActionQuestionMark",
     {Allow("sagemaker:Describe?odel", "*")},
     std::nullopt,
     "sagemaker:DescribeModel",
     kModel,
     Decision::kAllow},
    {"ActionCaseInsensitive",
     {Allow("SageMaker:createmodel", "*")},
     std::nullopt,
     "sagemaker:CreateModel",
     kModel,
     Decision::kAllow},
    {"EverythingStar",
     {Allow("*", "*")},
     std::nullopt,
     "cloudtrail:LookupEvents",
     "*",
     Decision::kAllow},
    {"ResourceStar",
     {Allow("sagemaker:CreateModel", "arn:aws:sagemaker:us-east-1:123456789012:model/team-*")},
     std::nullopt,
     "sagemaker:CreateModel",
     "arn:aws:sagemaker:us-east-1:123456789012:model/team-a",
     Decision::kAllow},
    {"ResourceStarNoMatch",
     {Allow("sagemaker:CreateModel", "arn:aws:sagemaker:us-east-1:123456789012:model/team-*")},
     std::nullopt,
     "sagemaker:CreateModel",
     kModel,
     Decision::kImplicitDeny},
    {"ResourceQuestionMark",
     {Allow("sagemaker:CreateModel", "arn:aws:sagemaker:us-east-1:123456789012:model/m?")},
     std::nullopt,
     "sagemaker:CreateModel",
     kModel,
     Decision::kAllow},
    {"ResourceQuestionMarkIsOneCharacter",
     {Allow("sagemaker:CreateModel", "arn:aws:sagemaker:us-east-1:123456789012:model/m?")},
     std::nullopt,
     "sagemaker:CreateModel",
     "arn:aws:sagemaker:us-east-1:123456789012:model/m12",
     Decision::kImplicitDeny},
    {"ResourceCaseSensitive",
     {Allow("sagemaker:CreateModel", "arn:aws:sagemaker:us-east-1:123456789012:model/M1")},
     std::nullopt,
     "sagemaker:CreateModel",
     kModel,
     Decision::kImplicitDeny},
    {"ResourcelessActionNeedsStar",
     {Allow("sagemaker:ListModels", "arn:aws:sagemaker:*:*:*")},
     std::nullopt,
     "sagemaker:ListModels",
     "*",
     Decision::kImplicitDeny},
    {"ResourcelessActionWithStar",
     {Allow("sagemaker:ListModels", "*")},
     std::nullopt,
     "sagemaker:ListModels",
     "*",
     Decision::kAllow},
    {"StatementListSecondAllows",
     {kStatementList},
     std::nullopt,
     "sagemaker:CreateModel",
     kModel,
     Decision::kAllow},
    {"StatementListFirstAllows",
     {kStatementList},
     std::nullopt,
     "sagemaker:ListModels",
     "*",
     Decision::kAllow},
    {"StatementObject",
     {kStatementObject},
     std::nullopt,
     "sagemaker:CreateModel",
     kModel,
     Decision::kAllow},
    {"SecondPolicyAllows",
     {Allow("s3:GetObject", "*"), Allow("sagemaker:CreateModel", "*")},
     std::nullopt,
     "sagemaker:CreateModel",
     kModel,
     Decision::kAllow},
    // --- session policies ---
    {"SessionAllowAndAllow",
     {Allow("sagemaker:*", "*")},
     std::vector<std::string>{Allow("sagemaker:CreateModel", "*")},
     "sagemaker:CreateModel",
     kModel,
     Decision::kAllow},
    {"SessionDoesNotAllow",
     {Allow("sagemaker:*", "*")},
     std::vector<std::string>{Allow("sagemaker:Describe*", "*")},
     "sagemaker:CreateModel",
     kModel,
     Decision::kSessionImplicitDeny},
    {"SessionAllowsButIdentityDoesNot",
     {Allow("sagemaker:Describe*", "*")},
     std::vector<std::string>{Allow("sagemaker:*", "*")},
     "sagemaker:CreateModel",
     kModel,
     Decision::kImplicitDeny},
    {"SessionExplicitDeny",
     {Allow("sagemaker:*", "*")},
     std::vector<std::string>{Allow("*", "*"), Deny("sagemaker:CreateModel", "*")},
     "sagemaker:CreateModel",
     kModel,
     Decision::kSessionExplicitDeny},
    {"SessionExplicitDenyWithoutIdentityAllow",
     {},
     std::vector<std::string>{Deny("sagemaker:CreateModel", "*")},
     "sagemaker:CreateModel",
     kModel,
     Decision::kSessionExplicitDeny},
    {"IdentityDenyReportedBeforeSessionDeny",
     {Deny("sagemaker:*", "*")},
     std::vector<std::string>{Deny("sagemaker:*", "*")},
     "sagemaker:CreateModel",
     kModel,
     Decision::kExplicitDeny},
    {"EmptySessionPolicySetAllowsNothing",
     {Allow("*", "*")},
     std::vector<std::string>{},
     "sagemaker:CreateModel",
     kModel,
     Decision::kSessionImplicitDeny},
    // --- root ---
    {"RootIgnoresPolicies",
     {Deny("*", "*")},
     std::nullopt,
     "sagemaker:CreateModel",
     kModel,
     Decision::kAllow,
     {},
     true},
    {"RootWithoutPolicies", {}, std::nullopt, "iam:CreateUser", kUser, Decision::kAllow, {}, true},
    // --- conditions ---
    {"ConditionIpv4Inside",
     {kFromOffice},
     std::nullopt,
     "sagemaker:CreateModel",
     kModel,
     Decision::kAllow,
     {{"aws:SourceIp", "203.0.113.10"}}},
    {"ConditionIpv6Inside",
     {kFromOffice},
     std::nullopt,
     "sagemaker:CreateModel",
     kModel,
     Decision::kAllow,
     {{"aws:SourceIp", "2001:db8::10"}}},
    {"ConditionIpOutside",
     {kFromOffice},
     std::nullopt,
     "sagemaker:CreateModel",
     kModel,
     Decision::kImplicitDeny,
     {{"aws:SourceIp", "198.51.100.10"}}},
    {"ConditionKeyMissing",
     {kFromOffice},
     std::nullopt,
     "sagemaker:CreateModel",
     kModel,
     Decision::kImplicitDeny},
    {"DenyIfExistsWithoutMfaKey",
     {Allow("*", "*"), kDenyWithoutMfa},
     std::nullopt,
     "sagemaker:CreateModel",
     kModel,
     Decision::kExplicitDeny},
    {"DenyIfExistsWithMfaFalse",
     {Allow("*", "*"), kDenyWithoutMfa},
     std::nullopt,
     "sagemaker:CreateModel",
     kModel,
     Decision::kExplicitDeny,
     {{"aws:MultiFactorAuthPresent", "false"}}},
    {"DenyIfExistsWithMfaTrue",
     {Allow("*", "*"), kDenyWithoutMfa},
     std::nullopt,
     "sagemaker:CreateModel",
     kModel,
     Decision::kAllow,
     {{"aws:MultiFactorAuthPresent", "true"}}},
    {"DenyNotActionSparesListed",
     {Allow("*", "*"), kDenyWithoutMfa},
     std::nullopt,
     "iam:ListMFADevices",
     kUser,
     Decision::kAllow},
    // --- policy variables ---
    {"VariableInResource",
     {kOwnUser},
     std::nullopt,
     "iam:CreateAccessKey",
     kUser,
     Decision::kAllow,
     {{"aws:username", "bob"}}},
    {"VariableInResourceOtherUser",
     {kOwnUser},
     std::nullopt,
     "iam:CreateAccessKey",
     "arn:aws:iam::123456789012:user/alice",
     Decision::kImplicitDeny,
     {{"aws:username", "bob"}}},
    {"VariableMissing",
     {kOwnUser},
     std::nullopt,
     "iam:CreateAccessKey",
     kUser,
     Decision::kImplicitDeny},
    {"VariableLiteralIn2008",
     {kOwnUser2008},
     std::nullopt,
     "iam:CreateAccessKey",
     kUser,
     Decision::kImplicitDeny,
     {{"aws:username", "bob"}}},
    {"VariableLiteralIn2008MatchesLiterally",
     {kOwnUser2008},
     std::nullopt,
     "iam:CreateAccessKey",
     "arn:aws:iam::123456789012:user/${aws:username}",
     Decision::kAllow,
     {{"aws:username", "bob"}}},
    {"VariableInNotResourceDenies",
     {Allow("*", "*"), kDenyOutsideOwnPrefix},
     std::nullopt,
     "s3:GetObject",
     "arn:aws:s3:::home/alice/x",
     Decision::kExplicitDeny,
     {{"aws:username", "bob"}}},
    {"VariableInNotResourceSparesOwn",
     {Allow("*", "*"), kDenyOutsideOwnPrefix},
     std::nullopt,
     "s3:GetObject",
     "arn:aws:s3:::home/bob/x",
     Decision::kAllow,
     {{"aws:username", "bob"}}},
    {"UnresolvedNotResourceVariableDoesNotApply",
     {Allow("*", "*"), kDenyOutsideOwnPrefix},
     std::nullopt,
     "s3:GetObject",
     "arn:aws:s3:::home/alice/x",
     Decision::kAllow},
};

INSTANTIATE_TEST_SUITE_P(Policy, PolicyEvaluatorTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<EvalCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(PolicyEvaluatorDetailsTest, ReportsTheDenyingPolicyAndSid) {
  auto docs = ParseAll({Allow("*", "*"), kAllowAndDenySameDoc});
  AuthorizationRequest request{"sagemaker:DeleteModel", kModel, kUser, false, {}};
  Evaluation e = PolicyEvaluator::Evaluate(request, docs);
  EXPECT_EQ(e.decision, Decision::kExplicitDeny);
  EXPECT_EQ(e.denying_policy, 1);
  EXPECT_EQ(e.denying_sid, "NoDelete");

  auto session = ParseAll({Allow("*", "*"), Deny("sagemaker:*", "*")});
  e = PolicyEvaluator::Evaluate(request, ParseAll({Allow("*", "*")}), session);
  EXPECT_EQ(e.decision, Decision::kSessionExplicitDeny);
  EXPECT_EQ(e.denying_policy, 1);
  EXPECT_EQ(e.denying_sid, "");
}

TEST(PolicyEvaluatorDetailsTest, EvaluatesDocumentsHeldElsewhere) {
  const PolicyDocument* admin = AwsManagedPolicy("arn:aws:iam::aws:policy/AdministratorAccess");
  ASSERT_NE(admin, nullptr);
  auto deny = testing::ParseOrFail(Deny("iam:*", "*"));
  ASSERT_TRUE(deny);
  AuthorizationRequest request{"sagemaker:CreateModel", kModel, kUser, false, {}};
  EXPECT_EQ(PolicyEvaluator::Evaluate(request, {admin}, std::nullopt).decision, Decision::kAllow);
  request.action = "iam:CreateUser";
  EXPECT_EQ(PolicyEvaluator::Evaluate(request, {admin, &*deny}, std::nullopt).decision,
            Decision::kExplicitDeny);
  std::vector<const PolicyDocument*> no_session_allow;
  EXPECT_EQ(PolicyEvaluator::Evaluate(request, {admin}, no_session_allow).decision,
            Decision::kSessionImplicitDeny);
}

TEST(PolicyEvaluatorDetailsTest, DecisionNames) {
  EXPECT_STREQ(DecisionName(Decision::kAllow), "Allow");
  EXPECT_STREQ(DecisionName(Decision::kImplicitDeny), "ImplicitDeny");
  EXPECT_STREQ(DecisionName(Decision::kExplicitDeny), "ExplicitDeny");
  EXPECT_STREQ(DecisionName(Decision::kSessionImplicitDeny), "SessionImplicitDeny");
  EXPECT_STREQ(DecisionName(Decision::kSessionExplicitDeny), "SessionExplicitDeny");
}

}  // namespace
}  // namespace sagetrail::iam
