// CompiledPattern: Java model patterns translated for PCRE2 and matched against whole strings.
#include "aws/model/pattern.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "aws/model/service_model.h"
#include "fakes/test_support.h"

// PCRE2 directly, to compare with patterns as the model has them.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace sagetrail::aws {
namespace {

std::unique_ptr<CompiledPattern> MustCompile(std::string_view java) {
  std::string error;
  auto p = CompiledPattern::Compile(java, &error);
  EXPECT_NE(p, nullptr) << java << ": " << error;
  return p;
}

bool Match(std::string_view java, std::string_view subject) {
  auto p = MustCompile(java);
  return p != nullptr && p->Matches(subject);
}

TEST(PatternTranslateTest, AnchorsTheWholeSubject) {
  EXPECT_EQ(CompiledPattern::Translate("[a-z]+"), "\\A(?:[a-z]+)\\z");
  EXPECT_EQ(CompiledPattern::Translate(""), "\\A(?:)\\z");
}

TEST(PatternTranslateTest, UnicodeEscapes) {
  EXPECT_EQ(CompiledPattern::Translate("[\\u0020-\\uD7FF]"), "\\A(?:[\\x{0020}-\\x{D7FF}])\\z");
  // A "\u" without four hex digits is left alone.
  EXPECT_EQ(CompiledPattern::Translate("\\u12"), "\\A(?:\\u12)\\z");
}

TEST(PatternTranslateTest, SurrogatePairRangeBecomesSupplementaryPlanes) {
  EXPECT_EQ(CompiledPattern::Translate("[\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\t]*"),
            "\\A(?:[\\x{E000}-\\x{FFFD}\\x{10000}-\\x{10FFFF}\\t]*)\\z");
}

TEST(PatternTranslateTest, PosixClassesInsideAndOutsideBrackets) {
  EXPECT_EQ(CompiledPattern::Translate("[\\p{Alnum}\\-]+"), "\\A(?:[a-zA-Z0-9\\-]+)\\z");
  EXPECT_EQ(CompiledPattern::Translate("\\p{Alnum}+"), "\\A(?:[a-zA-Z0-9]+)\\z");
  EXPECT_EQ(CompiledPattern::Translate("[a]\\p{Digit}"), "\\A(?:[a][0-9])\\z");
  // An escaped bracket does not open a class.
  EXPECT_EQ(CompiledPattern::Translate("\\[\\p{Alpha}"), "\\A(?:\\[[a-zA-Z])\\z");
  // Unicode categories are PCRE2's own and pass through.
  EXPECT_EQ(CompiledPattern::Translate("[\\p{L}\\p{N}]"), "\\A(?:[\\p{L}\\p{N}])\\z");
}

// Java reads a hyphen right after a class escape as a literal; PCRE2 would call it a bad range.
TEST(PatternTranslateTest, HyphenAfterClassEscapeInsideBrackets) {
  EXPECT_EQ(CompiledPattern::Translate("[\\w-_]*"), "\\A(?:[\\w\\-_]*)\\z");
  EXPECT_EQ(CompiledPattern::Translate("[\\w-]"), "\\A(?:[\\w-])\\z");  // trailing: already literal
  EXPECT_EQ(CompiledPattern::Translate("\\d-\\d"), "\\A(?:\\d-\\d)\\z");  // outside a class
  EXPECT_TRUE(Match("[\\w-_]*", "log-group_1"));
  EXPECT_FALSE(Match("[\\w-_]*", "log group"));
}

TEST(PatternTranslateTest, JavaQuantifierAfterDollarIsDropped) {
  EXPECT_EQ(CompiledPattern::Translate("([a-z]*)${1,128}"), "\\A(?:([a-z]*)$)\\z");
  // An escaped dollar keeps its quantifier (a literal '$' repeated).
  EXPECT_EQ(CompiledPattern::Translate("\\${1,2}"), "\\A(?:\\${1,2})\\z");
}

TEST(PatternMatchTest, WholeStringOnly) {
  EXPECT_TRUE(Match("[a-z]+", "abc"));
  EXPECT_FALSE(Match("[a-z]+", "abc1"));
  EXPECT_FALSE(Match("[a-z]+", "1abc"));
  EXPECT_FALSE(Match("[a-z]+", ""));
  // An alternative that matches a prefix must not let the longer string through.
  EXPECT_FALSE(Match("ab|abc", "abcd"));
  EXPECT_TRUE(Match("ab|abc", "abc"));
  EXPECT_FALSE(Match("[a-z]+", "abc\n"));  // no "$ before a final newline" leniency
  EXPECT_TRUE(Match("^[a-z]+$", "abc"));   // models with their own anchors still work
  EXPECT_FALSE(Match("^[a-z]+$", "abc\n"));
}

TEST(PatternMatchTest, UnicodeCategoriesWithNonAsciiText) {
  const char* tag = "([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)";
  EXPECT_TRUE(Match(tag, "caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC 123"));  // "café 日本 123"
  EXPECT_TRUE(Match(tag, "\xD9\xA3"));    // ARABIC-INDIC DIGIT THREE is \p{N}
  EXPECT_TRUE(Match(tag, "a\xC2\xA0z"));  // NO-BREAK SPACE is \p{Z}
  EXPECT_FALSE(Match(tag, "a!b"));
  EXPECT_FALSE(Match(tag, "\xF0\x9F\x98\x80"));       // an emoji is \p{So}, none of L, Z, N
  EXPECT_FALSE(Match("\\p{L}", "\xC3\xA9\xC3\xA9"));  // exactly one letter
  EXPECT_TRUE(Match("\\p{L}", "\xC3\xA9"));
}

TEST(PatternMatchTest, UnicodeEscapeRanges) {
  const char* task = "[\\t\\n\\r -\\uD7FF\\uE000-\\uFFFD]*";
  EXPECT_TRUE(Match(task, "Label the images\n\xE2\x9C\x93"));
  EXPECT_FALSE(Match(task, "bell\x07"));
  EXPECT_FALSE(Match(task, "\xF0\x9F\x98\x80"));  // supplementary: outside this range
  EXPECT_TRUE(Match("\\u0041+", "AAA"));
}

TEST(PatternMatchTest, SupplementaryCodePoints) {
  const char* catalog = "[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\t]*";
  EXPECT_TRUE(Match(catalog, "db \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"));  // U+1F600, U+10FFFF
  EXPECT_TRUE(Match(catalog, "tab\there"));
  EXPECT_FALSE(Match(catalog, "new\nline"));
  EXPECT_FALSE(Match(catalog, "\xEF\xBF\xBE"));  // U+FFFE is excluded
}

TEST(PatternMatchTest, AlnumClass) {
  const char* arn = "arn:[\\p{Alnum}\\-]+:lambda:[\\p{Alnum}\\-]+:[0-9]{12}:function:.*";
  EXPECT_TRUE(Match(arn, "arn:aws:lambda:us-east-1:123456789012:function:creds"));
  EXPECT_FALSE(Match(arn, "arn:aws_x:lambda:us-east-1:123456789012:function:creds"));
  EXPECT_FALSE(Match(arn, "arn:\xC3\xA9:lambda:us-east-1:123456789012:function:f"));  // ASCII only
  EXPECT_TRUE(Match("\\p{Alnum}{3}", "a1Z"));
  EXPECT_FALSE(Match("\\p{Alnum}{3}", "a1-"));
}

TEST(PatternMatchTest, JavaDollarQuantifierQuirk) {
  const char* key = "([\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@]*)${1,128}";
  EXPECT_TRUE(Match(key, "team:ml"));
  EXPECT_TRUE(Match(key, ""));
  EXPECT_FALSE(Match(key, "semi;colon"));
}

TEST(PatternMatchTest, LookaheadAndLookbehind) {
  const char* non_blank = "(?!\\s*$).+";
  EXPECT_TRUE(Match(non_blank, "x"));
  EXPECT_TRUE(Match(non_blank, " x "));
  EXPECT_FALSE(Match(non_blank, "   "));
  EXPECT_FALSE(Match(non_blank, ""));
  const char* name = "([a-zA-Z0-9]([a-zA-Z0-9-]){0,62})(?<!-)";
  EXPECT_TRUE(Match(name, "my-model"));
  EXPECT_FALSE(Match(name, "my-model-"));
  const char* bounded = "(?=.{1,5}$)[a-z]+";
  EXPECT_TRUE(Match(bounded, "abcde"));
  EXPECT_FALSE(Match(bounded, "abcdef"));
  const char* alias = "(?!^[.-])^([a-zA-Z0-9-_.]+)";
  EXPECT_TRUE(Match(alias, "v1.2-beta"));
  EXPECT_FALSE(Match(alias, ".hidden"));
}

TEST(PatternMatchTest, InvalidUtf8NeverMatches) {
  EXPECT_FALSE(Match(".*", "\xC3"));                 // truncated sequence
  EXPECT_FALSE(Match(".*", "ab\xFF"));               // never valid
  EXPECT_FALSE(Match("[\\s\\S]*", "\xED\xA0\x80"));  // encoded surrogate
  EXPECT_FALSE(Match("[\\s\\S]*", "\xC0\xAF"));      // overlong '/'
  EXPECT_TRUE(Match(".*", "\xC3\xA9"));
}

TEST(PatternMatchTest, EmbeddedNulIsPartOfTheSubject) {
  EXPECT_FALSE(Match("[a-z]+", std::string_view("ab\0cd", 5)));
}

TEST(PatternCompileTest, InvalidPatternReportsAnError) {
  std::string error;
  EXPECT_EQ(CompiledPattern::Compile("[a-z", &error), nullptr);
  EXPECT_FALSE(error.empty());
  EXPECT_EQ(CompiledPattern::Compile("(?<!a+)b", nullptr), nullptr);  // no crash without error
}

// PCRE2 on a pattern as the model has it, untranslated (anchored only).
bool CompilesUntranslated(const std::string& pattern) {
  std::string anchored = "\\A(?:" + pattern + ")\\z";
  int err = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(anchored.data()), anchored.size(),
                                   PCRE2_UTF, &err, &offset, nullptr);
  if (code == nullptr) return false;
  pcre2_code_free(code);
  return true;
}

// Every pattern of every shape of the SageMaker model compiles after translation. Untranslated,
// only patterns using Java-only syntax (\uXXXX, \p{Alnum}, the "${1,128}" quirk) fail.
TEST(PatternCompileTest, EverySageMakerPatternCompiles) {
  const ServiceModel* m = testing::Models().Find("sagemaker");
  ASSERT_NE(m, nullptr);
  int patterns = 0;
  std::vector<std::string> failures, untranslated_failures;
  for (size_t id = 0; id < m->shape_count(); ++id) {
    const Shape& s = m->shape(static_cast<ShapeId>(id));
    if (s.pattern.empty()) continue;
    ++patterns;
    std::string error;
    if (CompiledPattern::Compile(s.pattern, &error) == nullptr) {
      failures.push_back(s.name + ": " + error);
    }
    EXPECT_NE(m->Pattern(s), nullptr) << s.name;
    if (!CompilesUntranslated(s.pattern)) untranslated_failures.push_back(s.name);
  }
  EXPECT_GT(patterns, 400);
  EXPECT_TRUE(failures.empty()) << ::testing::PrintToString(failures);
  EXPECT_FALSE(untranslated_failures.empty());  // translation is doing real work
  for (const std::string& name : untranslated_failures) {
    const std::string& p = m->shape(m->FindShape(name)).pattern;
    EXPECT_TRUE(p.find("\\u") != std::string::npos || p.find("\\p{Alnum}") != std::string::npos ||
                p.find("${") != std::string::npos)
        << name << ": " << p;
  }
  // The two CustomerMetadata shapes are the "${n,m}" quirk.
  for (const char* name : {"CustomerMetadataKey", "CustomerMetadataValue"}) {
    const Shape& s = m->shape(m->FindShape(name));
    EXPECT_NE(s.pattern.find("${"), std::string::npos) << name;
    EXPECT_NE(std::find(untranslated_failures.begin(), untranslated_failures.end(), name),
              untranslated_failures.end())
        << name;
  }
}

// Every pattern of every loaded service compiles.
TEST(PatternCompileTest, EveryPatternOfEveryServiceCompiles) {
  std::vector<std::string> failures;
  for (const auto& m : testing::Models().models()) {
    for (size_t id = 0; id < m->shape_count(); ++id) {
      const Shape& s = m->shape(static_cast<ShapeId>(id));
      if (s.pattern.empty()) continue;
      std::string error;
      if (CompiledPattern::Compile(s.pattern, &error) == nullptr) {
        failures.push_back(m->name() + "." + s.name + ": " + error);
      }
    }
  }
  EXPECT_TRUE(failures.empty()) << ::testing::PrintToString(failures);
}

}  // namespace
}  // namespace sagetrail::aws
