// Wildcard matching of actions, resources and ARN condition values.
#include "iam/policy/wildcard.h"

#include <gtest/gtest.h>

namespace sagetrail::iam {
namespace {

struct GlobCase {
  const char* pattern;
  const char* text;
  bool ignore_case;
  bool want;
};

TEST(PolicyWildcardTest, MatchesStarsAndQuestionMarks) {
  const GlobCase cases[] = {
      {"*", "", false, true},
      {"*", "anything at all", false, true},
      {"", "", false, true},
      {"", "x", false, false},
      {"abc", "abc", false, true},
      {"abc", "abcd", false, false},
      {"a*c", "abc", false, true},
      {"a*c", "ac", false, true},
      {"a*c", "ab", false, false},
      {"a?c", "abc", false, true},
      {"a?c", "ac", false, false},
      {"a?c", "abbc", false, false},
      {"*b*", "abc", false, true},
      {"a*b*c", "axxbyyc", false, true},
      {"a*b*c", "axxbyy", false, false},
      {"**", "x", false, true},
      {"*aab", "aaab", false, true},  // needs backtracking past the first 'a'
      {"?*", "", false, false},
      {"ABC", "abc", true, true},
      {"ABC", "abc", false, false},
  };
  for (const GlobCase& c : cases) {
    EXPECT_EQ(WildcardMatch(c.pattern, c.text, c.ignore_case), c.want)
        << c.pattern << " vs " << c.text;
  }
}

TEST(PolicyWildcardTest, EscapedSyntaxTreatsBackslashedWildcardsAsLiterals) {
  EXPECT_TRUE(WildcardMatch("a\\*", "a*", false, PatternSyntax::kEscaped));
  EXPECT_FALSE(WildcardMatch("a\\*", "ab", false, PatternSyntax::kEscaped));
  EXPECT_TRUE(WildcardMatch("a\\?*", "a?zz", false, PatternSyntax::kEscaped));
  EXPECT_FALSE(WildcardMatch("a\\?", "ab", false, PatternSyntax::kEscaped));
  EXPECT_TRUE(WildcardMatch("a\\\\b", "a\\b", false, PatternSyntax::kEscaped));
  // In raw syntax a backslash is an ordinary character and the star stays a wildcard.
  EXPECT_TRUE(WildcardMatch("a\\*", "a\\bcd", false, PatternSyntax::kRaw));
}

TEST(PolicyWildcardTest, ActionsMatchCaseInsensitively) {
  EXPECT_TRUE(ActionMatches("sagemaker:Describe*", "sagemaker:DescribeModel"));
  EXPECT_FALSE(ActionMatches("sagemaker:Describe*", "sagemaker:CreateModel"));
  EXPECT_TRUE(ActionMatches("SageMaker:describe*", "sagemaker:DescribeModel"));
  EXPECT_TRUE(ActionMatches("sagemaker:createmodel", "sagemaker:CreateModel"));
  EXPECT_TRUE(ActionMatches("*", "iam:ListUsers"));
  EXPECT_TRUE(ActionMatches("sagemaker:*", "sagemaker:ListModels"));
  EXPECT_FALSE(ActionMatches("sagemaker:*", "sagemaker-geospatial:ListRasterDataCollections"));
  EXPECT_TRUE(ActionMatches("s3:Get?bject", "s3:GetObject"));
  EXPECT_FALSE(ActionMatches("s3:Get?bject", "s3:GetObjectAcl"));
}

TEST(PolicyWildcardTest, ResourcesMatchCaseSensitively) {
  const char* model = "arn:aws:sagemaker:us-east-1:123456789012:model/m1";
  EXPECT_TRUE(ResourceMatches(model, model));
  EXPECT_TRUE(ResourceMatches("arn:aws:sagemaker:*:*:model/*", model));
  EXPECT_FALSE(ResourceMatches("arn:aws:sagemaker:*:*:model/M*", model));
  EXPECT_TRUE(ResourceMatches("arn:aws:sagemaker:*", model));  // '*' spans segments
  EXPECT_TRUE(ResourceMatches("arn:aws:sagemaker:us-east-1:123456789012:model/m?", model));
  EXPECT_FALSE(ResourceMatches("arn:aws:sagemaker:us-east-1:123456789012:model/m?",
                               "arn:aws:sagemaker:us-east-1:123456789012:model/m12"));
  // Actions without resource types are requested on "*": only a pattern matching "*" covers it.
  EXPECT_TRUE(ResourceMatches("*", "*"));
  EXPECT_FALSE(ResourceMatches("arn:aws:s3:::bucket/*", "*"));
}

TEST(PolicyWildcardTest, ArnMatchingComparesTheSixPartsSeparately) {
  const char* role = "arn:aws:iam::123456789012:role/Admin";
  EXPECT_TRUE(ArnMatches("arn:aws:iam::*:role/*", role));
  EXPECT_FALSE(ArnMatches("arn:aws:iam::*:user/*", role));
  EXPECT_TRUE(ArnMatches("arn:*:iam::123456789012:role/Admin", role));
  EXPECT_TRUE(ArnMatches("arn:aws:iam::1234567890?2:role/Admin", role));
  EXPECT_FALSE(ArnMatches("arn:aws:*", role));                 // fewer than six parts
  EXPECT_FALSE(ArnMatches("arn:aws:iam:*:role/Admin", role));  // '*' does not swallow a colon
  EXPECT_FALSE(ArnMatches("arn:aws:iam::*:role/*", "not-an-arn"));
  // The resource part keeps any further colons.
  EXPECT_TRUE(ArnMatches("arn:aws:logs:*:*:log-group:/aws/sagemaker/*",
                         "arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Jobs"));
  EXPECT_FALSE(ArnMatches("arn:aws:iam::*:role/admin", role));  // case-sensitive
}

}  // namespace
}  // namespace sagetrail::iam
