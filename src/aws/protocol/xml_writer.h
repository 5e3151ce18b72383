// XML text helpers for the query and rest-xml protocols.
#pragma once

#include <string>
#include <string_view>

namespace sagetrail::aws {

// Escapes &, <, >, " and ' (and control characters as numeric references).
void AppendXmlEscaped(std::string_view s, std::string* out);
// <name>escaped text</name>
void AppendXmlElement(std::string_view name, std::string_view text, std::string* out);

}  // namespace sagetrail::aws
