#include "aws/sigv4/chunk_signature.h"

#include <algorithm>
#include <utility>

#include "aws/sigv4/canonical_request.h"
#include "common/strings.h"

namespace sagetrail::aws::sigv4 {
namespace {

constexpr std::string_view kChunkAlgorithm = "AWS4-HMAC-SHA256-PAYLOAD";
constexpr std::string_view kTrailerAlgorithm = "AWS4-HMAC-SHA256-TRAILER";
constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string Lines(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) {
    if (!out.empty()) out.push_back('\n');
    out.append(p);
  }
  return out;
}

ChunkFailure Mismatch(std::string message, std::string string_to_sign, std::string_view provided) {
  ChunkFailure f;
  f.kind = ChunkFailure::Kind::kSignatureMismatch;
  f.message = std::move(message);
  f.string_to_sign = std::move(string_to_sign);
  f.signature_provided = std::string(provided);
  return f;
}

}  // namespace

std::string ChunkStringToSign(const ChunkSigningContext& context,
                              std::string_view previous_signature,
                              const Sha256Digest& chunk_sha256) {
  return Lines({kChunkAlgorithm, context.amz_date, context.scope, previous_signature, kEmptySha256,
                HexEncode(chunk_sha256)});
}

std::string ChunkSignature(const ChunkSigningContext& context, std::string_view previous_signature,
                           const Sha256Digest& chunk_sha256) {
  return Signature(context.signing_key,
                   ChunkStringToSign(context, previous_signature, chunk_sha256));
}

std::string CanonicalTrailer(const std::vector<TrailerField>& fields) {
  std::vector<std::pair<std::string, std::string_view>> lines;
  lines.reserve(fields.size());
  for (const TrailerField& f : fields) lines.emplace_back(AsciiLower(f.name), f.value);
  std::stable_sort(lines.begin(), lines.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& [name, value] : lines) {
    out += name;
    out.push_back(':');
    out += value;
    out.push_back('\n');
  }
  return out;
}

std::string TrailerStringToSign(const ChunkSigningContext& context,
                                std::string_view previous_signature,
                                const std::vector<TrailerField>& fields) {
  return Lines({kTrailerAlgorithm, context.amz_date, context.scope, previous_signature,
                Sha256Hex(CanonicalTrailer(fields))});
}

std::string TrailerSignature(const ChunkSigningContext& context,
                             std::string_view previous_signature,
                             const std::vector<TrailerField>& fields) {
  return Signature(context.signing_key, TrailerStringToSign(context, previous_signature, fields));
}

ChunkSignatureVerifier::ChunkSignatureVerifier(ChunkSigningContext context)
    : context_(std::move(context)), previous_(context_.seed_signature) {}

std::optional<ChunkFailure> ChunkSignatureVerifier::VerifyChunk(const ChunkInfo& chunk) {
  std::string sts = ChunkStringToSign(context_, previous_, chunk.data_sha256);
  std::string expected = Signature(context_.signing_key, sts);
  if (!ConstantTimeEquals(expected, chunk.signature)) {
    return Mismatch("The chunk signature of chunk " + std::to_string(chunks_verified_ + 1) +
                        " does not match the signature calculated.",
                    std::move(sts), chunk.signature);
  }
  previous_ = std::move(expected);
  ++chunks_verified_;
  return std::nullopt;
}

std::optional<ChunkFailure> ChunkSignatureVerifier::VerifyTrailer(
    const std::vector<TrailerField>& fields, std::string_view signature) {
  std::string sts = TrailerStringToSign(context_, previous_, fields);
  std::string expected = Signature(context_.signing_key, sts);
  if (!ConstantTimeEquals(expected, signature)) {
    return Mismatch("The trailer signature does not match the signature calculated.",
                    std::move(sts), signature);
  }
  previous_ = std::move(expected);
  return std::nullopt;
}

std::optional<ChunkFailure> ChunkSignatureVerifier::VerifyDecoded(
    const AwsChunkedDecoder& decoder) {
  for (const ChunkInfo& chunk : decoder.chunks()) {
    if (auto f = VerifyChunk(chunk)) return f;
  }
  if (decoder.mode() == ChunkedMode::kSignedPayloadTrailer) {
    return VerifyTrailer(decoder.trailer(), decoder.trailer_signature());
  }
  return std::nullopt;
}

std::optional<ChunkFailure> VerifyTrailingChecksum(const std::vector<TrailerField>& trailer,
                                                   ChecksumAlgorithm algorithm,
                                                   std::string_view computed) {
  const std::string* provided = nullptr;
  for (const TrailerField& f : trailer) {
    if (EqualsIgnoreCase(f.name, ChecksumHeaderName(algorithm))) provided = &f.value;
  }
  ChunkFailure f;
  f.algorithm = algorithm;
  f.checksum_computed = std::string(computed);
  if (provided == nullptr) {
    f.kind = ChunkFailure::Kind::kMissingChecksum;
    f.message = "The trailer has no " + std::string(ChecksumHeaderName(algorithm)) + ".";
    return f;
  }
  if (*provided == computed) return std::nullopt;
  f.kind = ChunkFailure::Kind::kChecksumMismatch;
  f.checksum_provided = *provided;
  f.message = "The " + std::string(ChecksumAlgorithmName(algorithm)) +
              " you specified did not match the calculated checksum.";
  return f;
}

}  // namespace sagetrail::aws::sigv4
