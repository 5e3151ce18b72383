// LookupEvents paging tokens: round trips, and rejection of anything forged, altered or reused
// for another query.
#include "cloudtrail/lookup/next_token.h"

#include <gtest/gtest.h>

#include "common/crypto.h"

namespace sagetrail::cloudtrail {
namespace {

const std::string kSecret(32, 'k');
constexpr char kQuery[] = "111122223333\nus-east-1\n[]\n\n\n\n";

TEST(NextTokenTest, RoundTrips) {
  for (TokenPosition p : {TokenPosition{0, 0}, TokenPosition{1763805600123, 42},
                          TokenPosition{-5, UINT64_MAX}, TokenPosition{INT64_MAX, 1}}) {
    std::string token = EncodeNextToken(kSecret, kQuery, p);
    auto back = DecodeNextToken(kSecret, kQuery, token);
    ASSERT_TRUE(back.has_value()) << token;
    EXPECT_EQ(back->event_time_ms, p.event_time_ms);
    EXPECT_EQ(back->seq, p.seq);
    // Opaque, printable, and valid base64.
    EXPECT_TRUE(Base64Decode(token).has_value());
    EXPECT_EQ(token.find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="),
              std::string::npos);
  }
}

TEST(NextTokenTest, DifferentPositionsGiveDifferentTokens) {
  EXPECT_NE(EncodeNextToken(kSecret, kQuery, {1, 2}), EncodeNextToken(kSecret, kQuery, {1, 3}));
  EXPECT_NE(EncodeNextToken(kSecret, kQuery, {1, 2}), EncodeNextToken(kSecret, kQuery, {2, 2}));
  EXPECT_EQ(EncodeNextToken(kSecret, kQuery, {1, 2}), EncodeNextToken(kSecret, kQuery, {1, 2}));
}

TEST(NextTokenTest, BoundToTheQuery) {
  std::string token = EncodeNextToken(kSecret, kQuery, {1000, 7});
  EXPECT_FALSE(DecodeNextToken(kSecret, "111122223333\nus-west-2\n[]\n\n\n\n", token));
  EXPECT_FALSE(DecodeNextToken(kSecret, "", token));
  EXPECT_FALSE(DecodeNextToken(kSecret, std::string(kQuery) + "x", token));
}

TEST(NextTokenTest, BoundToTheSecret) {
  std::string token = EncodeNextToken(kSecret, kQuery, {1000, 7});
  EXPECT_FALSE(DecodeNextToken(std::string(32, 'j'), kQuery, token));
}

TEST(NextTokenTest, AnyAlteredByteIsRejected) {
  std::string token = EncodeNextToken(kSecret, kQuery, {1763805600000, 99});
  auto raw = Base64Decode(token);
  ASSERT_TRUE(raw.has_value());
  for (size_t i = 0; i < raw->size(); ++i) {
    for (uint8_t bit : {0x01, 0x80}) {
      std::string altered = *raw;
      altered[i] = static_cast<char>(altered[i] ^ bit);
      EXPECT_FALSE(DecodeNextToken(kSecret, kQuery, Base64Encode(altered)))
          << "byte " << i << " bit " << int{bit};
    }
  }
  // Shorter, longer, empty, not base64.
  EXPECT_FALSE(DecodeNextToken(kSecret, kQuery, Base64Encode(raw->substr(0, raw->size() - 1))));
  EXPECT_FALSE(DecodeNextToken(kSecret, kQuery, Base64Encode(*raw + "x")));
  EXPECT_FALSE(DecodeNextToken(kSecret, kQuery, ""));
  EXPECT_FALSE(DecodeNextToken(kSecret, kQuery, "!!not base64!!"));
  EXPECT_FALSE(DecodeNextToken(kSecret, kQuery, token.substr(0, token.size() - 2)));
}

}  // namespace
}  // namespace sagetrail::cloudtrail
