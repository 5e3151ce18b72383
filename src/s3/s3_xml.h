// A tolerant reader for the small XML documents an S3 endpoint answers with (<Error>,
// <ListBucketResult>, <InitiateMultipartUploadResult>, <CompleteMultipartUploadResult>): elements,
// their character data and children, nothing else. Attributes, comments, processing instructions
// and DOCTYPE are skipped; namespace prefixes are dropped from names; the five predefined entities
// and character references are decoded, CDATA is kept as text. Malformed input does not fail:
// an unclosed element is closed by its parent's end tag or by the end of the input, a stray end
// tag is ignored. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sagetrail::s3 {

struct XmlElement {
  std::string name;  // local name, e.g. "Key"
  std::string text;  // decoded character data directly inside this element, untrimmed
  std::vector<XmlElement> children;

  // The first child named `name`, or nullptr.
  const XmlElement* Child(std::string_view name) const;
  // The text of the first child named `name`; empty when there is none.
  std::string ChildText(std::string_view name) const;
  // Every child named `name`, in document order.
  std::vector<const XmlElement*> Children(std::string_view name) const;
};

// Elements nested deeper than this make the document unreadable (nullopt).
inline constexpr size_t kMaxXmlDepth = 64;

// The document's first root element; nullopt when there is none or it nests too deep.
std::optional<XmlElement> ParseXml(std::string_view xml);

// `text` with &, < and > escaped, for element content.
std::string XmlEscape(std::string_view text);

}  // namespace sagetrail::s3
