#include "aws/upload_spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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
  Consume(bytes);
}

void UploadSpool::Consume(std::string_view payload) {
  md5_hasher_->Update(payload);
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
