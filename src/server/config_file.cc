#include "server/config_file.h"

#include <cstddef>
#include <fstream>
#include <sstream>

namespace sagetrail::server {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Whether `args` (after the subcommand) give option `--key`, as `--key V` or `--key=V`.
bool Given(const std::vector<std::string>& args, size_t from, const std::string& key) {
  const std::string flag = "--" + key;
  for (size_t i = from; i < args.size(); ++i) {
    if (args[i] == flag || args[i].rfind(flag + "=", 0) == 0) return true;
  }
  return false;
}

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> ParseConfigText(std::string_view text,
                                                                         const std::string& name) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = Trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (line.empty() || line[0] == '#' || line[0] == ';' || line[0] == '[') continue;
    size_t eq = line.find('=');
    std::string_view key = eq == std::string_view::npos ? "" : Trim(line.substr(0, eq));
    std::string_view value = eq == std::string_view::npos ? "" : Trim(line.substr(eq + 1));
    if (key.starts_with("--")) key.remove_prefix(2);
    if (key.empty() || key.find_first_of(" \t\"'") != std::string_view::npos) {
      return Status::InvalidArgument(name + ":" + std::to_string(line_no) +
                                     ": expected `option = value`");
    }
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    out.emplace_back(std::string(key), std::string(value));
  }
  return out;
}

Result<std::vector<std::string>> ApplyServeConfig(
    std::vector<std::string> args, const std::function<bool(const std::string&)>& known) {
  size_t serve = 1;
  while (serve < args.size() && args[serve] != "serve") ++serve;
  if (serve >= args.size()) return args;
  std::string path;
  for (size_t i = serve + 1; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) path = args[i + 1];
    if (args[i].rfind("--config=", 0) == 0) path = args[i].substr(9);
  }
  if (path.empty()) return args;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot read the config file " + path);
  std::stringstream text;
  text << in.rdbuf();
  auto pairs = ParseConfigText(text.str(), path);
  if (!pairs.ok()) return pairs.error();
  std::vector<std::string> added;
  for (const auto& [key, value] : *pairs) {
    if (key == "config") {
      return Status::InvalidArgument(path + ": a config file cannot name another one");
    }
    if (!known(key)) return Status::InvalidArgument(path + ": unknown option `" + key + "`");
    if (Given(args, serve + 1, key)) continue;
    added.push_back("--" + key);
    added.push_back(value);
  }
  args.insert(args.begin() + static_cast<std::ptrdiff_t>(serve) + 1, added.begin(), added.end());
  return args;
}

}  // namespace sagetrail::server
