#include "aws/upload_spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/strings.h"

namespace sagetrail::aws {

namespace {

AwsError InternalError(std::string message) {
  return {"InternalError", std::move(message), 500, false};
}

}  // namespace

UploadSpool::UploadSpool(const std::filesystem::path& dir, const http::Request& head,
                         Random& random)
    : md5_hasher_(std::make_unique<Md5Hasher>()) {
  std::string_view declared = head.HeaderOr("x-amz-content-sha256");
  hash_body_ = declared != "UNSIGNED-PAYLOAD" && declared.rfind("STREAMING-", 0) != 0;
  if (hash_body_) sha256_ = std::make_unique<Sha256Hasher>();
  if (auto mode = sigv4::ParseChunkedMode(declared)) {
    decoder_ = std::make_unique<sigv4::AwsChunkedDecoder>(*mode);
    if (auto len = head.HeaderOr("x-amz-decoded-content-length"); !len.empty()) {
      has_declared_decoded_size_ = true;
      declared_decoded_size_ = std::strtoull(std::string(len).c_str(), nullptr, 10);
    }
  }
  // A flexible checksum: its value in a header now, or in the trailer the header names.
  for (const auto& h : head.headers) {
    if (auto alg = ChecksumAlgorithmFromHeader(h.name)) {
      checksum_algorithm_ = alg;
      checksum_expected_ = h.value;
    }
  }
  if (!checksum_algorithm_) {
    if (auto trailer = head.HeaderOr("x-amz-trailer"); !trailer.empty()) {
      checksum_algorithm_ = ChecksumAlgorithmFromHeader(trailer);
    }
  }
  if (checksum_algorithm_) checksummer_ = std::make_unique<Checksummer>(*checksum_algorithm_);
  uint8_t id[16];
  random.Fill(id, sizeof(id));
  path_ = dir / (HexEncode(id, sizeof(id)) + ".tmp");
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    Fail(InternalError(std::string("We encountered an internal error. Please try again. (") +
                       std::strerror(errno) + ")"));
  }
}

UploadSpool::~UploadSpool() {
  if (fd_ >= 0) ::close(fd_);
  if (!released_ && !path_.empty()) ::unlink(path_.c_str());
}

void UploadSpool::Fail(AwsError error) {
  if (!error_) error_ = std::move(error);
}

void UploadSpool::Append(std::string_view bytes) {
  if (finished_) return;
  if (sha256_) sha256_->Update(bytes);
  if (decoder_) {
    Status s = decoder_->Feed(bytes, [this](std::string_view payload) { Consume(payload); });
    if (!s.ok()) Fail(AwsError{"InvalidRequest", s.message(), 400, true});
    return;
  }
  Consume(bytes);
}

void UploadSpool::Consume(std::string_view payload) {
  md5_hasher_->Update(payload);
  if (checksummer_) checksummer_->Update(payload);
  size_ += payload.size();
  if (error_ || fd_ < 0) return;
  const char* p = payload.data();
  size_t left = payload.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      Fail(InternalError(std::string("We encountered an internal error. Please try again. (") +
                         std::strerror(errno) + ")"));
      return;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

void UploadSpool::Finish() {
  if (finished_) return;
  finished_ = true;
  if (sha256_) sha256_hex_ = HexEncode(sha256_->Finish());
  md5_ = md5_hasher_->Finish();
  if (decoder_) {
    if (Status s = decoder_->Finish(); !s.ok()) {
      Fail(AwsError{"IncompleteBody", s.message(), 400, true});
    } else if (has_declared_decoded_size_ && declared_decoded_size_ != size_) {
      Fail(AwsError{"IncompleteBody",
                    "You did not provide the number of bytes specified by the "
                    "x-amz-decoded-content-length HTTP header",
                    400, true});
    }
  }
  if (checksummer_) {
    std::string computed = checksummer_->Finish();
    std::string name(ChecksumAlgorithmName(*checksum_algorithm_));
    std::string expected = checksum_expected_;
    if (expected.empty() && decoder_) {
      if (const std::string* t = decoder_->FindTrailer(ChecksumHeaderName(*checksum_algorithm_))) {
        expected = *t;
      }
    }
    if (expected.empty()) {
      Fail(AwsError{
          "InvalidRequest",
          "x-amz-checksum-" + AsciiLower(name) + " was announced but no value for it was sent", 400,
          true});
    } else if (expected != computed) {
      Fail(AwsError{"BadDigest",
                    "The " + name + " you specified did not match the calculated checksum.", 400,
                    true});
    } else {
      checksum_ = std::make_pair(name, computed);
    }
  }
  if (fd_ >= 0 && ::close(fd_) != 0 && !error_) {
    Fail(InternalError("We encountered an internal error. Please try again."));
  }
  fd_ = -1;
}

std::filesystem::path UploadSpool::Release() {
  released_ = true;
  return path_;
}

}  // namespace sagetrail::aws
