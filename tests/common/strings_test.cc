#include "common/strings.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sagetrail {
namespace {

using Views = std::vector<std::string_view>;

TEST(StringsTest, AsciiLowerAndEqualsIgnoreCase) {
  EXPECT_EQ(AsciiLower("X-Amz-Date"), "x-amz-date");
  EXPECT_EQ(AsciiLower("\xC3\x89t\xC3\xA9"), "\xC3\x89t\xC3\xA9");  // non-ASCII bytes untouched
  EXPECT_TRUE(EqualsIgnoreCase("Content-Type", "content-TYPE"));
  EXPECT_FALSE(EqualsIgnoreCase("Content-Type", "Content-Typ"));
  EXPECT_FALSE(EqualsIgnoreCase("[", "{"));  // 0x5B vs 0x7B: not letters
}

TEST(StringsTest, Trim) {
  EXPECT_EQ(Trim("  a b  "), "a b");
  EXPECT_EQ(Trim("\t\r\n x \n"), "x");
  EXPECT_EQ(Trim(""), "");
  EXPECT_EQ(Trim(" \t "), "");
  EXPECT_EQ(Trim("x"), "x");
  EXPECT_EQ(Trim("\vx\v"), "\vx\v");  // only space, tab, CR and LF are blanks
}

TEST(StringsTest, SplitKeepsEmptyPieces) {
  EXPECT_EQ(Split("a,b,c", ','), (Views{"a", "b", "c"}));
  EXPECT_EQ(Split("", ','), (Views{""}));
  EXPECT_EQ(Split(",", ','), (Views{"", ""}));
  EXPECT_EQ(Split("a,,b,", ','), (Views{"a", "", "b", ""}));
  EXPECT_EQ(Split("/a/b", '/'), (Views{"", "a", "b"}));
  EXPECT_EQ(Split("abc", ','), (Views{"abc"}));
}

TEST(StringsTest, Join) {
  EXPECT_EQ(Join({}, ", "), "");
  EXPECT_EQ(Join({"a"}, ", "), "a");
  EXPECT_EQ(Join({"a", "b", "c"}, "; "), "a; b; c");
  EXPECT_EQ(Join({"", ""}, ";"), ";");
}

TEST(StringsTest, LowerFirst) {
  EXPECT_EQ(LowerFirst("ModelName"), "modelName");
  EXPECT_EQ(LowerFirst("modelName"), "modelName");
  EXPECT_EQ(LowerFirst("VPCConfig"), "vPCConfig");
  EXPECT_EQ(LowerFirst("X"), "x");
  EXPECT_EQ(LowerFirst(""), "");
  EXPECT_EQ(LowerFirst("1abc"), "1abc");
}

TEST(StringsTest, UriEncodeUnreservedStay) {
  const std::string unreserved =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~";
  EXPECT_EQ(UriEncode(unreserved, false), unreserved);
}

TEST(StringsTest, UriEncodeReservedAndSlash) {
  EXPECT_EQ(UriEncode("a b+c=d&e/f", false), "a%20b%2Bc%3Dd%26e%2Ff");
  EXPECT_EQ(UriEncode("a b+c=d&e/f", true), "a%20b%2Bc%3Dd%26e/f");
  EXPECT_EQ(UriEncode("%", false), "%25");
  EXPECT_EQ(UriEncode("*", false), "%2A");
  EXPECT_EQ(UriEncode("$", false), "%24");
  EXPECT_EQ(UriEncode(std::string_view("\0", 1), false), "%00");
}

TEST(StringsTest, UriEncodeUtf8ByBytesUpperHex) {
  EXPECT_EQ(UriEncode("\xE1\x88\xB4", false), "%E1%88%B4");         // U+1234
  EXPECT_EQ(UriEncode("caf\xC3\xA9", false), "caf%C3%A9");          // é
  EXPECT_EQ(UriEncode("\xF0\x9F\x98\x80", false), "%F0%9F%98%80");  // U+1F600
}

TEST(StringsTest, UriDecode) {
  EXPECT_EQ(UriDecode("a%20b", false), "a b");
  EXPECT_EQ(UriDecode("%E1%88%B4", false), "\xE1\x88\xB4");
  EXPECT_EQ(UriDecode("%e1%88%b4", false), "\xE1\x88\xB4");  // lower-case hex
  EXPECT_EQ(UriDecode("%2F%2f", false), "//");
  EXPECT_EQ(UriDecode("%41", false), "A");
  EXPECT_EQ(UriDecode("x%41", false), "xA");  // escape at the very end
}

TEST(StringsTest, UriDecodePlus) {
  EXPECT_EQ(UriDecode("a+b", false), "a+b");
  EXPECT_EQ(UriDecode("a+b", true), "a b");
  EXPECT_EQ(UriDecode("a%2Bb", true), "a+b");  // an encoded plus stays a plus
}

TEST(StringsTest, UriDecodeKeepsMalformedEscapes) {
  EXPECT_EQ(UriDecode("%", false), "%");
  EXPECT_EQ(UriDecode("%4", false), "%4");
  EXPECT_EQ(UriDecode("a%zzb", false), "a%zzb");
  EXPECT_EQ(UriDecode("100%", false), "100%");
  EXPECT_EQ(UriDecode("%%41", false), "%A");
}

TEST(StringsTest, UriEncodeDecodeRoundTrip) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  EXPECT_EQ(UriDecode(UriEncode(all, false), false), all);
  EXPECT_EQ(UriDecode(UriEncode(all, true), true), all);
}

}  // namespace
}  // namespace sagetrail
