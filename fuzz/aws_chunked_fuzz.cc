// Fuzz target: the aws-chunked decoder an S3 upload's body goes through while it streams
// (AwsChunkedDecoder), the chunk and trailer signatures (ChunkSignatureVerifier), our encoder
// (AwsChunkedEncoder) and the streaming checksums (Checksummer).
//
// Input: the body bytes, then one flags byte (the input's last byte):
//   bits 0-1  mode: 0 STREAMING-AWS4-HMAC-SHA256-PAYLOAD, 1 ...-PAYLOAD-TRAILER,
//             2 STREAMING-UNSIGNED-PAYLOAD-TRAILER, 3 the first again
//   bits 2-3  line bound: 1024 (the default), 128, 16, 3 bytes
//   bits 4-7  how the bytes arrive on the second reading: 0 one byte at a time, else in pieces of
//             pseudo-random sizes (1 to 8 times this value) seeded by it
//
// Own checks, besides the sanitizers:
// - The body is decoded twice, all at once and in pieces: both readings succeed or fail alike
//   (the same message, the same chunk records, trailer and payload); no payload piece is empty.
// - A body that decodes: the decoded size is the payload's; the chunk sizes add up to it; exactly
//   the last chunk has size 0; signatures are there iff the mode signs chunks; each recorded
//   data SHA-256 is that of the chunk's bytes of the payload; the trailer signature is there iff
//   the mode signs the trailer; each Checksummer gives the same result over the payload's
//   pieces as in one call.
// - The decoded body encoded again by our encoder (same chunk sizes, same trailer, signed with a
//   fixed context) decodes to the same payload, chunk sizes and trailer, and its signatures
//   verify, chunk by chunk and the trailer; its length is what EncodedLength predicts for
//   bodies of equal chunks.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aws/sigv4/aws_chunked_decoder.h"
#include "aws/sigv4/aws_chunked_encoder.h"
#include "aws/sigv4/canonical_request.h"
#include "aws/sigv4/chunk_signature.h"
#include "common/checksum.h"
#include "common/crypto.h"
#include "fuzz_support.h"

namespace sagetrail::fuzz {
namespace {

using aws::sigv4::AwsChunkedDecoder;
using aws::sigv4::AwsChunkedEncoder;
using aws::sigv4::ChunkedLimits;
using aws::sigv4::ChunkedMode;
using aws::sigv4::ChunkInfo;
using aws::sigv4::ChunkSignatureVerifier;
using aws::sigv4::ChunkSigningContext;
using aws::sigv4::TrailerField;

struct Reading {
  Status status;
  bool done = false;
  std::string payload;
  std::vector<size_t> piece_sizes;
  std::vector<ChunkInfo> chunks;
  std::vector<TrailerField> trailer;
  std::string trailer_signature;
  uint64_t decoded_size = 0;
};

// Decodes `body` in pieces whose sizes `next_size` gives (0: all at once).
template <typename NextSize>
Reading Read(ChunkedMode mode, const ChunkedLimits& limits, std::string_view body,
             NextSize next_size) {
  Reading r;
  AwsChunkedDecoder d(mode, limits);
  auto sink = [&r](std::string_view piece) {
    Check(!piece.empty(), "an empty payload piece");
    r.payload.append(piece);
    r.piece_sizes.push_back(piece.size());
  };
  size_t off = 0;
  while (off < body.size()) {
    size_t n = std::min(next_size(), body.size() - off);
    r.status = d.Feed(body.substr(off, n), sink);
    off += n;
    if (!r.status.ok()) break;
  }
  if (r.status.ok()) r.status = d.Finish();
  r.done = d.done();
  r.chunks = d.chunks();
  r.trailer = d.trailer();
  r.trailer_signature = d.trailer_signature();
  r.decoded_size = d.decoded_size();
  return r;
}

bool SameChunks(const std::vector<ChunkInfo>& a, const std::vector<ChunkInfo>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].size != b[i].size || a[i].signature != b[i].signature ||
        a[i].data_sha256 != b[i].data_sha256) {
      return false;
    }
  }
  return true;
}

bool SameTrailer(const std::vector<TrailerField>& a, const std::vector<TrailerField>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || a[i].value != b[i].value) return false;
  }
  return true;
}

void CheckDecoded(ChunkedMode mode, const Reading& r) {
  Check(r.decoded_size == r.payload.size(), "decoded size is not the payload's");
  Check(!r.chunks.empty() && r.chunks.back().size == 0, "the last chunk is not the empty one");
  uint64_t total = 0;
  size_t off = 0;
  for (size_t i = 0; i < r.chunks.size(); ++i) {
    const ChunkInfo& c = r.chunks[i];
    Check((c.size == 0) == (i + 1 == r.chunks.size()), "an empty chunk before the last");
    Check(c.signature.size() == (aws::sigv4::HasChunkSignatures(mode) ? 64u : 0u),
          "a chunk signature where the mode has none, or none where it has");
    if (aws::sigv4::HasChunkSignatures(mode)) {
      Check(c.data_sha256 == Sha256(std::string_view(r.payload).substr(off, c.size)),
            "a chunk's recorded SHA-256 is not its data's");
    }
    total += c.size;
    off += c.size;
  }
  Check(total == r.payload.size(), "chunk sizes do not add up to the payload");
  Check(r.trailer_signature.empty() == (mode != ChunkedMode::kSignedPayloadTrailer),
        "a trailer signature where the mode has none, or none where it has");
  Check(r.trailer.empty() || aws::sigv4::HasTrailer(mode), "trailer fields in a mode without");

  for (ChecksumAlgorithm algorithm : kAllChecksumAlgorithms) {
    Checksummer pieces(algorithm);
    size_t p = 0;
    for (size_t n : r.piece_sizes) {
      pieces.Update(std::string_view(r.payload).substr(p, n));
      p += n;
    }
    Check(pieces.Finish() == ComputeChecksum(algorithm, r.payload),
          "a checksum over the pieces differs from the one-shot checksum");
  }
}

// The decoded body written again by our encoder, decoded and verified.
void CheckReencoded(ChunkedMode mode, const Reading& r) {
  static const ChunkSigningContext context{
      aws::sigv4::SigningKey(kSecretKey, "20261122", "us-east-1", "s3"), "20261122T100000Z",
      "20261122/us-east-1/s3/aws4_request", std::string(64, '7')};
  AwsChunkedEncoder enc(mode, context);
  std::string body;
  size_t off = 0;
  for (const ChunkInfo& c : r.chunks) {
    if (c.size == 0) break;
    body += enc.EncodeChunk(std::string_view(r.payload).substr(off, c.size));
    off += c.size;
  }
  body += enc.Finish(r.trailer);

  Reading again = Read(mode, ChunkedLimits{}, body, [&body] { return body.size(); });
  Check(again.status.ok(), "a body our encoder wrote does not decode");
  Check(again.payload == r.payload, "a re-encoded body decodes to another payload");
  Check(again.chunks.size() == r.chunks.size(), "a re-encoded body has other chunks");
  for (size_t i = 0; i < r.chunks.size(); ++i) {
    Check(again.chunks[i].size == r.chunks[i].size, "a re-encoded chunk has another size");
  }
  Check(SameTrailer(again.trailer, r.trailer), "a re-encoded body has another trailer");

  ChunkSignatureVerifier verifier(context);
  for (const ChunkInfo& c : again.chunks) {
    if (!aws::sigv4::HasChunkSignatures(mode)) break;
    Check(!verifier.VerifyChunk(c).has_value(), "a chunk our encoder signed does not verify");
  }
  if (mode == ChunkedMode::kSignedPayloadTrailer) {
    Check(!verifier.VerifyTrailer(again.trailer, again.trailer_signature).has_value(),
          "a trailer our encoder signed does not verify");
  }
  // Equal chunks (all but a shorter last one): the length is predictable.
  if (r.chunks.size() >= 2) {
    const uint64_t first = r.chunks[0].size;
    bool equal = true;
    for (size_t i = 0; i + 2 < r.chunks.size(); ++i) equal = equal && r.chunks[i].size == first;
    equal = equal && r.chunks[r.chunks.size() - 2].size <= first;
    if (equal) {
      Check(
          body.size() == AwsChunkedEncoder::EncodedLength(mode, r.payload.size(), first, r.trailer),
          "EncodedLength is not the encoded length");
    }
  }
}

}  // namespace
}  // namespace sagetrail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sagetrail;
  using namespace sagetrail::fuzz;
  if (size == 0) return 0;
  const uint8_t flags = data[size - 1];
  const std::string_view body(reinterpret_cast<const char*>(data), size - 1);

  static constexpr ChunkedMode kModes[] = {
      ChunkedMode::kSignedPayload, ChunkedMode::kSignedPayloadTrailer,
      ChunkedMode::kUnsignedPayloadTrailer, ChunkedMode::kSignedPayload};
  static constexpr size_t kLines[] = {1024, 128, 16, 3};
  const ChunkedMode mode = kModes[flags & 3];
  ChunkedLimits limits;
  limits.max_line = kLines[(flags >> 2) & 3];
  const unsigned piece = flags >> 4;

  Reading whole = Read(mode, limits, body, [&body] { return body.size(); });
  uint32_t state = piece * 2654435761u + 1;
  Reading parts = Read(mode, limits, body, [&state, piece]() -> size_t {
    if (piece == 0) return 1;
    state = state * 1103515245u + 12345u;
    return 1 + (state >> 16) % (8 * piece);
  });

  Check(whole.status.ok() == parts.status.ok(), "one reading fails, the other does not");
  Check(whole.status.message() == parts.status.message(), "the readings fail differently");
  Check(whole.done == parts.done, "one reading ends, the other does not");
  Check(whole.payload == parts.payload, "the readings give different payloads");
  Check(SameChunks(whole.chunks, parts.chunks), "the readings give different chunks");
  Check(SameTrailer(whole.trailer, parts.trailer), "the readings give different trailers");
  Check(whole.trailer_signature == parts.trailer_signature,
        "the readings give different trailer signatures");
  Check(whole.status.ok() == whole.done, "success without the end of the body, or the reverse");

  if (whole.status.ok()) {
    CheckDecoded(mode, whole);
    CheckReencoded(mode, whole);
  }
  return 0;
}
