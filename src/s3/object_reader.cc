#include "s3/object_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sagetrail::s3 {

Result<std::shared_ptr<ObjectReader>> ObjectReader::Open(const BlobFiles& blobs,
                                                         const std::vector<Extent>& extents,
                                                         uint64_t offset, uint64_t length) {
  std::shared_ptr<ObjectReader> r(new ObjectReader());
  r->length_ = length;
  uint64_t skip = offset;
  uint64_t wanted = length;
  for (const Extent& e : extents) {
    if (wanted == 0) break;
    if (skip >= e.size) {
      skip -= e.size;
      continue;
    }
    int fd = ::open(blobs.PathOf(e.blob).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return Status::IOError("cannot open the blob of an object: " + std::string(strerror(errno)));
    }
    if (r->extents_.empty()) r->position_ = skip;
    r->extents_.push_back({fd, e.size});
    uint64_t available = e.size - skip;
    wanted -= std::min(available, wanted);
    skip = 0;
  }
  return r;
}

ObjectReader::~ObjectReader() {
  for (auto& e : extents_) {
    if (e.fd >= 0) ::close(e.fd);
  }
}

size_t ObjectReader::Read(char* out, size_t max) {
  size_t n = static_cast<size_t>(std::min<uint64_t>(max, length_ - delivered_));
  size_t done = 0;
  while (done < n && current_ < extents_.size()) {
    OpenExtent& e = extents_[current_];
    if (position_ >= e.size) {
      ++current_;
      position_ = 0;
      continue;
    }
    size_t want = static_cast<size_t>(std::min<uint64_t>(n - done, e.size - position_));
    ssize_t got = ::pread(e.fd, out + done, want, static_cast<off_t>(position_));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return 0;  // a blob shorter than its metadata says: fail the response
    done += static_cast<size_t>(got);
    position_ += static_cast<uint64_t>(got);
  }
  if (done < n) return 0;
  delivered_ += done;
  return done;
}

}  // namespace sagetrail::s3
