// Fuzz target: XmlReader on arbitrary bytes, with small limits so that the depth and element
// limits are reached too. Whatever it accepts is written back out (names, attributes, text and
// children, every special character escaped) and must read back to the same tree.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "aws/protocol/xml_reader.h"
#include "fuzz_support.h"

namespace {

using sagetrail::aws::XmlElement;

// Escapes for both text and attribute values; whitespace other than the space is written as a
// character reference so that line-end and attribute normalization leave it alone.
void Escape(std::string_view s, std::string* out) {
  for (char c : s) {
    switch (c) {
      case '&':
        out->append("&amp;");
        break;
      case '<':
        out->append("&lt;");
        break;
      case '>':
        out->append("&gt;");
        break;
      case '"':
        out->append("&quot;");
        break;
      case '\r':
        out->append("&#13;");
        break;
      case '\n':
        out->append("&#10;");
        break;
      case '\t':
        out->append("&#9;");
        break;
      default:
        out->push_back(c);
    }
  }
}

void Write(const XmlElement& e, std::string* out) {
  out->push_back('<');
  out->append(e.name);
  for (const auto& [name, value] : e.attributes) {
    out->push_back(' ');
    out->append(name);
    out->append("=\"");
    Escape(value, out);
    out->push_back('"');
  }
  out->push_back('>');
  Escape(e.text, out);
  for (const XmlElement& c : e.children) Write(c, out);
  out->append("</");
  out->append(e.name);
  out->push_back('>');
}

bool Same(const XmlElement& a, const XmlElement& b) {
  if (a.name != b.name || a.attributes != b.attributes || a.text != b.text ||
      a.children.size() != b.children.size()) {
    return false;
  }
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (!Same(a.children[i], b.children[i])) return false;
  }
  return true;
}

size_t Count(const XmlElement& e, int depth, int* max_depth) {
  if (depth > *max_depth) *max_depth = depth;
  size_t n = 1;
  for (const XmlElement& c : e.children) n += Count(c, depth + 1, max_depth);
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using sagetrail::fuzz::Check;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  sagetrail::aws::XmlLimits limits;
  limits.max_depth = 12;
  limits.max_elements = 500;
  limits.max_bytes = 64 * 1024;
  auto doc = sagetrail::aws::XmlReader::Parse(text, limits);
  if (!doc.ok()) {
    Check(doc.error().offset <= size, "an error offset past the end of the input");
    Check(!doc.error().message.empty(), "an error without a message");
    return 0;
  }
  int depth = 0;
  Check(Count(*doc, 1, &depth) <= limits.max_elements, "more elements than the limit");
  Check(depth <= limits.max_depth, "deeper than the limit");
  Check(sagetrail::fuzz::IsValidUtf8(doc->text), "text that is not UTF-8");

  std::string again;
  Write(*doc, &again);
  sagetrail::aws::XmlLimits loose;
  loose.max_bytes = again.size() + 1;
  auto reread = sagetrail::aws::XmlReader::Parse(again, loose);
  Check(reread.ok(), "a tree written back out does not read");
  Check(Same(*doc, *reread), "a tree written back out reads differently");
  return 0;
}
