#include "aws/protocol/xml_reader.h"

#include <cstdint>

namespace sagetrail::aws {

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsNameStart(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':' || c >= 0x80;
}

bool IsNameChar(unsigned char c) {
  return IsNameStart(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

// The code points XML 1.0 allows in a document (production [2] Char).
bool IsXmlChar(uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// The offset of the first byte that is not part of well-formed UTF-8 encoding an XML Char, or
// npos when the whole text is acceptable.
size_t FirstBadChar(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp;
    size_t len;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      cp = c & 0x1F;
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      cp = c & 0x0F;
      len = 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      cp = c & 0x07;
      len = 4;
    } else {
      return i;
    }
    if (i + len > s.size()) return i;
    for (size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong three- and four-byte forms, surrogates and values past U+10FFFF.
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        !IsXmlChar(cp)) {
      return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

class Parser {
 public:
  Parser(std::string_view text, const XmlLimits& limits) : s_(text), limits_(limits) {}

  Result<XmlElement, XmlError> Document() {
    if (s_.size() > limits_.max_bytes) return Fail("the document is larger than allowed");
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;  // a UTF-8 byte order mark
    if (size_t bad = FirstBadChar(s_.substr(pos_)); bad != std::string_view::npos) {
      pos_ += bad;
      return Fail("malformed UTF-8 or a character XML does not allow");
    }
    if (Starts("<?xml") && pos_ + 5 < s_.size() && IsSpace(s_[pos_ + 5])) {
      if (!SkipPast("?>")) return Fail("unterminated XML declaration");
    }
    if (!Misc()) return error_;
    if (Starts("<!DOCTYPE")) return Fail("a document type declaration is not allowed");
    if (!Starts("<")) return Fail(pos_ >= s_.size() ? "no root element" : "text before the root");
    XmlElement root;
    if (!Element(1, &root)) return error_;
    if (!Misc()) return error_;
    if (pos_ != s_.size()) return Fail("content after the root element");
    return root;
  }

 private:
  XmlError Fail(std::string message) {
    error_ = XmlError{std::move(message), pos_};
    return error_;
  }
  bool Error(std::string message) {
    Fail(std::move(message));
    return false;
  }

  bool Starts(std::string_view prefix) const { return s_.substr(pos_, prefix.size()) == prefix; }

  // Moves past the next `terminator`; false (pos_ unchanged) when there is none.
  bool SkipPast(std::string_view terminator) {
    size_t end = s_.find(terminator, pos_);
    if (end == std::string_view::npos) return false;
    pos_ = end + terminator.size();
    return true;
  }

  void SkipSpace() {
    while (pos_ < s_.size() && IsSpace(s_[pos_])) ++pos_;
  }

  // Whitespace, comments and processing instructions, outside the root element.
  bool Misc() {
    while (true) {
      SkipSpace();
      if (Starts("<!--")) {
        if (!Comment()) return false;
      } else if (Starts("<?")) {
        if (!ProcessingInstruction()) return false;
      } else {
        return true;
      }
    }
  }

  bool Comment() {
    size_t start = pos_;
    pos_ += 4;
    size_t dashes = s_.find("--", pos_);
    if (dashes == std::string_view::npos) {
      pos_ = start;
      return Error("unterminated comment");
    }
    pos_ = dashes;
    if (!Starts("-->")) return Error("'--' inside a comment");
    pos_ += 3;
    return true;
  }

  bool ProcessingInstruction() {
    size_t start = pos_;
    pos_ += 2;
    std::string_view target = Name();
    if (target.empty()) return Error("a processing instruction without a target");
    if (target.size() == 3 && (target[0] | 0x20) == 'x' && (target[1] | 0x20) == 'm' &&
        (target[2] | 0x20) == 'l') {
      pos_ = start;
      return Error("an XML declaration that is not at the start of the document");
    }
    if (!SkipPast("?>")) {
      pos_ = start;
      return Error("unterminated processing instruction");
    }
    return true;
  }

  std::string_view Name() {
    size_t start = pos_;
    if (pos_ >= s_.size() || !IsNameStart(static_cast<unsigned char>(s_[pos_]))) return {};
    ++pos_;
    while (pos_ < s_.size() && IsNameChar(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    return s_.substr(start, pos_ - start);
  }

  // An entity or character reference at pos_ ('&'), appended decoded.
  bool Reference(std::string* out) {
    size_t start = pos_;
    size_t semi = s_.find(';', pos_);
    if (semi == std::string_view::npos || semi - pos_ > 12) return Error("malformed reference");
    std::string_view ref = s_.substr(pos_ + 1, semi - pos_ - 1);
    pos_ = semi + 1;
    if (ref == "lt") {
      out->push_back('<');
    } else if (ref == "gt") {
      out->push_back('>');
    } else if (ref == "amp") {
      out->push_back('&');
    } else if (ref == "quot") {
      out->push_back('"');
    } else if (ref == "apos") {
      out->push_back('\'');
    } else if (!ref.empty() && ref[0] == '#') {
      bool hex = ref.size() > 1 && ref[1] == 'x';
      std::string_view digits = ref.substr(hex ? 2 : 1);
      if (digits.empty()) {
        pos_ = start;
        return Error("malformed character reference");
      }
      uint32_t cp = 0;
      for (char c : digits) {
        int d;
        if (c >= '0' && c <= '9') {
          d = c - '0';
        } else if (hex && c >= 'a' && c <= 'f') {
          d = c - 'a' + 10;
        } else if (hex && c >= 'A' && c <= 'F') {
          d = c - 'A' + 10;
        } else {
          pos_ = start;
          return Error("malformed character reference");
        }
        cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(d);
        if (cp > 0x10FFFF) break;
      }
      if (!IsXmlChar(cp)) {
        pos_ = start;
        return Error("a character reference to a character XML does not allow");
      }
      AppendUtf8(cp, out);
    } else {
      pos_ = start;
      return Error("a reference to an undefined entity");
    }
    return true;
  }

  bool AttributeValue(std::string* out) {
    char quote = s_[pos_++];
    while (true) {
      if (pos_ >= s_.size()) return Error("unterminated attribute value");
      char c = s_[pos_];
      if (c == quote) {
        ++pos_;
        return true;
      }
      if (c == '<') return Error("'<' in an attribute value");
      if (c == '&') {
        if (!Reference(out)) return false;
        continue;
      }
      if (c == '\r' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '\n') ++pos_;
      out->push_back(c == '\t' || c == '\n' || c == '\r' ? ' ' : c);
      ++pos_;
    }
  }

  bool Element(int depth, XmlElement* out) {
    if (depth > limits_.max_depth) return Error("elements nested deeper than allowed");
    if (++elements_ > limits_.max_elements) return Error("more elements than allowed");
    ++pos_;  // '<'
    std::string_view name = Name();
    if (name.empty()) return Error("malformed element name");
    out->name = std::string(name);
    // Attributes, then '>' or '/>'.
    while (true) {
      size_t before = pos_;
      SkipSpace();
      if (pos_ >= s_.size()) return Error("unterminated start tag");
      if (Starts("/>")) {
        pos_ += 2;
        return true;
      }
      if (s_[pos_] == '>') {
        ++pos_;
        break;
      }
      if (pos_ == before) return Error("an attribute without whitespace before it");
      std::string_view attr = Name();
      if (attr.empty()) return Error("malformed attribute name");
      SkipSpace();
      if (pos_ >= s_.size() || s_[pos_] != '=') return Error("an attribute without a value");
      ++pos_;
      SkipSpace();
      if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'')) {
        return Error("an attribute value without quotes");
      }
      for (const auto& [n, v] : out->attributes) {
        if (n == attr) return Error("a repeated attribute");
      }
      std::string value;
      if (!AttributeValue(&value)) return false;
      out->attributes.emplace_back(std::string(attr), std::move(value));
    }
    // Content, up to the matching end tag.
    while (true) {
      if (pos_ >= s_.size()) return Error("unclosed element <" + out->name + ">");
      char c = s_[pos_];
      if (c == '<') {
        if (Starts("</")) {
          pos_ += 2;
          std::string_view end = Name();
          if (end != out->name) return Error("an end tag that does not match <" + out->name + ">");
          SkipSpace();
          if (pos_ >= s_.size() || s_[pos_] != '>') return Error("malformed end tag");
          ++pos_;
          return true;
        }
        if (Starts("<!--")) {
          if (!Comment()) return false;
        } else if (Starts("<![CDATA[")) {
          pos_ += 9;
          size_t end = s_.find("]]>", pos_);
          if (end == std::string_view::npos) return Error("unterminated CDATA section");
          AppendNormalized(s_.substr(pos_, end - pos_), &out->text);
          pos_ = end + 3;
        } else if (Starts("<?")) {
          if (!ProcessingInstruction()) return false;
        } else if (Starts("<!")) {
          return Error("a markup declaration inside an element");
        } else {
          out->children.emplace_back();
          if (!Element(depth + 1, &out->children.back())) return false;
        }
      } else if (c == '&') {
        if (!Reference(&out->text)) return false;
      } else {
        size_t end = s_.find_first_of("<&", pos_);
        if (end == std::string_view::npos) end = s_.size();
        std::string_view run = s_.substr(pos_, end - pos_);
        if (size_t bad = run.find("]]>"); bad != std::string_view::npos) {
          pos_ += bad;
          return Error("']]>' in text");
        }
        AppendNormalized(run, &out->text);
        pos_ = end;
      }
    }
  }

  // Text with CR LF and lone CR turned into LF.
  static void AppendNormalized(std::string_view run, std::string* out) {
    for (size_t i = 0; i < run.size(); ++i) {
      char c = run[i];
      if (c == '\r') {
        out->push_back('\n');
        if (i + 1 < run.size() && run[i + 1] == '\n') ++i;
      } else {
        out->push_back(c);
      }
    }
  }

  std::string_view s_;
  const XmlLimits& limits_;
  size_t pos_ = 0;
  size_t elements_ = 0;
  XmlError error_;
};

std::string_view LocalPart(std::string_view name) {
  size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

}  // namespace

std::string_view XmlElement::LocalName() const { return LocalPart(name); }

const XmlElement* XmlElement::FindChild(std::string_view local_name) const {
  for (const XmlElement& c : children) {
    if (c.LocalName() == local_name) return &c;
  }
  return nullptr;
}

const std::string* XmlElement::FindAttribute(std::string_view attr_name) const {
  for (const auto& [n, v] : attributes) {
    if (n == attr_name) return &v;
  }
  std::string_view local = LocalPart(attr_name);
  for (const auto& [n, v] : attributes) {
    if (LocalPart(n) == local && n.rfind("xmlns", 0) != 0) return &v;
  }
  return nullptr;
}

Result<XmlElement, XmlError> XmlReader::Parse(std::string_view text, const XmlLimits& limits) {
  return Parser(text, limits).Document();
}

}  // namespace sagetrail::aws
