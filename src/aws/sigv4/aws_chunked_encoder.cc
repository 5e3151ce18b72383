#include "aws/sigv4/aws_chunked_encoder.h"

#include <cstdio>
#include <utility>

#include "common/crypto.h"

namespace sagetrail::aws::sigv4 {
namespace {

constexpr size_t kSignatureLineExtra = 17 + 64;  // ";chunk-signature=" + 64 hex

std::string HexSize(uint64_t size) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%llx", static_cast<unsigned long long>(size));
  return buf;
}

}  // namespace

AwsChunkedEncoder::AwsChunkedEncoder(ChunkedMode mode) : mode_(mode) {}

AwsChunkedEncoder::AwsChunkedEncoder(ChunkedMode mode, ChunkSigningContext context)
    : mode_(mode), context_(std::move(context)), previous_(context_.seed_signature) {}

std::string AwsChunkedEncoder::Header(uint64_t size, const Sha256Digest& data_sha256) {
  std::string line = HexSize(size);
  if (HasChunkSignatures(mode_)) {
    previous_ = ChunkSignature(context_, previous_, data_sha256);
    line += ";chunk-signature=" + previous_;
  }
  line += "\r\n";
  return line;
}

std::string AwsChunkedEncoder::EncodeChunk(std::string_view data) {
  if (data.empty()) return {};
  Sha256Digest digest{};
  if (HasChunkSignatures(mode_)) digest = Sha256(data);
  std::string out = Header(data.size(), digest);
  out.reserve(out.size() + data.size() + 2);
  out.append(data);
  out += "\r\n";
  return out;
}

std::string AwsChunkedEncoder::Finish(const std::vector<TrailerField>& trailer) {
  std::string out = Header(0, Sha256(""));
  if (HasTrailer(mode_)) {
    for (const TrailerField& f : trailer) out += f.name + ":" + f.value + "\r\n";
    if (mode_ == ChunkedMode::kSignedPayloadTrailer) {
      previous_ = TrailerSignature(context_, previous_, trailer);
      out += std::string(kTrailerSignatureName) + ":" + previous_ + "\r\n";
    }
  }
  out += "\r\n";
  return out;
}

uint64_t AwsChunkedEncoder::ChunkOverhead(ChunkedMode mode, uint64_t size) {
  uint64_t n = HexSize(size).size() + 2 + 2;  // size CRLF ... CRLF
  if (HasChunkSignatures(mode)) n += kSignatureLineExtra;
  return n;
}

uint64_t AwsChunkedEncoder::FinishSize(ChunkedMode mode, const std::vector<TrailerField>& trailer) {
  uint64_t n = 1 + 2 + 2;  // "0" CRLF ... CRLF
  if (HasChunkSignatures(mode)) n += kSignatureLineExtra;
  if (HasTrailer(mode)) {
    for (const TrailerField& f : trailer) n += f.name.size() + 1 + f.value.size() + 2;
    if (mode == ChunkedMode::kSignedPayloadTrailer) n += kTrailerSignatureName.size() + 1 + 64 + 2;
  }
  return n;
}

uint64_t AwsChunkedEncoder::EncodedLength(ChunkedMode mode, uint64_t payload_size,
                                          uint64_t chunk_size,
                                          const std::vector<TrailerField>& trailer) {
  uint64_t n = payload_size + FinishSize(mode, trailer);
  if (chunk_size == 0) return n;
  uint64_t full = payload_size / chunk_size, rest = payload_size % chunk_size;
  n += full * ChunkOverhead(mode, chunk_size);
  if (rest > 0) n += ChunkOverhead(mode, rest);
  return n;
}

}  // namespace sagetrail::aws::sigv4
