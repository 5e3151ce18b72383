// Policy variable substitution: values, defaults, escapes, missing and multivalued keys.
#include "iam/policy/policy_variables.h"

#include <gtest/gtest.h>

#include "iam/policy/wildcard.h"

namespace sagetrail::iam {
namespace {

class PolicyVariablesTest : public ::testing::Test {
 protected:
  PolicyVariablesTest() { context_.Set("aws:username", "bob").Set("aws:userid", "AIDAEXAMPLE"); }
  std::optional<std::string> Literal(std::string_view text) {
    return SubstitutePolicyVariables(text, context_, SubstitutionMode::kLiteral);
  }
  std::optional<std::string> Pattern(std::string_view text) {
    return SubstitutePolicyVariables(text, context_, SubstitutionMode::kPattern);
  }
  ConditionContext context_;
};

TEST_F(PolicyVariablesTest, DetectsVariables) {
  EXPECT_TRUE(HasPolicyVariables("arn:aws:iam::*:user/${aws:username}"));
  EXPECT_FALSE(HasPolicyVariables("arn:aws:iam::*:user/$aws:username"));
  EXPECT_FALSE(HasPolicyVariables("arn:aws:iam::*:user/*"));
}

TEST_F(PolicyVariablesTest, SubstitutesContextValues) {
  EXPECT_EQ(Literal("arn:aws:iam::*:user/${aws:username}"), "arn:aws:iam::*:user/bob");
  EXPECT_EQ(Literal("home/${aws:userid}/${aws:username}"), "home/AIDAEXAMPLE/bob");
  EXPECT_EQ(Literal("no variables"), "no variables");
}

TEST_F(PolicyVariablesTest, KeyNamesAreCaseInsensitive) {
  EXPECT_EQ(Literal("${AWS:UserName}"), "bob");
  EXPECT_EQ(Literal("${ aws:username }"), "bob");
}

TEST_F(PolicyVariablesTest, MissingKeyWithoutDefaultCannotBeResolved) {
  EXPECT_EQ(Literal("user/${aws:PrincipalTag/team}"), std::nullopt);
  EXPECT_EQ(Pattern("user/${aws:PrincipalTag/team}"), std::nullopt);
}

TEST_F(PolicyVariablesTest, DefaultsApplyOnlyWhenTheKeyIsMissing) {
  EXPECT_EQ(Literal("${aws:PrincipalTag/team, 'company-wide'}"), "company-wide");
  EXPECT_EQ(Literal("${aws:username, 'nobody'}"), "bob");
  EXPECT_EQ(Literal("${aws:PrincipalTag/team, 'it''s'}"), "it's");
  EXPECT_EQ(Literal("${aws:PrincipalTag/team,''}"), "");
}

TEST_F(PolicyVariablesTest, MultivaluedKeysAreNotVariables) {
  context_.SetMulti("aws:TagKeys", {"a", "b"});
  EXPECT_EQ(Literal("${aws:TagKeys}"), std::nullopt);
  context_.SetMulti("aws:TagKeys", {"only"});
  EXPECT_EQ(Literal("${aws:TagKeys}"), "only");
}

TEST_F(PolicyVariablesTest, BrokenSyntaxCannotBeResolved) {
  EXPECT_EQ(Literal("${aws:username"), std::nullopt);
  EXPECT_EQ(Literal("${}"), std::nullopt);
  EXPECT_EQ(Literal("${aws:username, nobody}"), std::nullopt);
  EXPECT_EQ(Literal("${aws:username, 'nobody}"), std::nullopt);
}

TEST_F(PolicyVariablesTest, SpecialCharacterEscapes) {
  EXPECT_EQ(Literal("a${*}b${?}c${$}"), "a*b?c$");
  // As a pattern they become literal characters, not wildcards.
  auto pattern = Pattern("a${*}b");
  ASSERT_TRUE(pattern.has_value());
  EXPECT_EQ(*pattern, "a\\*b");
  EXPECT_TRUE(WildcardMatch(*pattern, "a*b", false, PatternSyntax::kEscaped));
  EXPECT_FALSE(WildcardMatch(*pattern, "axxb", false, PatternSyntax::kEscaped));
}

TEST_F(PolicyVariablesTest, SubstitutedValuesAreLiteralInPatterns) {
  context_.Set("aws:username", "a*b");
  auto pattern = Pattern("user/${aws:username}/*");
  ASSERT_TRUE(pattern.has_value());
  EXPECT_TRUE(WildcardMatch(*pattern, "user/a*b/x", false, PatternSyntax::kEscaped));
  EXPECT_FALSE(WildcardMatch(*pattern, "user/aXXb/x", false, PatternSyntax::kEscaped));
  // The policy's own backslashes are escaped so they stay literal.
  EXPECT_EQ(Pattern("a\\b${aws:userid}"), "a\\\\bAIDAEXAMPLE");
}

}  // namespace
}  // namespace sagetrail::iam
