// Private directories: the data directory holds every secret access key and the keys that seal
// session tokens and paging tokens, so only its owner may read it. Everything in it is 0600 in
// 0700 folders, whatever the umask.
#pragma once

#include <sys/types.h>
#include <string>
#include <vector>

#include "common/result.h"

namespace sagetrail {

// The umask of a process that writes a data directory: nothing it creates is readable by group
// or others (files 0600, folders 0700), even where a library picks the mode.
constexpr mode_t kPrivateUmask = 077;

// Creates `dir` (and missing parents) with mode 0700 if it does not exist, then takes the group
// and other permission bits off `dir` and everything under it (symbolic links are neither
// followed nor changed). Returns the paths whose mode it changed; fails, changing nothing more,
// on the first entry it cannot restrict (e.g. owned by another user).
Result<std::vector<std::string>> MakePrivateDir(const std::string& dir);

}  // namespace sagetrail
