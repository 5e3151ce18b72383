// Throughput of the S3 flexible checksums over 1 MiB buffers (the size of a streamed body's
// pieces), and of the aws-chunked decoder (parsing alone, and with per-chunk SHA-256 and signature
// checks). Target: CRC32C and CRC64NVME above 1 GB/s.
#include <benchmark/benchmark.h>

#include <string>

#include "aws/sigv4/aws_chunked_decoder.h"
#include "aws/sigv4/aws_chunked_encoder.h"
#include "aws/sigv4/canonical_request.h"
#include "aws/sigv4/chunk_signature.h"
#include "common/checksum.h"

namespace sagetrail {
namespace {

std::string Buffer(size_t n) {
  std::string s(n, '\0');
  uint32_t x = 12345;
  for (char& c : s) {
    x = x * 1103515245 + 12345;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

void BM_Checksum(benchmark::State& state, ChecksumAlgorithm algorithm) {
  const std::string data = Buffer(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    Checksummer c(algorithm);
    c.Update(data);
    std::string out = c.Finish();
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK_CAPTURE(BM_Checksum, CRC32, ChecksumAlgorithm::kCrc32)->Arg(1 << 20);
BENCHMARK_CAPTURE(BM_Checksum, CRC32C, ChecksumAlgorithm::kCrc32c)->Arg(1 << 20);
BENCHMARK_CAPTURE(BM_Checksum, CRC64NVME, ChecksumAlgorithm::kCrc64Nvme)->Arg(1 << 20);
BENCHMARK_CAPTURE(BM_Checksum, SHA1, ChecksumAlgorithm::kSha1)->Arg(1 << 20);
BENCHMARK_CAPTURE(BM_Checksum, SHA256, ChecksumAlgorithm::kSha256)->Arg(1 << 20);

// Decoding a 16 MiB unsigned-trailer body (64 KiB chunks) fed in 1 MiB pieces: the parser's cost
// alone (the payload is handed on, not copied or hashed).
void BM_DecodeUnsigned(benchmark::State& state) {
  const std::string payload = Buffer(16 << 20);
  aws::sigv4::AwsChunkedEncoder encoder(aws::sigv4::ChunkedMode::kUnsignedPayloadTrailer);
  std::string body;
  for (size_t off = 0; off < payload.size(); off += 64 << 10) {
    body += encoder.EncodeChunk(std::string_view(payload).substr(off, 64 << 10));
  }
  body += encoder.Finish({{"x-amz-checksum-crc32", "AAAAAA=="}});
  for (auto _ : state) {
    aws::sigv4::AwsChunkedDecoder decoder(aws::sigv4::ChunkedMode::kUnsignedPayloadTrailer);
    size_t out = 0;
    for (size_t off = 0; off < body.size(); off += 1 << 20) {
      Status s = decoder.Feed(std::string_view(body).substr(off, 1 << 20),
                              [&out](std::string_view piece) { out += piece.size(); });
      if (!s.ok()) state.SkipWithError(s.message().c_str());
    }
    if (!decoder.Finish().ok() || out != payload.size()) state.SkipWithError("decode failed");
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_DecodeUnsigned);

// The same payload in the signed mode: each chunk hashed while fed, its signature verified.
void BM_DecodeSignedAndVerify(benchmark::State& state) {
  const std::string payload = Buffer(16 << 20);
  const aws::sigv4::ChunkSigningContext context{
      aws::sigv4::SigningKey("secret", "20130524", "us-east-1", "s3"), "20130524T000000Z",
      "20130524/us-east-1/s3/aws4_request", std::string(64, '0')};
  aws::sigv4::AwsChunkedEncoder encoder(aws::sigv4::ChunkedMode::kSignedPayload, context);
  std::string body;
  for (size_t off = 0; off < payload.size(); off += 64 << 10) {
    body += encoder.EncodeChunk(std::string_view(payload).substr(off, 64 << 10));
  }
  body += encoder.Finish();
  for (auto _ : state) {
    aws::sigv4::ChunkedLimits limits;
    limits.keep_chunks = false;
    aws::sigv4::AwsChunkedDecoder decoder(aws::sigv4::ChunkedMode::kSignedPayload, limits);
    aws::sigv4::ChunkSignatureVerifier verifier(context);
    decoder.set_chunk_callback([&verifier](const aws::sigv4::ChunkInfo& c) {
      return verifier.VerifyChunk(c) ? Status::InvalidArgument("mismatch") : Status::Ok();
    });
    for (size_t off = 0; off < body.size(); off += 1 << 20) {
      Status s = decoder.Feed(std::string_view(body).substr(off, 1 << 20), [](std::string_view) {});
      if (!s.ok()) state.SkipWithError(s.message().c_str());
    }
    if (!decoder.Finish().ok()) state.SkipWithError("decode failed");
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_DecodeSignedAndVerify);

}  // namespace
}  // namespace sagetrail
