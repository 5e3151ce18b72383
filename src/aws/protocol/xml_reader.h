// XmlReader: a small, strict, non-validating XML 1.0 reader for request bodies (S3's
// CreateBucketConfiguration, Delete, Tagging, ...). It builds the whole element tree in memory,
// within limits on size, depth and element count, and refuses what it does not need: a DOCTYPE
// (so no entity definitions, no external entities, no expansion attacks), undefined entity
// references, malformed UTF-8 and characters XML forbids.
//
// Kept: elements, their attributes (namespace declarations included, as written), text with the
// five predefined entities and numeric character references decoded, CDATA sections.
// Dropped: comments, processing instructions, the XML declaration. Line ends in text and
// attribute values are normalized to LF (attribute whitespace to spaces) as XML 1.0 says.
// Names are kept as written ("xsi:type"): no namespace resolution; LocalName() strips a prefix.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace sagetrail::aws {

struct XmlElement {
  std::string name;  // qualified name as written, e.g. "Grantee" or "xsi:type"
  std::vector<std::pair<std::string, std::string>> attributes;  // in document order
  std::string text;  // all character data directly inside, concatenated (children's excluded)
  std::vector<XmlElement> children;

  // The name without its namespace prefix ("type" for "xsi:type").
  std::string_view LocalName() const;
  // The first child whose local name is `local_name`, or nullptr.
  const XmlElement* FindChild(std::string_view local_name) const;
  // The value of the attribute named `name` exactly as written, or else the first whose local
  // name is the local part of `name`; nullptr when there is none.
  const std::string* FindAttribute(std::string_view name) const;
};

struct XmlLimits {
  size_t max_bytes = 8 * 1024 * 1024;  // whole document
  int max_depth = 32;                  // nested elements, the root being 1
  size_t max_elements = 200'000;
};

struct XmlError {
  std::string message;  // what was wrong, for logs and tests (not shown to clients verbatim)
  size_t offset = 0;    // byte offset where it was noticed
};

class XmlReader {
 public:
  // The document's root element, or why `text` is not a well-formed document within `limits`.
  static Result<XmlElement, XmlError> Parse(std::string_view text, const XmlLimits& limits = {});
};

}  // namespace sagetrail::aws
