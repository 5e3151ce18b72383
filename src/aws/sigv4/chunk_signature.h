// The signatures of an aws-chunked S3 upload: each chunk's signature chains from the previous one,
// starting at the request's own (the "seed"), and a signed trailer ends the chain. Also the check
// of a trailing checksum (x-amz-checksum-* in the trailer) against the payload's.
//
// String to sign of a chunk:
//   AWS4-HMAC-SHA256-PAYLOAD \n <amz-date> \n <scope> \n <previous signature> \n
//   <hex SHA-256 of ""> \n <hex SHA-256 of the chunk's data>
// of the trailer:
//   AWS4-HMAC-SHA256-TRAILER \n <amz-date> \n <scope> \n <previous signature> \n
//   <hex SHA-256 of the trailer fields, each "name:value\n", sorted by name>
// Pure functions and a thread-compatible verifier; signatures are compared in constant time.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/sigv4/aws_chunked_decoder.h"
#include "common/checksum.h"
#include "common/crypto.h"

namespace sagetrail::aws::sigv4 {

// What a chunk signature is computed from, besides the chunk: the request's signing key, date,
// scope and signature (VerifiedRequest carries all four).
struct ChunkSigningContext {
  Sha256Digest signing_key{};
  std::string amz_date;        // "20130524T000000Z"
  std::string scope;           // "20130524/us-east-1/s3/aws4_request"
  std::string seed_signature;  // the request's own signature, hex
};

std::string ChunkStringToSign(const ChunkSigningContext& context,
                              std::string_view previous_signature,
                              const Sha256Digest& chunk_sha256);
std::string ChunkSignature(const ChunkSigningContext& context, std::string_view previous_signature,
                           const Sha256Digest& chunk_sha256);

// "name:value\n" for each field, names lower-cased, sorted by name (as the SDKs canonicalize
// headers; they also send them in that order).
std::string CanonicalTrailer(const std::vector<TrailerField>& fields);
std::string TrailerStringToSign(const ChunkSigningContext& context,
                                std::string_view previous_signature,
                                const std::vector<TrailerField>& fields);
std::string TrailerSignature(const ChunkSigningContext& context,
                             std::string_view previous_signature,
                             const std::vector<TrailerField>& fields);

// Why a chunked body does not verify, with what S3's error needs.
struct ChunkFailure {
  enum class Kind {
    kSignatureMismatch,  // a chunk's or the trailer's signature (S3: SignatureDoesNotMatch)
    kMissingChecksum,    // the trailer lacks the checksum the request announced
    kChecksumMismatch,   // the trailer's checksum is not the payload's (S3: BadDigest)
  };
  Kind kind = Kind::kSignatureMismatch;
  std::string message;
  // kSignatureMismatch: ours and theirs.
  std::string string_to_sign;
  std::string signature_provided;
  // kChecksumMismatch / kMissingChecksum.
  std::optional<ChecksumAlgorithm> algorithm;
  std::string checksum_provided;
  std::string checksum_computed;
};

// Checks the chunk signatures of one request in order, then its trailer's.
class ChunkSignatureVerifier {
 public:
  explicit ChunkSignatureVerifier(ChunkSigningContext context);

  // The next chunk (chunks must come in the order sent, the final zero-size one last).
  std::optional<ChunkFailure> VerifyChunk(const ChunkInfo& chunk);
  // The trailer, after the final chunk.
  std::optional<ChunkFailure> VerifyTrailer(const std::vector<TrailerField>& fields,
                                            std::string_view signature);
  // Every chunk a decoder kept (limits.keep_chunks) and, in the signed-trailer mode, its trailer.
  // The decoder must be done().
  std::optional<ChunkFailure> VerifyDecoded(const AwsChunkedDecoder& decoder);

  // The signature the next chunk (or the trailer) chains from.
  const std::string& previous_signature() const { return previous_; }
  uint64_t chunks_verified() const { return chunks_verified_; }

 private:
  ChunkSigningContext context_;
  std::string previous_;
  uint64_t chunks_verified_ = 0;
};

// The trailer's value for `algorithm` (x-amz-checksum-<name>) against `computed` (a
// Checksummer's Finish() over the decoded payload). A missing field is kMissingChecksum.
std::optional<ChunkFailure> VerifyTrailingChecksum(const std::vector<TrailerField>& trailer,
                                                   ChecksumAlgorithm algorithm,
                                                   std::string_view computed);

}  // namespace sagetrail::aws::sigv4
