#include "iam/policy/policy_variables.h"

#include <vector>

#include "common/strings.h"

namespace sagetrail::iam {
namespace {

void AppendLiteral(std::string_view s, SubstitutionMode mode, std::string* out) {
  for (char c : s) {
    if (mode == SubstitutionMode::kPattern && (c == '*' || c == '?' || c == '\\')) {
      out->push_back('\\');
    }
    out->push_back(c);
  }
}

// Parses the inside of "${...}" into the key and optional default; false on broken syntax.
bool ParseVariable(std::string_view body, std::string_view* key,
                   std::optional<std::string>* default_value) {
  size_t comma = body.find(',');
  *key = Trim(body.substr(0, comma));
  if (key->empty()) return false;
  if (comma == std::string_view::npos) return true;
  std::string_view rest = Trim(body.substr(comma + 1));
  if (rest.size() < 2 || rest.front() != '\'' || rest.back() != '\'') return false;
  rest = rest.substr(1, rest.size() - 2);
  std::string value;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '\'') {
      if (i + 1 >= rest.size() || rest[i + 1] != '\'') return false;  // a lone quote
      ++i;
    }
    value.push_back(rest[i]);
  }
  *default_value = std::move(value);
  return true;
}

// Finds the '}' closing a variable whose body starts at `from`, skipping quoted defaults.
size_t FindClose(std::string_view text, size_t from) {
  bool quoted = false;
  for (size_t i = from; i < text.size(); ++i) {
    if (text[i] == '\'') quoted = !quoted;  // '' inside a default toggles twice: no effect
    if (text[i] == '}' && !quoted) return i;
  }
  return std::string_view::npos;
}

}  // namespace

bool HasPolicyVariables(std::string_view text) { return text.find("${") != std::string_view::npos; }

std::optional<std::string> SubstitutePolicyVariables(std::string_view text,
                                                     const ConditionContext& context,
                                                     SubstitutionMode mode) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("${", pos);
    if (open == std::string_view::npos) {
      // The policy's own text: its wildcards stay wildcards, only backslashes need escaping.
      for (char c : text.substr(pos)) {
        if (mode == SubstitutionMode::kPattern && c == '\\') out.push_back('\\');
        out.push_back(c);
      }
      break;
    }
    for (char c : text.substr(pos, open - pos)) {
      if (mode == SubstitutionMode::kPattern && c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    size_t close = FindClose(text, open + 2);
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view body = text.substr(open + 2, close - open - 2);
    pos = close + 1;

    std::string_view trimmed = Trim(body);
    if (trimmed == "*" || trimmed == "?" || trimmed == "$") {
      AppendLiteral(trimmed, mode, &out);
      continue;
    }
    std::string_view key;
    std::optional<std::string> default_value;
    if (!ParseVariable(body, &key, &default_value)) return std::nullopt;
    const std::vector<std::string>* values = context.Find(key);
    if (values != nullptr && values->size() == 1) {
      AppendLiteral((*values)[0], mode, &out);
    } else if (default_value) {
      AppendLiteral(*default_value, mode, &out);
    } else {
      return std::nullopt;  // missing or multivalued: no value to substitute
    }
  }
  return out;
}

}  // namespace sagetrail::iam
