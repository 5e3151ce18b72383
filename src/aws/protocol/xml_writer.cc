#include "aws/protocol/xml_writer.h"

namespace sagetrail::aws {

void AppendXmlEscaped(std::string_view s, std::string* out) {
  for (unsigned char c : s) {
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
      case '\'':
        out->append("&apos;");
        break;
      case '\r':
        out->append("&#xD;");
        break;
      default:
        if (c < 0x20 && c != '\n' && c != '\t') {
          static constexpr char kHex[] = "0123456789ABCDEF";
          out->append("&#x");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xf]);
          out->push_back(';');
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
}

void AppendXmlElement(std::string_view name, std::string_view text, std::string* out) {
  out->push_back('<');
  out->append(name);
  out->push_back('>');
  AppendXmlEscaped(text, out);
  out->append("</");
  out->append(name);
  out->push_back('>');
}

}  // namespace sagetrail::aws
