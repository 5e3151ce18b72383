#include "s3/blob_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "common/crypto.h"

namespace sagetrail::s3 {
namespace fs = std::filesystem;

namespace {

Status Errno(std::string_view what, const fs::path& path) {
  return Status::IOError(std::string(what) + " " + path.string() + ": " + std::strerror(errno));
}

Status SyncPath(const fs::path& path, bool directory) {
  int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return Errno("open", path);
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : Errno("fsync", path);
}

bool IsBlobId(std::string_view name) {
  if (name.size() != 32) return false;
  for (char c : name) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

BlobFiles::BlobFiles(fs::path root, Random& random, bool sync)
    : root_(std::move(root)),
      tmp_dir_(root_ / "tmp"),
      blob_dir_(root_ / "blobs"),
      random_(random),
      sync_(sync) {}

Status BlobFiles::Prepare() const {
  std::error_code ec;
  fs::create_directories(tmp_dir_, ec);
  if (ec) return Status::IOError("cannot create " + tmp_dir_.string() + ": " + ec.message());
  fs::create_directories(blob_dir_, ec);
  if (ec) return Status::IOError("cannot create " + blob_dir_.string() + ": " + ec.message());
  return Status::Ok();
}

std::string BlobFiles::NewId() const {
  uint8_t bytes[16];
  random_.Fill(bytes, sizeof(bytes));
  return HexEncode(bytes, sizeof(bytes));
}

fs::path BlobFiles::PathOf(std::string_view id) const {
  return blob_dir_ / std::string(id.substr(0, 2)) / std::string(id);
}

Result<std::string> BlobFiles::Adopt(const fs::path& temp) const {
  if (sync_) {
    if (Status s = SyncPath(temp, false); !s.ok()) return s;
  }
  std::string id = NewId();
  fs::path dest = PathOf(id);
  std::error_code ec;
  fs::create_directories(dest.parent_path(), ec);
  if (ec) return Status::IOError("cannot create " + dest.parent_path().string());
  if (::rename(temp.c_str(), dest.c_str()) != 0) return Errno("rename", temp);
  if (sync_) {
    if (Status s = SyncPath(dest.parent_path(), true); !s.ok()) return s;
  }
  return id;
}

Result<std::string> BlobFiles::Write(const std::function<Status(int fd)>& write) const {
  fs::path temp = tmp_dir_ / (NewId() + ".tmp");
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("create", temp);
  Status s = write(fd);
  if (::close(fd) != 0 && s.ok()) s = Errno("close", temp);
  if (!s.ok()) {
    ::unlink(temp.c_str());
    return s;
  }
  auto id = Adopt(temp);
  if (!id.ok()) ::unlink(temp.c_str());
  return id;
}

void BlobFiles::Remove(std::string_view id) const {
  if (!IsBlobId(id)) return;
  ::unlink(PathOf(id).c_str());
}

size_t BlobFiles::RemoveOrphans(const std::function<bool(std::string_view id)>& referenced) const {
  size_t removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(tmp_dir_, ec)) {
    if (fs::remove(entry.path(), ec)) ++removed;
  }
  for (const auto& shard : fs::directory_iterator(blob_dir_, ec)) {
    if (!shard.is_directory(ec)) continue;
    for (const auto& entry : fs::directory_iterator(shard.path(), ec)) {
      std::string name = entry.path().filename().string();
      if (IsBlobId(name) && referenced(name)) continue;
      if (fs::remove(entry.path(), ec)) ++removed;
    }
  }
  return removed;
}

}  // namespace sagetrail::s3
