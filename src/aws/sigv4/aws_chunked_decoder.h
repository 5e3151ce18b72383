// AwsChunkedDecoder: an incremental decoder of the aws-chunked content coding of S3 uploads
// (Content-Encoding: aws-chunked, x-amz-content-sha256: STREAMING-...), fed the request body in
// pieces of any size as it arrives. It hands on the decoded payload as it goes and records each
// chunk's size, signature and data SHA-256 (hashed while fed: a chunk is never buffered), and the
// trailer fields; it checks the framing only. The signatures are checked by ChunkSignatureVerifier
// (chunk_signature.h), the decoded length against x-amz-decoded-content-length by the caller.
//
// The wire format, as AWS documents it ("Transferring Payload in Multiple Chunks" and "Including
// Trailing Headers"):
//   chunk   = hex-size [";chunk-signature=" 64HEX] CRLF data CRLF      (signature iff signed)
//   final   = "0" [";chunk-signature=" 64HEX] CRLF
//   trailer = *(name ":" value CRLF) ["x-amz-trailer-signature:" 64HEX CRLF]   (trailer modes)
//   body    = *chunk final trailer CRLF
//
// Every line is bounded (ChunkedLimits); nothing grows with the payload except the per-chunk
// records, which can be turned off. Thread-compatible.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto.h"
#include "common/status.h"

namespace sagetrail::aws::sigv4 {

// The three aws-chunked variants of SigV4 (HMAC) uploads, named by x-amz-content-sha256.
enum class ChunkedMode {
  kSignedPayload,           // STREAMING-AWS4-HMAC-SHA256-PAYLOAD
  kSignedPayloadTrailer,    // STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER
  kUnsignedPayloadTrailer,  // STREAMING-UNSIGNED-PAYLOAD-TRAILER
};

inline constexpr std::string_view kStreamingSignedPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
inline constexpr std::string_view kStreamingSignedPayloadTrailer =
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
inline constexpr std::string_view kStreamingUnsignedPayloadTrailer =
    "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
inline constexpr std::string_view kTrailerSignatureName = "x-amz-trailer-signature";

// The mode an x-amz-content-sha256 value names (exact, as S3 compares it), or nullopt (a hex
// hash, UNSIGNED-PAYLOAD, or a variant we do not support such as the ECDSA ones).
std::optional<ChunkedMode> ParseChunkedMode(std::string_view content_sha256);
std::string_view ChunkedModeName(ChunkedMode mode);
inline bool HasChunkSignatures(ChunkedMode mode) {
  return mode != ChunkedMode::kUnsignedPayloadTrailer;
}
inline bool HasTrailer(ChunkedMode mode) { return mode != ChunkedMode::kSignedPayload; }

struct ChunkInfo {
  uint64_t size = 0;
  std::string signature;  // 64 hex digits as sent; empty in the unsigned mode
  // SHA-256 of the chunk's data (signed modes only: all zero in the unsigned mode, which has no
  // use for it).
  Sha256Digest data_sha256{};
};

struct TrailerField {
  std::string name;   // as sent
  std::string value;  // blanks around it removed
};

struct ChunkedLimits {
  size_t max_line = 1024;          // a chunk-size line or a trailer line, CRLF included
  size_t max_trailer_fields = 16;  // x-amz-trailer-signature not counted
  uint64_t max_chunk_size = uint64_t{5} << 30;  // S3's largest object
  bool keep_chunks = true;  // record every chunk for chunks() (off: use the callback)
};

class AwsChunkedDecoder {
 public:
  // Receives decoded payload, in order, in pieces of any size (never empty).
  using PayloadCallback = std::function<void(std::string_view)>;
  // Called once a chunk is complete (its data and CRLF read; the final chunk when its line is
  // read), in order. A failure returned stops decoding: Feed returns it, and so does every later
  // call.
  using ChunkCallback = std::function<Status(const ChunkInfo&)>;

  explicit AwsChunkedDecoder(ChunkedMode mode, ChunkedLimits limits = {});
  AwsChunkedDecoder(const AwsChunkedDecoder&) = delete;
  AwsChunkedDecoder& operator=(const AwsChunkedDecoder&) = delete;

  void set_chunk_callback(ChunkCallback callback) { on_chunk_ = std::move(callback); }

  // Decodes the next piece of the body. After the first failure, every call returns it again.
  Status Feed(std::string_view bytes, const PayloadCallback& on_payload);
  // The body has ended: fails unless the final chunk and trailer were read whole.
  Status Finish();

  ChunkedMode mode() const { return mode_; }
  bool done() const { return state_ == State::kDone; }
  // Every chunk seen so far, the final zero-size one included (when limits.keep_chunks).
  const std::vector<ChunkInfo>& chunks() const { return chunks_; }
  uint64_t chunk_count() const { return chunk_count_; }
  const std::vector<TrailerField>& trailer() const { return trailer_; }
  // The value of the trailer field `name` (ASCII case-insensitive), or nullptr.
  const std::string* FindTrailer(std::string_view name) const;
  // x-amz-trailer-signature's value; empty if none was sent.
  const std::string& trailer_signature() const { return trailer_signature_; }
  uint64_t decoded_size() const { return decoded_size_; }

 private:
  enum class State { kSizeLine, kData, kDataCr, kDataLf, kTrailerLine, kDone, kFailed };

  Status Fail(std::string message);
  Status OnSizeLine(std::string_view line);
  Status OnTrailerLine(std::string_view line);
  Status ChunkComplete();
  // Appends to line_ up to and including LF; true once a whole line is there.
  Status TakeLine(std::string_view& bytes, bool* complete);

  ChunkedMode mode_;
  ChunkedLimits limits_;
  State state_ = State::kSizeLine;
  Status failure_;
  std::string line_;  // the line being read (bounded by limits_.max_line)
  ChunkInfo current_;
  uint64_t remaining_ = 0;  // data bytes of the current chunk still to come
  Sha256Hasher hasher_;
  std::vector<ChunkInfo> chunks_;
  uint64_t chunk_count_ = 0;
  std::vector<TrailerField> trailer_;
  std::string trailer_signature_;
  uint64_t decoded_size_ = 0;
  uint64_t offset_ = 0;  // bytes of the body consumed, for messages
  ChunkCallback on_chunk_;
};

}  // namespace sagetrail::aws::sigv4
