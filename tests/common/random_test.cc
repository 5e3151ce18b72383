#include "common/random.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

namespace sagetrail {
namespace {

const std::regex kUuidV4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");

TEST(RandomTest, SystemUuidIsVersion4) {
  SystemRandom r;
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string u = r.Uuid();
    EXPECT_EQ(u.size(), 36u);
    EXPECT_TRUE(std::regex_match(u, kUuidV4)) << u;
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 200u);
}

// A source that returns all-ones (or all-zeros) bytes: the version and variant bits must still
// be forced.
class ConstantRandom final : public Random {
 public:
  explicit ConstantRandom(uint8_t b) : b_(b) {}
  void Fill(uint8_t* out, size_t n) override {
    for (size_t i = 0; i < n; ++i) out[i] = b_;
  }

 private:
  uint8_t b_;
};

TEST(RandomTest, UuidForcesVersionAndVariantBits) {
  ConstantRandom ones(0xff);
  EXPECT_EQ(ones.Uuid(), "ffffffff-ffff-4fff-bfff-ffffffffffff");
  ConstantRandom zeros(0x00);
  EXPECT_EQ(zeros.Uuid(), "00000000-0000-4000-8000-000000000000");
}

TEST(RandomTest, FromAlphabetUsesOnlyTheAlphabetAndHasTheLength) {
  SystemRandom r;
  const std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  for (size_t n : {0u, 1u, 16u, 63u, 64u, 65u, 500u}) {
    std::string s = r.FromAlphabet(n, kBase32);
    EXPECT_EQ(s.size(), n);
    EXPECT_EQ(s.find_first_not_of(kBase32), std::string::npos) << s;
  }
  // An alphabet whose size does not divide 256 (rejection sampling path).
  std::string s = r.FromAlphabet(2000, "abc");
  EXPECT_EQ(s.size(), 2000u);
  EXPECT_EQ(s.find_first_not_of("abc"), std::string::npos);
  // Every letter shows up in a long draw.
  for (char c : std::string("abc")) EXPECT_NE(s.find(c), std::string::npos);
  EXPECT_EQ(r.FromAlphabet(10, "x"), "xxxxxxxxxx");
}

TEST(RandomTest, FromAlphabetWithAll256Bytes) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  SeededRandom r(7);
  EXPECT_EQ(r.FromAlphabet(100, all).size(), 100u);
}

TEST(RandomTest, SeededRandomIsDeterministic) {
  SeededRandom a(42), b(42), c(43);
  std::string ua = a.Uuid(), ub = b.Uuid(), uc = c.Uuid();
  EXPECT_EQ(ua, ub);
  EXPECT_NE(ua, uc);
  EXPECT_TRUE(std::regex_match(ua, kUuidV4)) << ua;
  // The sequence continues identically.
  EXPECT_EQ(a.FromAlphabet(20, "0123456789"), b.FromAlphabet(20, "0123456789"));
  EXPECT_NE(a.Uuid(), ua);  // the state advanced
}

TEST(RandomTest, SeededRandomFillsOddLengths) {
  SeededRandom a(1), b(1);
  uint8_t x[13] = {0}, y[13] = {0};
  a.Fill(x, sizeof(x));
  b.Fill(y, sizeof(y));
  EXPECT_EQ(std::string(reinterpret_cast<char*>(x), 13),
            std::string(reinterpret_cast<char*>(y), 13));
  // The tail past the last whole 8-byte word is filled too (not left zero).
  bool tail_nonzero = x[8] | x[9] | x[10] | x[11] | x[12];
  EXPECT_TRUE(tail_nonzero);
}

}  // namespace
}  // namespace sagetrail
