#include "aws/sigv4/aws_chunked_decoder.h"

#include <algorithm>
#include <utility>

#include "common/strings.h"

namespace sagetrail::aws::sigv4 {
namespace {

constexpr std::string_view kSignaturePrefix = "chunk-signature=";
constexpr size_t kSignatureLength = 64;
constexpr size_t kMaxSizeDigits = 16;

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool IsHexSignature(std::string_view s) {
  return s.size() == kSignatureLength && std::all_of(s.begin(), s.end(), IsHex);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// RFC 9110 token characters: what a field name may be made of.
bool IsTokenChar(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsFieldValueChar(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return u == '\t' || (u >= 0x20 && u != 0x7f);
}

}  // namespace

std::optional<ChunkedMode> ParseChunkedMode(std::string_view content_sha256) {
  if (content_sha256 == kStreamingSignedPayload) return ChunkedMode::kSignedPayload;
  if (content_sha256 == kStreamingSignedPayloadTrailer) return ChunkedMode::kSignedPayloadTrailer;
  if (content_sha256 == kStreamingUnsignedPayloadTrailer) {
    return ChunkedMode::kUnsignedPayloadTrailer;
  }
  return std::nullopt;
}

std::string_view ChunkedModeName(ChunkedMode mode) {
  switch (mode) {
    case ChunkedMode::kSignedPayload:
      return kStreamingSignedPayload;
    case ChunkedMode::kSignedPayloadTrailer:
      return kStreamingSignedPayloadTrailer;
    case ChunkedMode::kUnsignedPayloadTrailer:
      return kStreamingUnsignedPayloadTrailer;
  }
  return kStreamingSignedPayload;
}

AwsChunkedDecoder::AwsChunkedDecoder(ChunkedMode mode, ChunkedLimits limits)
    : mode_(mode), limits_(limits) {
  limits_.max_line = std::max<size_t>(limits_.max_line, 3);  // room for "0\r\n"
}

const std::string* AwsChunkedDecoder::FindTrailer(std::string_view name) const {
  for (const TrailerField& f : trailer_) {
    if (EqualsIgnoreCase(f.name, name)) return &f.value;
  }
  return nullptr;
}

Status AwsChunkedDecoder::Fail(std::string message) {
  state_ = State::kFailed;
  failure_ = Status::InvalidArgument(std::move(message));
  return failure_;
}

Status AwsChunkedDecoder::TakeLine(std::string_view& bytes, bool* complete) {
  size_t lf = bytes.find('\n');
  size_t take = lf == std::string_view::npos ? bytes.size() : lf + 1;
  if (line_.size() + take > limits_.max_line) {
    return Fail("aws-chunked: a line at byte " + std::to_string(offset_ - line_.size()) +
                " is longer than " + std::to_string(limits_.max_line) + " bytes");
  }
  line_.append(bytes.substr(0, take));
  bytes.remove_prefix(take);
  offset_ += take;
  *complete = lf != std::string_view::npos;
  if (*complete) {
    if (line_.size() < 2 || line_[line_.size() - 2] != '\r') {
      return Fail("aws-chunked: a line at byte " + std::to_string(offset_ - line_.size()) +
                  " does not end with CRLF");
    }
    line_.resize(line_.size() - 2);
  }
  return Status::Ok();
}

Status AwsChunkedDecoder::Feed(std::string_view bytes, const PayloadCallback& on_payload) {
  if (state_ == State::kFailed) return failure_;
  while (!bytes.empty()) {
    switch (state_) {
      case State::kSizeLine:
      case State::kTrailerLine: {
        bool complete = false;
        Status s = TakeLine(bytes, &complete);
        if (!s.ok()) return s;
        if (!complete) return Status::Ok();
        std::string line = std::move(line_);
        line_.clear();
        s = state_ == State::kSizeLine ? OnSizeLine(line) : OnTrailerLine(line);
        if (!s.ok()) return s;
        break;
      }
      case State::kData: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, bytes.size()));
        std::string_view piece = bytes.substr(0, n);
        if (HasChunkSignatures(mode_)) hasher_.Update(piece);
        on_payload(piece);
        remaining_ -= n;
        decoded_size_ += n;
        offset_ += n;
        bytes.remove_prefix(n);
        if (remaining_ == 0) state_ = State::kDataCr;
        break;
      }
      case State::kDataCr:
        if (bytes.front() != '\r') {
          return Fail("aws-chunked: chunk " + std::to_string(chunk_count_ + 1) +
                      " is longer than its announced size of " + std::to_string(current_.size) +
                      " bytes");
        }
        bytes.remove_prefix(1);
        ++offset_;
        state_ = State::kDataLf;
        break;
      case State::kDataLf: {
        if (bytes.front() != '\n') {
          return Fail("aws-chunked: the data of chunk " + std::to_string(chunk_count_ + 1) +
                      " is not followed by CRLF");
        }
        bytes.remove_prefix(1);
        ++offset_;
        state_ = State::kSizeLine;
        Status s = ChunkComplete();
        if (!s.ok()) return s;
        break;
      }
      case State::kDone:
        return Fail("aws-chunked: data after the final chunk, at byte " + std::to_string(offset_));
      case State::kFailed:
        return failure_;
    }
  }
  return Status::Ok();
}

Status AwsChunkedDecoder::OnSizeLine(std::string_view line) {
  const std::string which = "chunk " + std::to_string(chunk_count_ + 1);
  size_t semi = line.find(';');
  std::string_view size_text = line.substr(0, semi);
  if (size_text.empty() || size_text.size() > kMaxSizeDigits ||
      !std::all_of(size_text.begin(), size_text.end(), IsHex)) {
    return Fail("aws-chunked: the size line of " + which + " is malformed");
  }
  uint64_t size = 0;
  for (char c : size_text) size = (size << 4) | static_cast<uint64_t>(HexValue(c));
  if (size > limits_.max_chunk_size) {
    return Fail("aws-chunked: " + which + " announces " + std::to_string(size) +
                " bytes, more than " + std::to_string(limits_.max_chunk_size));
  }
  current_ = ChunkInfo{};
  current_.size = size;
  if (HasChunkSignatures(mode_)) {
    if (semi == std::string_view::npos) {
      return Fail("aws-chunked: " + which + " has no chunk-signature");
    }
    std::string_view ext = line.substr(semi + 1);
    if (ext.substr(0, kSignaturePrefix.size()) != kSignaturePrefix) {
      return Fail("aws-chunked: " + which + " has no chunk-signature");
    }
    std::string_view signature = ext.substr(kSignaturePrefix.size());
    if (!IsHexSignature(signature)) {
      return Fail("aws-chunked: the chunk-signature of " + which + " is not 64 hex digits");
    }
    current_.signature = std::string(signature);
    hasher_.Reset();
  } else if (semi != std::string_view::npos) {
    return Fail("aws-chunked: " + which + " has a chunk extension, which " +
                std::string(ChunkedModeName(mode_)) + " does not allow");
  }
  if (size == 0) {
    state_ = State::kTrailerLine;
    return ChunkComplete();
  }
  remaining_ = size;
  state_ = State::kData;
  return Status::Ok();
}

Status AwsChunkedDecoder::ChunkComplete() {
  if (HasChunkSignatures(mode_)) current_.data_sha256 = hasher_.Finish();
  ++chunk_count_;
  if (limits_.keep_chunks) chunks_.push_back(current_);
  if (on_chunk_) {
    Status s = on_chunk_(current_);
    if (!s.ok()) {
      state_ = State::kFailed;
      failure_ = std::move(s);
      return failure_;
    }
  }
  return Status::Ok();
}

Status AwsChunkedDecoder::OnTrailerLine(std::string_view line) {
  if (line.empty()) {
    if (mode_ == ChunkedMode::kSignedPayloadTrailer && trailer_signature_.empty()) {
      return Fail("aws-chunked: the trailer has no x-amz-trailer-signature");
    }
    state_ = State::kDone;
    return Status::Ok();
  }
  if (!HasTrailer(mode_)) {
    return Fail("aws-chunked: data after the final chunk, at byte " +
                std::to_string(offset_ - line.size() - 2));
  }
  if (!trailer_signature_.empty()) {
    return Fail("aws-chunked: a trailer field follows x-amz-trailer-signature");
  }
  size_t colon = line.find(':');
  std::string_view name = line.substr(0, colon);
  if (colon == std::string_view::npos || name.empty() ||
      !std::all_of(name.begin(), name.end(), IsTokenChar)) {
    return Fail("aws-chunked: a trailer line is not a field");
  }
  std::string_view value = Trim(line.substr(colon + 1));
  if (!std::all_of(value.begin(), value.end(), IsFieldValueChar)) {
    return Fail("aws-chunked: the trailer field " + std::string(name) +
                " has a control character in its value");
  }
  if (EqualsIgnoreCase(name, kTrailerSignatureName)) {
    if (mode_ != ChunkedMode::kSignedPayloadTrailer) {
      return Fail("aws-chunked: x-amz-trailer-signature in an unsigned trailer");
    }
    if (!IsHexSignature(value)) {
      return Fail("aws-chunked: x-amz-trailer-signature is not 64 hex digits");
    }
    trailer_signature_ = std::string(value);
    return Status::Ok();
  }
  if (FindTrailer(name) != nullptr) {
    return Fail("aws-chunked: the trailer field " + std::string(name) + " is sent twice");
  }
  if (trailer_.size() >= limits_.max_trailer_fields) {
    return Fail("aws-chunked: more than " + std::to_string(limits_.max_trailer_fields) +
                " trailer fields");
  }
  trailer_.push_back({std::string(name), std::string(value)});
  return Status::Ok();
}

Status AwsChunkedDecoder::Finish() {
  switch (state_) {
    case State::kDone:
      return Status::Ok();
    case State::kFailed:
      return failure_;
    case State::kData:
    case State::kDataCr:
    case State::kDataLf:
      return Fail("aws-chunked: the body ended inside chunk " + std::to_string(chunk_count_ + 1));
    case State::kSizeLine:
      return Fail("aws-chunked: the body ended before the final chunk");
    case State::kTrailerLine:
      return Fail("aws-chunked: the body ended before the end of the trailer");
  }
  return Fail("aws-chunked: the body ended early");
}

}  // namespace sagetrail::aws::sigv4
