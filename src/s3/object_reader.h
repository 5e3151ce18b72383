// ObjectReader: an S3 object's bytes (or a range of them) as a streamed response body. Its blobs
// are opened when the reader is made, under the S3 lock, so a reader keeps the object as it was
// even if the object is overwritten or deleted (and its blobs unlinked) while it is read.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "common/result.h"
#include "http/http_message.h"
#include "s3/blob_files.h"
#include "s3/s3_types.h"

namespace sagetrail::s3 {

class ObjectReader final : public http::BodySource {
 public:
  // Bytes [offset, offset + length) of the object made of `extents`.
  static Result<std::shared_ptr<ObjectReader>> Open(const BlobFiles& blobs,
                                                    const std::vector<Extent>& extents,
                                                    uint64_t offset, uint64_t length);
  ~ObjectReader() override;

  uint64_t size() const override { return length_; }
  size_t Read(char* out, size_t max) override;

 private:
  struct OpenExtent {
    int fd = -1;
    uint64_t size = 0;
  };
  ObjectReader() = default;

  std::vector<OpenExtent> extents_;
  size_t current_ = 0;     // extent being read
  uint64_t position_ = 0;  // offset within it
  uint64_t length_ = 0;
  uint64_t delivered_ = 0;
};

}  // namespace sagetrail::s3
