#include "common/private_dir.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace sagetrail {
namespace fs = std::filesystem;

namespace {

// Takes the group and other bits off `path` (not following a symbolic link). Appends it to
// `changed` if its mode changed.
Status Restrict(const fs::path& path, std::vector<std::string>* changed) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::Ok();  // removed meanwhile
    return Status::IOError("cannot read the mode of " + path.string() + ": " +
                           std::strerror(errno));
  }
  if (S_ISLNK(st.st_mode)) return Status::Ok();
  mode_t mode = st.st_mode & 07777;
  mode_t wanted = mode & 0700;
  if (S_ISDIR(st.st_mode)) wanted = 0700;
  if (mode == wanted) return Status::Ok();
  if (::chmod(path.c_str(), wanted) != 0) {
    return Status::IOError("cannot make " + path.string() + " private (mode " +
                           (S_ISDIR(st.st_mode) ? std::string("0700") : std::string("0600")) +
                           "): " + std::strerror(errno) +
                           "; fix its owner or mode, or use another data directory");
  }
  changed->push_back(path.string());
  return Status::Ok();
}

}  // namespace

Result<std::vector<std::string>> MakePrivateDir(const std::string& dir) {
  std::vector<std::string> changed;
  std::error_code ec;
  fs::path root(dir);
  if (!fs::exists(root, ec)) {
    // Each missing folder is made 0700 (mkdir's mode is masked by the umask, never widened).
    fs::path partial;
    for (const fs::path& part : root) {
      partial /= part;
      if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
        return Status::IOError("cannot create " + partial.string() + ": " + std::strerror(errno));
      }
    }
  }
  if (!fs::is_directory(root, ec)) {
    return Status::IOError("cannot use " + dir + " as the data directory: not a directory");
  }
  // The data directory itself may be a symbolic link the user made: its target is restricted.
  fs::path target = fs::canonical(root, ec);
  if (ec) return Status::IOError("cannot resolve " + dir + ": " + ec.message());
  Status s = Restrict(target, &changed);
  if (!s.ok()) return s;
  for (auto it = fs::recursive_directory_iterator(target, fs::directory_options::none, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    s = Restrict(it->path(), &changed);
    if (!s.ok()) return s;
  }
  if (ec) return Status::IOError("cannot list " + dir + ": " + ec.message());
  return changed;
}

}  // namespace sagetrail
