// Condition operators against request contexts: every operator family, IfExists, missing keys,
// set qualifiers, multiple values/keys/operators, and policy variables in condition values.
#include "iam/policy/condition_evaluator.h"

#include <gtest/gtest.h>

#include <ostream>
#include <utility>

#include "iam/policy/policy_test_util.h"

namespace sagetrail::iam {
namespace {

struct Key {
  std::string name;
  std::vector<std::string> values;
  bool multi = false;
};

Key One(std::string name, std::string value) { return {std::move(name), {std::move(value)}}; }
Key Many(std::string name, std::vector<std::string> values) {
  return {std::move(name), std::move(values), true};
}

struct ConditionCase {
  const char* name;
  const char* condition;  // the Condition element's JSON
  std::vector<Key> context;
  bool want;
  const char* version = "2012-10-17";
};

// Parameterized-test output names the case instead of dumping its bytes.
void PrintTo(const ConditionCase& c, std::ostream* os) { *os << c.name; }

class PolicyConditionTest : public ::testing::TestWithParam<ConditionCase> {};

TEST_P(PolicyConditionTest, Holds) {
  const ConditionCase& c = GetParam();
  auto doc = testing::ParseOrFail(
      testing::Policy(std::string(R"({"Effect": "Allow", "Action": "*", "Resource": "*",
                                      "Condition": )") +
                          c.condition + "}",
                      c.version));
  ASSERT_TRUE(doc);
  ConditionContext context;
  for (const Key& k : c.context) {
    if (k.multi) {
      context.SetMulti(k.name, k.values);
    } else {
      context.Set(k.name, k.values.front());
    }
  }
  EXPECT_EQ(ConditionsHold(doc->statements()[0].conditions, context, doc->supports_variables()),
            c.want)
      << c.condition;
}

const ConditionCase kCases[] = {
    // --- strings ---
    {"StringEqualsMatches",
     R"({"StringEquals": {"aws:username": "bob"}})",
     {One("aws:username", "bob")},
     true},
    {"StringEqualsIsCaseSensitive",
     R"({"StringEquals": {"aws:username": "bob"}})",
     {One("aws:username", "Bob")},
     false},
    {"StringEqualsMissingKey", R"({"StringEquals": {"aws:username": "bob"}})", {}, false},
    {"StringEqualsValuesAreOred",
     R"({"StringEquals": {"aws:username": ["alice", "bob"]}})",
     {One("aws:username", "bob")},
     true},
    {"KeyNamesAreCaseInsensitive",
     R"({"StringEquals": {"AWS:UserName": "bob"}})",
     {One("aws:username", "bob")},
     true},
    {"StringNotEqualsOther",
     R"({"StringNotEquals": {"aws:username": ["alice", "bob"]}})",
     {One("aws:username", "carol")},
     true},
    {"StringNotEqualsListed",
     R"({"StringNotEquals": {"aws:username": ["alice", "bob"]}})",
     {One("aws:username", "bob")},
     false},
    {"StringNotEqualsMissingKeyHolds", R"({"StringNotEquals": {"aws:username": "bob"}})", {}, true},
    {"StringEqualsIgnoreCase",
     R"({"StringEqualsIgnoreCase": {"aws:username": "BOB"}})",
     {One("aws:username", "bob")},
     true},
    {"StringNotEqualsIgnoreCase",
     R"({"StringNotEqualsIgnoreCase": {"aws:username": "BOB"}})",
     {One("aws:username", "bob")},
     false},
    {"StringLikeStar",
     R"({"StringLike": {"s3:prefix": "home/*"}})",
     {One("s3:prefix", "home/bob/x")},
     true},
    {"StringLikeQuestionMark",
     R"({"StringLike": {"aws:username": "b?b"}})",
     {One("aws:username", "bob")},
     true},
    {"StringLikeIsCaseSensitive",
     R"({"StringLike": {"aws:username": "B*"}})",
     {One("aws:username", "bob")},
     false},
    {"StringNotLikeOther",
     R"({"StringNotLike": {"aws:username": "b*"}})",
     {One("aws:username", "alice")},
     true},
    {"StringNotLikeMatching",
     R"({"StringNotLike": {"aws:username": "b*"}})",
     {One("aws:username", "bob")},
     false},
    // --- IfExists ---
    {"IfExistsMissingKeyHolds",
     R"({"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}})",
     {},
     true},
    {"IfExistsPresentKeyIsChecked",
     R"({"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}})",
     {One("ec2:InstanceType", "p4d.24xlarge")},
     false},
    {"IfExistsPresentKeyMatches",
     R"({"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}})",
     {One("ec2:InstanceType", "t3.micro")},
     true},
    // --- several keys and operators are AND-ed ---
    {"AllKeysMatch",
     R"({"StringEquals": {"aws:username": "bob", "aws:userid": "AIDA1"}})",
     {One("aws:username", "bob"), One("aws:userid", "AIDA1")},
     true},
    {"OneKeyFails",
     R"({"StringEquals": {"aws:username": "bob", "aws:userid": "AIDA1"}})",
     {One("aws:username", "bob"), One("aws:userid", "AIDA2")},
     false},
    {"AllOperatorsMatch",
     R"({"StringEquals": {"aws:username": "bob"}, "Bool": {"aws:SecureTransport": "true"}})",
     {One("aws:username", "bob"), One("aws:SecureTransport", "true")},
     true},
    {"OneOperatorFails",
     R"({"StringEquals": {"aws:username": "bob"}, "Bool": {"aws:SecureTransport": "true"}})",
     {One("aws:username", "bob"), One("aws:SecureTransport", "false")},
     false},
    // --- numbers ---
    {"NumericEquals",
     R"({"NumericEquals": {"s3:max-keys": "10"}})",
     {One("s3:max-keys", "10")},
     true},
    {"NumericEqualsDecimal",
     R"({"NumericEquals": {"s3:max-keys": "10"}})",
     {One("s3:max-keys", "10.0")},
     true},
    {"NumericEqualsOther",
     R"({"NumericEquals": {"s3:max-keys": "10"}})",
     {One("s3:max-keys", "11")},
     false},
    {"NumericNotEquals",
     R"({"NumericNotEquals": {"s3:max-keys": "10"}})",
     {One("s3:max-keys", "11")},
     true},
    {"NumericLessThan",
     R"({"NumericLessThan": {"s3:max-keys": "10"}})",
     {One("s3:max-keys", "9")},
     true},
    {"NumericLessThanAtBound",
     R"({"NumericLessThan": {"s3:max-keys": "10"}})",
     {One("s3:max-keys", "10")},
     false},
    {"NumericLessThanEquals",
     R"({"NumericLessThanEquals": {"s3:max-keys": "10"}})",
     {One("s3:max-keys", "10")},
     true},
    {"NumericGreaterThan",
     R"({"NumericGreaterThan": {"s3:max-keys": "10"}})",
     {One("s3:max-keys", "11")},
     true},
    {"NumericGreaterThanEquals",
     R"({"NumericGreaterThanEquals": {"s3:max-keys": "10"}})",
     {One("s3:max-keys", "9")},
     false},
    {"NumericJsonNumber",
     R"({"NumericLessThan": {"s3:max-keys": 10}})",
     {One("s3:max-keys", "5")},
     true},
    {"NumericNotANumber",
     R"({"NumericLessThan": {"s3:max-keys": "10"}})",
     {One("s3:max-keys", "abc")},
     false},
    // --- dates ---
    {"DateGreaterThan",
     R"({"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}})",
     {One("aws:CurrentTime", "2026-06-01T00:00:00Z")},
     true},
    {"DateGreaterThanEarlier",
     R"({"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}})",
     {One("aws:CurrentTime", "2025-06-01T00:00:00Z")},
     false},
    {"DateLessThanEpochPolicyValue",
     R"({"DateLessThan": {"aws:CurrentTime": "1767225600"}})",
     {One("aws:CurrentTime", "2025-12-31T23:59:59Z")},
     true},
    {"DateLessThanEpochRequestValue",
     R"({"DateLessThan": {"aws:EpochTime": "2026-01-01T00:00:00Z"}})",
     {One("aws:EpochTime", "1767225600")},
     false},
    {"DateEqualsSameInstantOtherZone",
     R"({"DateEquals": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}})",
     {One("aws:CurrentTime", "2026-01-01T01:00:00+01:00")},
     true},
    {"DateNotEquals",
     R"({"DateNotEquals": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}})",
     {One("aws:CurrentTime", "2026-01-02T00:00:00Z")},
     true},
    {"DateLessThanEqualsAtBound",
     R"({"DateLessThanEquals": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}})",
     {One("aws:CurrentTime", "2026-01-01T00:00:00Z")},
     true},
    {"DateGreaterThanEqualsBefore",
     R"({"DateGreaterThanEquals": {"aws:CurrentTime": "2026-01-01"}})",
     {One("aws:CurrentTime", "2025-12-31T23:59:59Z")},
     false},
    {"DateWindow",
     R"({"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"},
         "DateLessThan": {"aws:CurrentTime": "2026-12-31T23:59:59Z"}})",
     {One("aws:CurrentTime", "2026-07-01T12:00:00Z")},
     true},
    // --- booleans ---
    {"BoolTrue",
     R"({"Bool": {"aws:MultiFactorAuthPresent": "true"}})",
     {One("aws:MultiFactorAuthPresent", "true")},
     true},
    {"BoolFalse",
     R"({"Bool": {"aws:MultiFactorAuthPresent": "true"}})",
     {One("aws:MultiFactorAuthPresent", "false")},
     false},
    {"BoolJsonLiteral",
     R"({"Bool": {"aws:SecureTransport": true}})",
     {One("aws:SecureTransport", "TRUE")},
     true},
    {"BoolMissingKey", R"({"Bool": {"aws:MultiFactorAuthPresent": "false"}})", {}, false},
    {"BoolIfExistsMissingKey",
     R"({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}})",
     {},
     true},
    // --- Null ---
    {"NullTrueMissing", R"({"Null": {"aws:TokenIssueTime": "true"}})", {}, true},
    {"NullTruePresent",
     R"({"Null": {"aws:TokenIssueTime": "true"}})",
     {One("aws:TokenIssueTime", "2026-01-01T00:00:00Z")},
     false},
    {"NullFalsePresent",
     R"({"Null": {"aws:TokenIssueTime": "false"}})",
     {One("aws:TokenIssueTime", "2026-01-01T00:00:00Z")},
     true},
    {"NullFalseMissing", R"({"Null": {"aws:TokenIssueTime": false}})", {}, false},
    // --- IP addresses ---
    {"IpAddressInside",
     R"({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})",
     {One("aws:SourceIp", "203.0.113.7")},
     true},
    {"IpAddressOutside",
     R"({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})",
     {One("aws:SourceIp", "198.51.100.1")},
     false},
    {"IpAddressIpv6",
     R"({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}})",
     {One("aws:SourceIp", "2001:db8:5::1")},
     true},
    {"IpAddressMissing", R"({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})", {}, false},
    {"NotIpAddressOutside",
     R"({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}})",
     {One("aws:SourceIp", "198.51.100.1")},
     true},
    {"NotIpAddressInside",
     R"({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}})",
     {One("aws:SourceIp", "203.0.113.1")},
     false},
    {"NotIpAddressMissingHolds",
     R"({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}})",
     {},
     true},
    // --- ARNs ---
    {"ArnLike",
     R"({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin*"}})",
     {One("aws:PrincipalArn", "arn:aws:iam::123456789012:role/AdminOps")},
     true},
    {"ArnLikeOtherType",
     R"({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin*"}})",
     {One("aws:PrincipalArn", "arn:aws:iam::123456789012:user/AdminOps")},
     false},
    {"ArnEquals",
     R"({"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:t"}})",
     {One("aws:SourceArn", "arn:aws:sns:us-east-1:123456789012:t")},
     true},
    {"ArnEqualsTakesWildcards",
     R"({"ArnEquals": {"aws:SourceArn": "arn:aws:sns:*:*:t"}})",
     {One("aws:SourceArn", "arn:aws:sns:us-east-1:123456789012:t")},
     true},
    {"ArnNotLikeOther",
     R"({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin*"}})",
     {One("aws:PrincipalArn", "arn:aws:iam::123456789012:user/bob")},
     true},
    {"ArnNotEqualsSame",
     R"({"ArnNotEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:t"}})",
     {One("aws:SourceArn", "arn:aws:sns:us-east-1:123456789012:t")},
     false},
    // --- binary ---
    {"BinaryEquals",
     R"({"BinaryEquals": {"key": "QmluYXJ5VmFsdWU="}})",
     {One("key", "QmluYXJ5VmFsdWU=")},
     true},
    // --- multivalued keys and set qualifiers ---
    {"ForAnyValueOneMatches",
     R"({"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "team"]}})",
     {Many("aws:TagKeys", {"team", "cost"})},
     true},
    {"ForAnyValueNoneMatches",
     R"({"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "team"]}})",
     {Many("aws:TagKeys", {"cost"})},
     false},
    {"ForAnyValueMissingKey",
     R"({"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}})",
     {},
     false},
    {"ForAnyValueIfExistsMissingKey",
     R"({"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": ["env"]}})",
     {},
     false},
    {"ForAnyValueNegated",
     R"({"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["env"]}})",
     {Many("aws:TagKeys", {"env", "x"})},
     true},
    {"ForAnyValueNegatedAllListed",
     R"({"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["env"]}})",
     {Many("aws:TagKeys", {"env"})},
     false},
    {"ForAllValuesSubset",
     R"({"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}})",
     {Many("aws:TagKeys", {"env"})},
     true},
    {"ForAllValuesNotSubset",
     R"({"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}})",
     {Many("aws:TagKeys", {"env", "cost"})},
     false},
    {"ForAllValuesMissingKeyHolds",
     R"({"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}})",
     {},
     true},
    {"ForAllValuesEmptySetHolds",
     R"({"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}})",
     {Many("aws:TagKeys", {})},
     true},
    {"ForAllValuesLike",
     R"({"ForAllValues:StringLike": {"aws:TagKeys": "Created*"}})",
     {Many("aws:TagKeys", {"CreatedBy", "CreatedAt"})},
     true},
    {"SingleValuedOperatorOnMultivaluedKey",
     R"({"StringEquals": {"aws:TagKeys": "env"}})",
     {Many("aws:TagKeys", {"env", "team"})},
     false},
    // --- policy variables in values ---
    {"VariableInStringEquals",
     R"({"StringEquals": {"s3:prefix": "home/${aws:username}"}})",
     {One("aws:username", "bob"), One("s3:prefix", "home/bob")},
     true},
    {"VariableInStringEqualsOtherUser",
     R"({"StringEquals": {"s3:prefix": "home/${aws:username}"}})",
     {One("aws:username", "bob"), One("s3:prefix", "home/alice")},
     false},
    {"VariableInStringLike",
     R"({"StringLike": {"s3:prefix": "home/${aws:username}/*"}})",
     {One("aws:username", "bob"), One("s3:prefix", "home/bob/notes.txt")},
     true},
    {"VariableInArnLike",
     R"({"ArnLike": {"aws:SourceArn": "${aws:PrincipalArn}"}})",
     {One("aws:PrincipalArn", "arn:aws:iam::123456789012:user/bob"),
      One("aws:SourceArn", "arn:aws:iam::123456789012:user/bob")},
     true},
    {"UnresolvedVariableFailsPositive",
     R"({"StringEquals": {"s3:prefix": "home/${aws:username}"}})",
     {One("s3:prefix", "home/")},
     false},
    {"UnresolvedVariableFailsNegated",
     R"({"StringNotEquals": {"s3:prefix": "home/${aws:username}"}})",
     {One("s3:prefix", "other")},
     false},
    {"VariableWithDefault",
     R"({"StringEquals": {"aws:RequestTag/team": "${aws:PrincipalTag/team, 'shared'}"}})",
     {One("aws:RequestTag/team", "shared")},
     true},
    {"VariablesAreLiteralIn2008",
     R"({"StringEquals": {"s3:prefix": "home/${aws:username}"}})",
     {One("aws:username", "bob"), One("s3:prefix", "home/${aws:username}")},
     true,
     "2008-10-17"},
};

INSTANTIATE_TEST_SUITE_P(Policy, PolicyConditionTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<ConditionCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(PolicyConditionContextTest, KeysAreCaseInsensitiveAndReplaceable) {
  ConditionContext context;
  EXPECT_TRUE(context.empty());
  context.Set("aws:SourceIp", "203.0.113.1");
  ASSERT_NE(context.Find("AWS:SOURCEIP"), nullptr);
  EXPECT_EQ(*context.Find("aws:sourceip"), std::vector<std::string>{"203.0.113.1"});
  context.Set("AWS:SourceIP", "198.51.100.1");
  EXPECT_EQ(context.size(), 1u);
  EXPECT_EQ(context.Find("aws:SourceIp")->front(), "198.51.100.1");
  context.SetMulti("aws:TagKeys", {"a", "b"});
  EXPECT_EQ(context.Find("aws:tagkeys")->size(), 2u);
  context.Erase("AWS:TAGKEYS");
  EXPECT_FALSE(context.Has("aws:TagKeys"));
}

}  // namespace
}  // namespace sagetrail::iam
