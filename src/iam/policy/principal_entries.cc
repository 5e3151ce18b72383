#include "iam/policy/principal_entries.h"

#include <vector>

#include "common/strings.h"

namespace sagetrail::iam {

std::string_view ArnAccount(std::string_view arn) {
  std::vector<std::string_view> parts = Split(arn, ':');
  return parts.size() >= 6 && parts[0] == "arn" ? parts[4] : std::string_view();
}

std::string_view AccountOfRootEntry(std::string_view entry) {
  if (entry.size() == 12 && entry.find_first_not_of("0123456789") == std::string_view::npos) {
    return entry;
  }
  std::vector<std::string_view> parts = Split(entry, ':');
  if (parts.size() == 6 && parts[0] == "arn" && parts[2] == "iam" && parts[5] == "root") {
    return parts[4];
  }
  return {};
}

bool SameEntity(const std::map<std::string, std::string>* ids, const std::string& entry,
                const std::string& id) {
  if (ids == nullptr) return true;
  auto it = ids->find(entry);
  return it == ids->end() || it->second == id;
}

}  // namespace sagetrail::iam
