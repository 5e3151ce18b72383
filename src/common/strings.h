// Small string helpers used across the server. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sagetrail {

std::string AsciiLower(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string_view Trim(std::string_view s);
std::vector<std::string_view> Split(std::string_view s, char sep);
std::string Join(const std::vector<std::string>& parts, std::string_view sep);
// "ModelName" -> "modelName": how AWS writes member names in messages and records.
std::string LowerFirst(std::string_view s);

// RFC 3986 percent-encoding as SigV4 wants it: unreserved characters (A-Z a-z 0-9 - _ . ~) stay,
// everything else becomes %XX in upper-case hex; '/' stays when `keep_slash`.
std::string UriEncode(std::string_view s, bool keep_slash);
// Percent-decoding; '+' becomes a space when `plus_is_space` (form encoding). Malformed escapes
// are kept literally.
std::string UriDecode(std::string_view s, bool plus_is_space);

}  // namespace sagetrail
