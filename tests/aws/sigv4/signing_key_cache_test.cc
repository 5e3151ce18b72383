#include "aws/sigv4/signing_key_cache.h"

#include <gtest/gtest.h>

#include "aws/sigv4/canonical_request.h"

namespace sagetrail::aws::sigv4 {
namespace {

constexpr char kKey[] = "AKIAIOSFODNN7EXAMPLE";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

TEST(SigningKeyCacheTest, SameScopeReusesOneEntry) {
  SigningKeyCache cache;
  Sha256Digest expected = SigningKey(kSecret, "20251122", "us-east-1", "sagemaker");
  EXPECT_EQ(cache.Get(kKey, kSecret, "20251122", "us-east-1", "sagemaker"), expected);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.Get(kKey, kSecret, "20251122", "us-east-1", "sagemaker"), expected);
  EXPECT_EQ(cache.size(), 1u);
}

// AWS's documented example: the signing key for this secret and scope.
TEST(SigningKeyCacheTest, DerivesTheSigV4SigningKey) {
  SigningKeyCache cache;
  EXPECT_EQ(HexEncode(cache.Get("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                "20150830", "us-east-1", "iam")),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}

TEST(SigningKeyCacheTest, NewSecretForTheSameKeyIdIsRecomputed) {
  SigningKeyCache cache;
  Sha256Digest old_key = cache.Get(kKey, kSecret, "20251122", "us-east-1", "sagemaker");
  Sha256Digest new_key = cache.Get(kKey, "rotated-secret", "20251122", "us-east-1", "sagemaker");
  EXPECT_NE(old_key, new_key);
  EXPECT_EQ(new_key, SigningKey("rotated-secret", "20251122", "us-east-1", "sagemaker"));
  EXPECT_EQ(cache.size(), 1u);  // replaced, not added
  EXPECT_EQ(cache.Get(kKey, kSecret, "20251122", "us-east-1", "sagemaker"), old_key);
}

TEST(SigningKeyCacheTest, EachScopePartIsPartOfTheKey) {
  SigningKeyCache cache;
  Sha256Digest base = cache.Get(kKey, kSecret, "20251122", "us-east-1", "sagemaker");
  EXPECT_NE(cache.Get(kKey, kSecret, "20251123", "us-east-1", "sagemaker"), base);
  EXPECT_NE(cache.Get(kKey, kSecret, "20251122", "eu-west-1", "sagemaker"), base);
  EXPECT_NE(cache.Get(kKey, kSecret, "20251122", "us-east-1", "s3"), base);
  EXPECT_EQ(cache.Get("AKIAOTHER", kSecret, "20251122", "us-east-1", "sagemaker"), base);
  EXPECT_EQ(cache.size(), 5u);
}

TEST(SigningKeyCacheTest, StaysWithinCapacity) {
  SigningKeyCache cache(3);
  for (int i = 0; i < 10; ++i) {
    std::string date = "202511" + std::to_string(10 + i);
    EXPECT_EQ(cache.Get(kKey, kSecret, date, "us-east-1", "sagemaker"),
              SigningKey(kSecret, date, "us-east-1", "sagemaker"));
    EXPECT_LE(cache.size(), 3u);
  }
}

}  // namespace
}  // namespace sagetrail::aws::sigv4
