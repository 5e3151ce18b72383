#include "common/crypto.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>

namespace sagetrail {
namespace {

std::string Bytes(const Sha256Digest& d) {
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

TEST(CryptoTest, Sha256KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(HexEncode(Sha256("abc")), Sha256Hex("abc"));
}

TEST(CryptoTest, Sha256HasherMatchesOneShot) {
  std::string data(1000, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  Sha256Hasher h;
  h.Update(std::string_view(data).substr(0, 1));
  h.Update(std::string_view(data).substr(1, 500));
  h.Update("");
  h.Update(std::string_view(data).substr(501));
  EXPECT_EQ(h.Finish(), Sha256(data));
}

TEST(CryptoTest, Md5KnownVectors) {
  EXPECT_EQ(HexEncode(Md5("")), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(HexEncode(Md5("abc")), "900150983cd24fb0d6963f7d28e17f72");
}

// RFC 4231 test case 1.
TEST(CryptoTest, HmacSha256Rfc4231Case1) {
  std::string key(20, '\x0b');
  EXPECT_EQ(HexEncode(HmacSha256(key, "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

// RFC 4231 test case 2 (key shorter than the output).
TEST(CryptoTest, HmacSha256Rfc4231Case2) {
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// RFC 4231 test cases 6 and 7: a 131-byte key, longer than the 64-byte block, is hashed first.
TEST(CryptoTest, HmacSha256KeyLongerThanBlock) {
  std::string key(131, '\xaa');
  EXPECT_EQ(HexEncode(HmacSha256(key, "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(HexEncode(HmacSha256(
                key,
                "This is a test using a larger than block-size key and a larger than block-size "
                "data. The key needs to be hashed before being used by the HMAC algorithm.")),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

// Every key length around the block size agrees with OpenSSL's own HMAC.
TEST(CryptoTest, HmacSha256AgreesWithOpenSslForAllKeyLengths) {
  for (size_t n = 0; n <= 130; ++n) {
    std::string key(n, '\0');
    for (size_t i = 0; i < n; ++i) key[i] = static_cast<char>(i * 31 + 5);
    std::string data = "message of key length " + std::to_string(n);
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int out_len = 0;
    ASSERT_NE(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                   reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &out_len),
              nullptr);
    EXPECT_EQ(Bytes(HmacSha256(key, data)),
              std::string(reinterpret_cast<const char*>(out), out_len))
        << "key length " << n;
  }
}

TEST(CryptoTest, HexEncodeIsLowerCase) {
  EXPECT_EQ(HexEncode(std::string_view("\x00\x01\xab\xff", 4)), "0001abff");
  EXPECT_EQ(HexEncode(std::string_view()), "");
}

TEST(CryptoTest, HexDecode) {
  EXPECT_EQ(HexDecode(""), std::string());
  EXPECT_EQ(HexDecode("0001abff"), std::string("\x00\x01\xab\xff", 4));
  EXPECT_EQ(HexDecode("ABFF"), std::string("\xab\xff"));
  EXPECT_EQ(HexDecode("aBfF"), std::string("\xab\xff"));
  EXPECT_FALSE(HexDecode("abc"));  // odd length
  EXPECT_FALSE(HexDecode("zz"));   // not hex
  EXPECT_FALSE(HexDecode("0g"));
  EXPECT_FALSE(HexDecode("0x00"));  // no prefix
  EXPECT_FALSE(HexDecode(" 0"));
}

TEST(CryptoTest, Base64Rfc4648Vectors) {
  const std::pair<const char*, const char*> kVectors[] = {{"", ""},
                                                          {"f", "Zg=="},
                                                          {"fo", "Zm8="},
                                                          {"foo", "Zm9v"},
                                                          {"foob", "Zm9vYg=="},
                                                          {"fooba", "Zm9vYmE="},
                                                          {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : kVectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    EXPECT_EQ(Base64Decode(encoded), std::string(plain)) << encoded;
  }
}

TEST(CryptoTest, Base64RoundTripsBinary) {
  for (size_t n = 0; n < 70; ++n) {
    std::string data(n, '\0');
    for (size_t i = 0; i < n; ++i) data[i] = static_cast<char>(255 - i * 13);
    std::string encoded = Base64Encode(data);
    EXPECT_EQ(encoded.size() % 4, 0u);
    EXPECT_EQ(encoded.find('\n'), std::string::npos);
    auto decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded.has_value()) << encoded;
    EXPECT_EQ(*decoded, data) << "length " << n;
  }
  // Bytes that use '+' and '/'.
  EXPECT_EQ(Base64Encode("\xfb\xff\xbf"), "+/+/");
  EXPECT_EQ(Base64Decode("+/+/"), std::string("\xfb\xff\xbf"));
}

TEST(CryptoTest, Base64DecodeIsStrict) {
  EXPECT_FALSE(Base64Decode("Zg"));   // padding required
  EXPECT_FALSE(Base64Decode("Zg="));  // length not a multiple of 4
  EXPECT_FALSE(Base64Decode("Zm9"));
  EXPECT_FALSE(Base64Decode("Zm9v\n"));  // no whitespace
  EXPECT_FALSE(Base64Decode("Zm 9v"));
  EXPECT_FALSE(Base64Decode(" Zm9v"));
  EXPECT_FALSE(Base64Decode("Zm9-"));  // URL-safe alphabet is not accepted
  EXPECT_FALSE(Base64Decode("Zm9_"));
  EXPECT_FALSE(Base64Decode("Zm9v!A=="));
  EXPECT_FALSE(Base64Decode("===="));      // padding only
  EXPECT_FALSE(Base64Decode("Z==="));      // three padding characters
  EXPECT_FALSE(Base64Decode("Zg=a"));      // data after padding
  EXPECT_FALSE(Base64Decode("=Zm9"));      // padding first
  EXPECT_FALSE(Base64Decode("Zg==Zm9v"));  // padding in the middle
}

TEST(CryptoTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_TRUE(ConstantTimeEquals(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "Abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_FALSE(ConstantTimeEquals(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

}  // namespace
}  // namespace sagetrail
