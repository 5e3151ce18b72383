// Chunk and trailer signatures of aws-chunked uploads: AWS's published examples (the chunked
// upload, and the chunk chain of the trailing-header example), our encoder reproducing them, and
// the failures a tampered body gives.
#include "aws/sigv4/chunk_signature.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

#include "aws/sigv4/aws_chunked_decoder.h"
#include "aws/sigv4/aws_chunked_encoder.h"
#include "aws/sigv4/canonical_request.h"
#include "common/checksum.h"
#include "common/crypto.h"

namespace sagetrail::aws::sigv4 {
namespace {

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr char kEmptySha256[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// AWS's chunked-upload example (PUT /examplebucket/chunkObject.txt, 20130524T000000Z, us-east-1).
constexpr char kSeed[] = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
constexpr char kSig1[] = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648";
constexpr char kSig2[] = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497";
constexpr char kSig3[] = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9";

// AWS's trailing-header example: the same object, its own seed and chunk signatures.
constexpr char kTrailerSeed[] = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
constexpr char kTrailerSig1[] = "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2";
constexpr char kTrailerSig2[] = "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7";
// Derived: the final (zero-size) chunk's signature, chained from kTrailerSig2, and the trailer's
// under AWS4-HMAC-SHA256-TRAILER, as the SDKs sign it (the page prints a trailer signature,
// 63bddb24..., that is the same string signed under the PAYLOAD algorithm name instead).
constexpr char kTrailerSig3[] = "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992";
constexpr char kTrailerSignature[] =
    "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435";

ChunkSigningContext Context(std::string seed = kSeed) {
  return {SigningKey(kSecret, "20130524", "us-east-1", "s3"), "20130524T000000Z",
          "20130524/us-east-1/s3/aws4_request", std::move(seed)};
}

std::string AwsExampleBody() {
  return "10000;chunk-signature=" + std::string(kSig1) + "\r\n" + std::string(65536, 'a') + "\r\n" +
         "400;chunk-signature=" + kSig2 + "\r\n" + std::string(1024, 'a') + "\r\n" +
         "0;chunk-signature=" + kSig3 + "\r\n\r\n";
}

std::string TrailerExampleBody() {
  return "10000;chunk-signature=" + std::string(kTrailerSig1) + "\r\n" + std::string(65536, 'a') +
         "\r\n" + "400;chunk-signature=" + kTrailerSig2 + "\r\n" + std::string(1024, 'a') + "\r\n" +
         "0;chunk-signature=" + kTrailerSig3 + "\r\n" + "x-amz-checksum-crc32c:sOO8/Q==\r\n" +
         "x-amz-trailer-signature:" + kTrailerSignature + "\r\n\r\n";
}

void DecodeAll(AwsChunkedDecoder& d, std::string_view body, std::string* payload = nullptr) {
  Status s = d.Feed(body, [payload](std::string_view p) {
    if (payload != nullptr) payload->append(p);
  });
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_TRUE(d.Finish().ok());
}

TEST(ChunkSignatureTest, AwsExampleStringToSignOfTheFirstChunk) {
  EXPECT_EQ(ChunkStringToSign(Context(), kSeed, Sha256(std::string(65536, 'a'))),
            std::string("AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n"
                        "20130524/us-east-1/s3/aws4_request\n") +
                kSeed + "\n" + kEmptySha256 +
                "\nbf718b6f653bebc184e1479f1935b8da974d701b893afcf49e701f3e2f9f9c5a");
  EXPECT_EQ(ChunkSignature(Context(), kSeed, Sha256(std::string(65536, 'a'))), kSig1);
}

TEST(ChunkSignatureTest, AwsExampleVerifiesChunkByChunk) {
  AwsChunkedDecoder d(ChunkedMode::kSignedPayload);
  DecodeAll(d, AwsExampleBody());
  ChunkSignatureVerifier v(Context());
  for (const ChunkInfo& c : d.chunks()) {
    auto f = v.VerifyChunk(c);
    EXPECT_FALSE(f.has_value()) << f->message;
  }
  EXPECT_EQ(v.previous_signature(), kSig3);
  EXPECT_EQ(v.chunks_verified(), 3u);
  EXPECT_FALSE(ChunkSignatureVerifier(Context()).VerifyDecoded(d).has_value());
}

TEST(ChunkSignatureTest, VerifiesWhileDecodingThroughTheChunkCallback) {
  ChunkedLimits limits;
  limits.keep_chunks = false;
  AwsChunkedDecoder d(ChunkedMode::kSignedPayload, limits);
  ChunkSignatureVerifier v(Context());
  d.set_chunk_callback([&v](const ChunkInfo& c) {
    auto f = v.VerifyChunk(c);
    return f ? Status::InvalidArgument(f->message) : Status::Ok();
  });
  // Fed in 1000-byte pieces, as a server reading the socket would.
  std::string body = AwsExampleBody();
  for (size_t off = 0; off < body.size(); off += 1000) {
    ASSERT_TRUE(d.Feed(std::string_view(body).substr(off, 1000), [](std::string_view) {}).ok());
  }
  ASSERT_TRUE(d.Finish().ok());
  EXPECT_EQ(v.chunks_verified(), 3u);

  std::string tampered = body;
  tampered[100] = 'b';
  AwsChunkedDecoder d2(ChunkedMode::kSignedPayload, limits);
  ChunkSignatureVerifier v2(Context());
  d2.set_chunk_callback([&v2](const ChunkInfo& c) {
    auto f = v2.VerifyChunk(c);
    return f ? Status::InvalidArgument(f->message) : Status::Ok();
  });
  Status s = d2.Feed(tampered, [](std::string_view) {});
  EXPECT_EQ(s.message(), "The chunk signature of chunk 1 does not match the signature calculated.");
}

TEST(ChunkSignatureTest, TamperedDataWrongSeedAndReorderedChunksDoNotVerify) {
  std::string body = AwsExampleBody();
  body[body.find("\r\n") + 2 + 65535] = 'b';  // the last byte of chunk 1
  AwsChunkedDecoder d(ChunkedMode::kSignedPayload);
  DecodeAll(d, body);
  ChunkSignatureVerifier v(Context());
  auto f = v.VerifyDecoded(d);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->kind, ChunkFailure::Kind::kSignatureMismatch);
  EXPECT_EQ(f->signature_provided, kSig1);
  EXPECT_EQ(f->string_to_sign, ChunkStringToSign(Context(), kSeed, d.chunks()[0].data_sha256));
  EXPECT_EQ(v.chunks_verified(), 0u);

  AwsChunkedDecoder good(ChunkedMode::kSignedPayload);
  DecodeAll(good, AwsExampleBody());
  EXPECT_TRUE(ChunkSignatureVerifier(Context(std::string(64, '0'))).VerifyDecoded(good));
  // Chunk 2 before chunk 1: the chain breaks at once.
  ChunkSignatureVerifier reordered(Context());
  EXPECT_TRUE(reordered.VerifyChunk(good.chunks()[1]).has_value());
  // An upper-case spelling of a right signature is not the signature.
  ChunkInfo upper = good.chunks()[0];
  for (char& c : upper.signature) c = static_cast<char>(std::toupper(c));
  EXPECT_TRUE(ChunkSignatureVerifier(Context()).VerifyChunk(upper).has_value());
}

TEST(ChunkSignatureTest, EncoderReproducesTheAwsExampleByteForByte) {
  AwsChunkedEncoder enc(ChunkedMode::kSignedPayload, Context());
  // One statement each: the chunks must be signed in order.
  std::string body = enc.EncodeChunk(std::string(65536, 'a'));
  body += enc.EncodeChunk(std::string(1024, 'a'));
  body += enc.Finish();
  EXPECT_TRUE(body == AwsExampleBody());
  // The example's Content-Length.
  EXPECT_EQ(body.size(), 66824u);
  EXPECT_EQ(AwsChunkedEncoder::EncodedLength(ChunkedMode::kSignedPayload, 66560, 65536, {}),
            66824u);
}

TEST(ChunkSignatureTest, TrailerExampleChainAndSignature) {
  AwsChunkedEncoder enc(ChunkedMode::kSignedPayloadTrailer, Context(kTrailerSeed));
  std::vector<TrailerField> trailer = {{"x-amz-checksum-crc32c", "sOO8/Q=="}};
  std::string body = enc.EncodeChunk(std::string(65536, 'a'));
  body += enc.EncodeChunk(std::string(1024, 'a'));
  body += enc.Finish(trailer);
  EXPECT_TRUE(body == TrailerExampleBody());
  EXPECT_EQ(enc.previous_signature(), kTrailerSignature);
  EXPECT_EQ(body.size(), AwsChunkedEncoder::EncodedLength(ChunkedMode::kSignedPayloadTrailer, 66560,
                                                          65536, trailer));

  EXPECT_EQ(CanonicalTrailer(trailer), "x-amz-checksum-crc32c:sOO8/Q==\n");
  EXPECT_EQ(TrailerStringToSign(Context(kTrailerSeed), kTrailerSig3, trailer),
            std::string("AWS4-HMAC-SHA256-TRAILER\n20130524T000000Z\n"
                        "20130524/us-east-1/s3/aws4_request\n") +
                kTrailerSig3 + "\n" + Sha256Hex("x-amz-checksum-crc32c:sOO8/Q==\n"));

  AwsChunkedDecoder d(ChunkedMode::kSignedPayloadTrailer);
  std::string payload;
  DecodeAll(d, body, &payload);
  ChunkSignatureVerifier v(Context(kTrailerSeed));
  auto f = v.VerifyDecoded(d);
  EXPECT_FALSE(f.has_value()) << f->message;
  EXPECT_EQ(v.previous_signature(), kTrailerSignature);
  Checksummer crc(ChecksumAlgorithm::kCrc32c);
  crc.Update(payload);
  EXPECT_FALSE(VerifyTrailingChecksum(d.trailer(), ChecksumAlgorithm::kCrc32c, crc.Finish()));
}

TEST(ChunkSignatureTest, TamperedTrailerDoesNotVerify) {
  std::string body = TrailerExampleBody();
  body.replace(body.find("sOO8/Q=="), 8, "AAAAAA==");
  AwsChunkedDecoder d(ChunkedMode::kSignedPayloadTrailer);
  DecodeAll(d, body);
  ChunkSignatureVerifier v(Context(kTrailerSeed));
  auto f = v.VerifyDecoded(d);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->kind, ChunkFailure::Kind::kSignatureMismatch);
  EXPECT_EQ(f->message, "The trailer signature does not match the signature calculated.");
  EXPECT_EQ(f->signature_provided, kTrailerSignature);
  EXPECT_EQ(v.chunks_verified(), 3u);
}

TEST(ChunkSignatureTest, CanonicalTrailerLowersAndSortsNames) {
  EXPECT_EQ(CanonicalTrailer({{"X-Amz-Checksum-SHA256", "abc="}, {"x-amz-a", "1"}}),
            "x-amz-a:1\nx-amz-checksum-sha256:abc=\n");
  EXPECT_EQ(CanonicalTrailer({}), "");
}

TEST(ChunkSignatureTest, TrailingChecksum) {
  std::vector<TrailerField> trailer = {{"x-amz-checksum-crc32", "NhCmhg=="}};
  const std::string hello = ComputeChecksum(ChecksumAlgorithm::kCrc32, "hello");
  EXPECT_EQ(hello, "NhCmhg==");
  EXPECT_FALSE(VerifyTrailingChecksum(trailer, ChecksumAlgorithm::kCrc32, hello).has_value());

  auto mismatch = VerifyTrailingChecksum(trailer, ChecksumAlgorithm::kCrc32,
                                         ComputeChecksum(ChecksumAlgorithm::kCrc32, "hellO"));
  ASSERT_TRUE(mismatch.has_value());
  EXPECT_EQ(mismatch->kind, ChunkFailure::Kind::kChecksumMismatch);
  EXPECT_EQ(mismatch->message, "The CRC32 you specified did not match the calculated checksum.");
  EXPECT_EQ(mismatch->checksum_provided, "NhCmhg==");
  EXPECT_EQ(mismatch->algorithm, ChecksumAlgorithm::kCrc32);

  auto missing = VerifyTrailingChecksum(trailer, ChecksumAlgorithm::kSha256,
                                        ComputeChecksum(ChecksumAlgorithm::kSha256, "hello"));
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->kind, ChunkFailure::Kind::kMissingChecksum);
  EXPECT_EQ(missing->message, "The trailer has no x-amz-checksum-sha256.");
}

TEST(ChunkSignatureTest, UnsignedTrailerRoundTripThroughTheEncoder) {
  AwsChunkedEncoder enc(ChunkedMode::kUnsignedPayloadTrailer);
  std::string payload(70000, 'z');
  std::vector<TrailerField> trailer = {
      {"x-amz-checksum-crc64nvme", ComputeChecksum(ChecksumAlgorithm::kCrc64Nvme, payload)}};
  std::string body = enc.EncodeChunk(std::string_view(payload).substr(0, 65536));
  body += enc.EncodeChunk(std::string_view(payload).substr(65536));
  body += enc.Finish(trailer);
  EXPECT_EQ(body.size(), AwsChunkedEncoder::EncodedLength(ChunkedMode::kUnsignedPayloadTrailer,
                                                          payload.size(), 65536, trailer));
  EXPECT_EQ(body.substr(0, 7), "10000\r\n");
  AwsChunkedDecoder d(ChunkedMode::kUnsignedPayloadTrailer);
  std::string out;
  DecodeAll(d, body, &out);
  EXPECT_EQ(out, payload);
  Checksummer c(ChecksumAlgorithm::kCrc64Nvme);
  c.Update(out);
  EXPECT_FALSE(VerifyTrailingChecksum(d.trailer(), ChecksumAlgorithm::kCrc64Nvme, c.Finish()));
}

}  // namespace
}  // namespace sagetrail::aws::sigv4
