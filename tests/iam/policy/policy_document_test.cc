// Parsing of identity and trust policies, and IAM's MalformedPolicyDocument messages.
#include "iam/policy/policy_document.h"

#include <gtest/gtest.h>

#include <ostream>

#include "iam/policy/policy_test_util.h"

namespace sagetrail::iam {
namespace {

using testing::ParseOrFail;
using testing::Policy;

TEST(PolicyDocumentTest, ParsesAStatementObject) {
  auto doc = ParseOrFail(R"({
    "Version": "2012-10-17",
    "Id": "models",
    "Statement": {
      "Sid": "Models1",
      "Effect": "Allow",
      "Action": "sagemaker:CreateModel",
      "Resource": "arn:aws:sagemaker:us-east-1:123456789012:model/*"
    }
  })");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->kind(), PolicyKind::kIdentity);
  EXPECT_EQ(doc->version(), "2012-10-17");
  EXPECT_TRUE(doc->supports_variables());
  EXPECT_EQ(doc->id(), "models");
  ASSERT_EQ(doc->statements().size(), 1u);
  const Statement& st = doc->statements()[0];
  EXPECT_EQ(st.sid, "Models1");
  EXPECT_EQ(st.effect, Effect::kAllow);
  EXPECT_FALSE(st.not_action);
  EXPECT_EQ(st.actions, std::vector<std::string>{"sagemaker:CreateModel"});
  EXPECT_FALSE(st.not_resource);
  EXPECT_EQ(st.resources,
            std::vector<std::string>{"arn:aws:sagemaker:us-east-1:123456789012:model/*"});
  EXPECT_FALSE(st.principals.has_value());
  EXPECT_TRUE(st.conditions.empty());
}

TEST(PolicyDocumentTest, ParsesAStatementListWithNotElements) {
  auto doc = ParseOrFail(R"({
    "Version": "2012-10-17",
    "Statement": [
      {"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "NotResource": "arn:aws:s3:::b/*"},
      {"Effect": "Allow", "Action": ["sagemaker:List*", "sagemaker:Describe*"], "Resource": "*"}
    ]
  })");
  ASSERT_TRUE(doc);
  ASSERT_EQ(doc->statements().size(), 2u);
  const Statement& deny = doc->statements()[0];
  EXPECT_EQ(deny.effect, Effect::kDeny);
  EXPECT_TRUE(deny.not_action);
  EXPECT_EQ(deny.actions, (std::vector<std::string>{"iam:*", "sts:*"}));
  EXPECT_TRUE(deny.not_resource);
  EXPECT_EQ(deny.resources, std::vector<std::string>{"arn:aws:s3:::b/*"});
  EXPECT_EQ(doc->statements()[1].actions.size(), 2u);
}

TEST(PolicyDocumentTest, ParsesConditions) {
  auto doc = ParseOrFail(Policy(R"({
    "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*",
    "Condition": {
      "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["env*", "team"]},
      "NumericLessThan": {"s3:max-keys": 10},
      "Bool": {"aws:SecureTransport": true},
      "Unknown": {}
    }
  })"));
  ASSERT_TRUE(doc);
  const auto& conditions = doc->statements()[0].conditions;
  ASSERT_EQ(conditions.size(), 3u);  // the empty unknown operator is dropped
  const Condition* like = nullptr;
  const Condition* numeric = nullptr;
  const Condition* boolean = nullptr;
  for (const Condition& c : conditions) {
    if (c.op == ConditionOperator::kStringLike) like = &c;
    if (c.op == ConditionOperator::kNumericLessThan) numeric = &c;
    if (c.op == ConditionOperator::kBool) boolean = &c;
  }
  ASSERT_TRUE(like && numeric && boolean);
  EXPECT_EQ(like->operator_name, "ForAnyValue:StringLikeIfExists");
  EXPECT_EQ(like->qualifier, SetQualifier::kForAnyValue);
  EXPECT_TRUE(like->if_exists);
  EXPECT_EQ(like->key, "aws:TagKeys");
  EXPECT_EQ(like->values, (std::vector<std::string>{"env*", "team"}));
  EXPECT_EQ(numeric->qualifier, SetQualifier::kNone);
  EXPECT_FALSE(numeric->if_exists);
  EXPECT_EQ(numeric->values, std::vector<std::string>{"10"});
  EXPECT_EQ(boolean->values, std::vector<std::string>{"true"});
}

TEST(PolicyDocumentTest, MissingVersionReadsAs2008WithoutVariables) {
  auto doc = ParseOrFail(R"({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}})");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->version(), "2008-10-17");
  EXPECT_FALSE(doc->supports_variables());
  auto old =
      ParseOrFail(Policy(R"({"Effect": "Allow", "Action": "*", "Resource": "*"})", "2008-10-17"));
  ASSERT_TRUE(old);
  EXPECT_FALSE(old->supports_variables());
}

TEST(PolicyDocumentTest, ParsesTrustPolicies) {
  PolicyParseOptions trust{PolicyKind::kTrust};
  auto doc = ParseOrFail(R"({
    "Version": "2012-10-17",
    "Statement": [
      {"Effect": "Allow", "Action": "sts:AssumeRole",
       "Principal": {"AWS": ["123456789012", "arn:aws:iam::111122223333:user/bob"],
                     "Service": "sagemaker.amazonaws.com"},
       "Condition": {"StringEquals": {"sts:ExternalId": "xyz"}}},
      {"Sid": "", "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
       "Principal": {"Federated": "cognito-identity.amazonaws.com"}}
    ]
  })",
                         trust);
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->kind(), PolicyKind::kTrust);
  const Statement& st = doc->statements()[0];
  ASSERT_TRUE(st.principals.has_value());
  EXPECT_FALSE(st.principals->wildcard);
  EXPECT_EQ(st.principals->aws,
            (std::vector<std::string>{"123456789012", "arn:aws:iam::111122223333:user/bob"}));
  EXPECT_EQ(st.principals->service, std::vector<std::string>{"sagemaker.amazonaws.com"});
  EXPECT_TRUE(st.resources.empty());
  EXPECT_EQ(doc->statements()[1].principals->federated,
            std::vector<std::string>{"cognito-identity.amazonaws.com"});
  // The Kind alias and the kind-only overload parse the same way.
  auto again = PolicyDocument::Parse(
      R"({"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole",
          "Principal":{"AWS":"*"}}})",
      PolicyDocument::Kind::kTrust);
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_TRUE(again->statements()[0].principals->aws == std::vector<std::string>{"*"});
}

TEST(PolicyDocumentTest, AcceptsWhatIamAccepts) {
  const char* valid[] = {
      R"({"Effect": "Allow", "Action": "iam: asdf safdsf af ", "Resource": "*"})",
      R"({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": ["arn:aws:s3:::b", "*"]})",
      R"({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:fdsasf"})",
      R"({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:iam:::user/x"})",
      R"({"Effect": "Allow", "Action": "s3-s.x:ListBucket", "Resource": "arn:aws:s33:::b"})",
      R"({"Effect": "Allow", "NotAction": "s3:ListBucket", "NotResource": "*"})",
      R"({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*", "Condition": {}})",
      R"({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*",
          "Condition": {"DateGreaterThan": {"a": []}}})",
      R"({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*",
          "Condition": {"DateLessThanEquals": {"a": "2016-12-13T21:20:37.593194+00:00"}}})",
      R"({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*",
          "Condition": {"DateLessThan": {"aws:EpochTime": "1767225600"}}})",
      R"([{"Sid": "A1", "Effect": "Allow", "Action": "s3:Get*", "Resource": "*"},
          {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}])",
  };
  for (const char* statement : valid) {
    auto parsed = PolicyDocument::Parse(Policy(statement));
    EXPECT_TRUE(parsed.ok()) << statement << " -> " << parsed.error();
  }
}

struct ErrorCase {
  const char* name;
  PolicyKind kind;
  std::string document;
  std::string message;
  bool require_current_version = false;
};

// Parameterized-test output names the case instead of dumping its bytes.
void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

class PolicyDocumentErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(PolicyDocumentErrorTest, ReportsIamsMessage) {
  const ErrorCase& c = GetParam();
  PolicyParseOptions options{c.kind, c.require_current_version};
  auto parsed = PolicyDocument::Parse(c.document, options);
  ASSERT_FALSE(parsed.ok()) << c.document;
  EXPECT_EQ(parsed.error(), c.message) << c.document;
}

constexpr PolicyKind kId = PolicyKind::kIdentity;
constexpr PolicyKind kTrust = PolicyKind::kTrust;
const std::string kSyntax = "Syntax errors in policy.";
const std::string kLegacy = "The policy failed legacy parsing";
const std::string kNoPrincipal =
    "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in "
    "policy has a statement with no principals!";

std::string Trust(std::string_view principal, std::string_view extra = "") {
  return Policy(std::string(R"({"Effect": "Allow", "Action": "sts:AssumeRole")") +
                (principal.empty() ? "" : ", \"Principal\": " + std::string(principal)) +
                std::string(extra) + "}");
}

const ErrorCase kErrorCases[] = {
    {"NotJson", kId, "This is not a json document", kSyntax},
    {"NotJsonTrust", kTrust, "This is not a json document", "This policy contains invalid Json"},
    {"TopLevelArray", kId, "[]", kSyntax},
    {"UnknownVersion", kId,
     R"({"Version": "2013-10-17", "Statement": {"Effect": "Allow", "Action": "s3:Get*",
         "Resource": "*"}})",
     kSyntax},
    {"NoStatement", kId, R"({"Version": "2012-10-17"})", kSyntax},
    {"EmptyStatementList", kId, Policy("[]"), kSyntax},
    {"StatementNotObject", kId, Policy(R"(["afd"])"), kSyntax},
    {"ExtraTopLevelField", kId,
     R"({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:Get*",
         "Resource": "*"}, "Extra field": "value"})",
     kSyntax},
    {"IdNotString", kId,
     R"({"Version": "2012-10-17", "Id": {}, "Statement": {"Effect": "Allow",
         "Action": "s3:Get*", "Resource": "*"}})",
     kSyntax},
    {"ExtraStatementField", kId,
     Policy(R"({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*", "Extra": "v"})"), kSyntax},
    {"InvalidEffect", kId, Policy(R"({"Effect": "invalid", "Action": "s3:Get*", "Resource": "*"})"),
     kSyntax},
    {"MissingEffect", kId, Policy(R"({"Action": "s3:Get*", "Resource": "*"})"), kSyntax},
    {"ActionAndNotAction", kId,
     Policy(R"({"Effect": "Allow", "Action": "s3:Get*", "NotAction": "s3:Put*", "Resource": "*"})"),
     kSyntax},
    {"ResourceAndNotResource", kId,
     Policy(R"({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*", "NotResource": "*"})"),
     kSyntax},
    {"ResourceObject", kId,
     Policy(R"({"Effect": "Allow", "Action": "s3:Get*", "Resource": {"a": "b"}})"), kSyntax},
    {"ActionListOfLists", kId, Policy(R"({"Effect": "Deny", "Action": [[]], "Resource": "*"})"),
     kSyntax},
    {"SidNotString", kId,
     Policy(R"({"Sid": [], "Effect": "Allow", "Action": "s3:Get*", "Resource": "*"})"), kSyntax},
    {"ConditionList", kId,
     Policy(R"({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*", "Condition": []})"),
     kSyntax},
    {"ConditionOperatorNotObject", kId,
     Policy(R"({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*",
                "Condition": {"DateGreaterThan": "b"}})"),
     kSyntax},
    {"ConditionValueObject", kId,
     Policy(R"({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*",
                "Condition": {"StringEquals": {"a": {}}}})"),
     kSyntax},
    {"UnknownConditionOperator", kId,
     Policy(R"({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*",
                "Condition": {"StringEqualz": {"a": "1"}}})"),
     kSyntax},
    {"BrokenSetQualifier", kId, Policy(R"({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*",
                "Condition": {"ForAnyValue::StringEqualsIfExists": {"a": "asf"}}})"),
     kSyntax},
    {"PrincipalString", kId,
     Policy(R"({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*", "Principal": "bob"})"),
     kSyntax},
    {"VersionRequiredByCreatePolicy", kId,
     R"({"Statement": {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}})",
     "Policy document must be version 2012-10-17 or greater.", true},
    {"OldVersionRejectedByCreatePolicy", kId,
     Policy(R"({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"})", "2008-10-17"),
     "Policy document must be version 2012-10-17 or greater.", true},
    {"LowerCaseEffect", kId, Policy(R"({"Effect": "allow", "Action": "s3:Get*", "Resource": "*"})"),
     kLegacy},
    {"UnreadableDate", kId, Policy(R"({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*",
                "Condition": {"DateGreaterThan": {"aws:CurrentTime": "sdfdsf"}}})"),
     kLegacy},
    {"ArnWithTooFewFields", kId,
     Policy(
         R"({"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3::example_bucket"})"),
     kLegacy},
    {"ArnWithoutService", kId,
     Policy(R"({"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws::::example_bucket"})"),
     kLegacy},
    {"DuplicateSids", kId,
     Policy(R"([{"Sid": "sdf", "Effect": "Allow", "Action": "s3:Get*", "Resource": "*"},
                {"Sid": "sdf", "Effect": "Allow"}])"),
     "Statement IDs (SID) in a single policy must be unique."},
    {"SidWithSpace", kId,
     Policy(R"({"Sid": "my sid", "Effect": "Allow", "Action": "s3:Get*", "Resource": "*"})"),
     "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular "
     "expression [0-9A-Za-z]*"},
    {"NoActions", kId, Policy(R"({"Effect": "Allow", "Resource": "*"})"),
     "Policy statement must contain actions."},
    {"EmptyActionList", kId, Policy(R"({"Effect": "Allow", "Action": [], "Resource": "*"})"),
     "Policy statement must contain actions."},
    {"NoActionsInSecondStatement", kId,
     Policy(R"([{"Effect": "Deny"}, {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}])"),
     "Policy statement must contain actions."},
    {"NoResources", kId, Policy(R"({"Effect": "Allow", "Action": "s3:ListBucket"})"),
     "Policy statement must contain resources."},
    {"EmptyResourceList", kId,
     Policy(R"({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": []})"),
     "Policy statement must contain resources."},
    {"NoResourcesReportedBeforeActionVendor", kId,
     Policy(R"({"Effect": "Allow", "Action": "invalid"})"),
     "Policy statement must contain resources."},
    {"PrincipalInIdentityPolicy", kId, Policy(R"({"Effect": "Allow", "Action": "sts:AssumeRole",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"}})"),
     "Policy document should not specify a principal."},
    {"NotPrincipalInIdentityPolicy", kId,
     Policy(R"({"Effect": "Deny", "Action": "s3:*", "Resource": "*",
                "NotPrincipal": {"AWS": "123456789012"}})"),
     "Policy document should not specify a principal."},
    {"ResourceNotArn", kId,
     Policy(R"({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "invalid resource"})"),
     "Resource invalid resource must be in ARN format or \"*\"."},
    {"EmptyResource", kId,
     Policy(R"({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": ""})"),
     "Resource  must be in ARN format or \"*\"."},
    {"UnknownPartitionShort", kId,
     Policy(R"({"Effect": "Allow", "NotAction": "s3s:ListBucket", "Resource": "a:bsdfdsafsad"})"),
     "Partition \"bsdfdsafsad\" is not valid for resource \"arn:bsdfdsafsad:*:*:*:*\"."},
    {"UnknownPartitionLong", kId,
     Policy(R"({"Effect": "Allow", "NotAction": "s3s:ListBucket", "Resource": "a:b:c:d:e:f:g:h"})"),
     "Partition \"b\" is not valid for resource \"arn:b:c:d:e:f:g:h\"."},
    {"MissingArnPrefix", kId,
     Policy(R"({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "aws:s3:::bucket"})"),
     "Partition \"s3\" is not valid for resource \"arn:s3:::bucket:*\"."},
    {"VendorNotQualified", kId,
     Policy(R"({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws"})"),
     "Resource vendor must be fully qualified and cannot contain regexes."},
    {"IamResourceWithRegion", kId, Policy(R"({"Effect": "Allow", "Action": "iam:GetUser",
                "Resource": "arn:aws:iam:us-east-1::user/x"})"),
     "IAM resource arn:aws:iam:us-east-1::user/x cannot contain region information."},
    {"S3ResourceWithRegion", kId, Policy(R"({"Effect": "Allow", "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:us-east-1::bucket"})"),
     "Resource arn:aws:s3:us-east-1::bucket can not contain region information."},
    {"IamResourcePath", kId, Policy(R"({"Effect": "Allow", "Action": "iam:GetUser",
                "Resource": "arn:aws:iam:::example_bucket"})"),
     "IAM resource path must either be \"*\", root, or start with user/, federated-user/, role/, "
     "group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, "
     "oidc-provider/, report/, access-report/."},
    {"ActionWithoutVendor", kId,
     Policy(R"({"Effect": "Allow", "Action": "invalid", "Resource": "*"})"),
     "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
    {"EmptyNotAction", kId, Policy(R"({"Effect": "Allow", "NotAction": "", "Resource": "*"})"),
     "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
    {"ActionWithTwoColons", kId,
     Policy(R"({"Effect": "Allow", "Action": "s3:List:Bucket", "Resource": "*"})"),
     "Actions/Condition can contain only one colon."},
    {"InvalidVendor", kId,
     Policy(R"({"Effect": "Allow", "Action": "a a:ListBucket", "Resource": "*"})"),
     "Vendor a a is not valid"},
    {"TrustWithResource", kTrust, Trust(R"({"AWS": "*"})", R"(, "Resource": "*")"),
     "Has prohibited field Resource"},
    {"TrustWithoutPrincipal", kTrust, Trust(""), kNoPrincipal},
    {"TrustWithNotPrincipal", kTrust,
     Policy(R"({"Effect": "Allow", "Action": "sts:AssumeRole", "NotPrincipal": {"AWS": "*"}})"),
     kNoPrincipal},
    {"TrustWithEmptyPrincipal", kTrust, Trust("{}"), kNoPrincipal},
    {"TrustWithStarPrincipal", kTrust, Trust(R"("*")"),
     "AssumeRolepolicy contained an invalid principal: \"STAR\":\"*\"."},
    {"TrustWithWildcardArn", kTrust,
     Trust(R"({"AWS": "arn:aws:sts::123456789012:assumed-role/PowerUser/*"})"),
     "Invalid principal in policy: \"AWS\":\"arn:aws:sts::123456789012:assumed-role/PowerUser/*\""},
    {"TrustWithUserName", kTrust, Trust(R"({"AWS": ["123456789012", "bob"]})"),
     "Invalid principal in policy: \"AWS\":\"bob\""},
    {"TrustWithBadService", kTrust, Trust(R"({"Service": "codepipeiine.amazonaws"})"),
     "Invalid principal in policy: \"SERVICE\":\"codepipeiine.amazonaws\""},
    {"TrustWithBadFederated", kTrust, Trust(R"({"Federated": "nope"})"),
     "Invalid principal in policy: \"FEDERATED\":\"nope\""},
    {"TrustWithNonStsAction", kTrust,
     Policy(R"({"Effect": "Allow", "Action": "s3:GetObject", "Principal": {"AWS": "*"}})"),
     "Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  and "
     "sts:AssumeRoleWithWebIdentity"},
    {"TrustWithoutActions", kTrust, Policy(R"({"Effect": "Allow", "Principal": {"AWS": "*"}})"),
     "Policy statement must contain actions."},
    {"TrustStructureError", kTrust, Policy(R"({"Effect": "Allow", "Action": 3})"), kSyntax},
};

INSTANTIATE_TEST_SUITE_P(Policy, PolicyDocumentErrorTest, ::testing::ValuesIn(kErrorCases),
                         [](const ::testing::TestParamInfo<ErrorCase>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace sagetrail::iam
