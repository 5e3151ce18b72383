// BlobFiles: the bytes of S3 objects and multipart parts, as files under `<data-dir>/s3`.
//   tmp/<random>.tmp    bodies being received (UploadSpool writes them here)
//   blobs/<xx>/<id>     stored blobs: id is 32 random hex digits, xx its first two
// File names never derive from object keys, so no key can steer a path. A blob is written under
// a temporary name and renamed into blobs/ only once complete and verified; the metadata naming
// it is committed afterwards with the call's record, so a crash leaves at worst an orphan blob,
// which RemoveOrphans deletes at start (as it does every temporary).
//
// Thread-safe (no state beyond the paths).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/random.h"
#include "common/result.h"
#include "common/status.h"

namespace sagetrail::s3 {

class BlobFiles {
 public:
  // `sync`: fsync each blob and its directory before it is named by committed metadata
  // (--durability full); otherwise a blob survives a crash of the process, as the log does.
  BlobFiles(std::filesystem::path root, Random& random, bool sync);

  // Creates tmp/ and blobs/ when missing.
  Status Prepare() const;
  const std::filesystem::path& tmp_dir() const { return tmp_dir_; }

  // Moves a complete temporary file into blobs/ under a new id; returns the id.
  Result<std::string> Adopt(const std::filesystem::path& temp) const;
  // A new blob holding the concatenation of `write`'s output, written through a temporary.
  Result<std::string> Write(const std::function<Status(int fd)>& write) const;
  std::filesystem::path PathOf(std::string_view id) const;
  // Removes a blob; a missing one is not an error.
  void Remove(std::string_view id) const;
  // Deletes every temporary, and every blob `referenced` says no metadata names. Returns how
  // many files went.
  size_t RemoveOrphans(const std::function<bool(std::string_view id)>& referenced) const;

 private:
  std::string NewId() const;

  std::filesystem::path root_;
  std::filesystem::path tmp_dir_;
  std::filesystem::path blob_dir_;
  Random& random_;
  bool sync_;
};

}  // namespace sagetrail::s3
