// The `--config FILE` of `sagetrail serve`: a file of `key = value` lines, each the long name of
// a serve option without its dashes (`port = 4566`, `data-dir = "/srv/sagetrail"`). Blank lines,
// lines starting with `#` or `;`, and `[section]` headers are skipped; a value may be quoted.
// Options given on the command line win over the file's.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace sagetrail::server {

// The (key, value) pairs of a config file's text, in order; `name` labels errors ("FILE:LINE").
Result<std::vector<std::pair<std::string, std::string>>> ParseConfigText(std::string_view text,
                                                                         const std::string& name);

// The command line with the serve subcommand's `--config FILE` applied: each option of the file
// that the command line does not give is added right after `serve`. Unchanged when there is no
// serve subcommand or no --config. Errors name the file (unreadable, a malformed line, an option
// `known` does not know).
Result<std::vector<std::string>> ApplyServeConfig(
    std::vector<std::string> args, const std::function<bool(const std::string&)>& known);

}  // namespace sagetrail::server
