#include "s3/s3_xml.h"

#include <cstdint>
#include <utility>

namespace sagetrail::s3 {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view LocalName(std::string_view qualified) {
  size_t colon = qualified.rfind(':');
  return colon == std::string_view::npos ? qualified : qualified.substr(colon + 1);
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

// The character a reference between '&' and ';' stands for; false when it is not one we know
// (then it is kept literally).
bool DecodeReference(std::string_view ref, std::string* out) {
  if (ref == "lt") return out->push_back('<'), true;
  if (ref == "gt") return out->push_back('>'), true;
  if (ref == "amp") return out->push_back('&'), true;
  if (ref == "quot") return out->push_back('"'), true;
  if (ref == "apos") return out->push_back('\''), true;
  if (ref.size() < 2 || ref[0] != '#') return false;
  bool hex = ref[1] == 'x' || ref[1] == 'X';
  std::string_view digits = ref.substr(hex ? 2 : 1);
  if (digits.empty() || digits.size() > 8) return false;
  uint32_t cp = 0;
  for (char c : digits) {
    uint32_t d;
    if (c >= '0' && c <= '9') {
      d = static_cast<uint32_t>(c - '0');
    } else if (hex && c >= 'a' && c <= 'f') {
      d = static_cast<uint32_t>(c - 'a' + 10);
    } else if (hex && c >= 'A' && c <= 'F') {
      d = static_cast<uint32_t>(c - 'A' + 10);
    } else {
      return false;
    }
    cp = cp * (hex ? 16 : 10) + d;
  }
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  AppendUtf8(cp, out);
  return true;
}

void AppendDecoded(std::string_view text, std::string* out) {
  size_t i = 0;
  while (i < text.size()) {
    size_t amp = text.find('&', i);
    if (amp == std::string_view::npos) {
      out->append(text.substr(i));
      return;
    }
    out->append(text.substr(i, amp - i));
    size_t semi = text.find(';', amp + 1);
    if (semi != std::string_view::npos && semi - amp <= 12 &&
        DecodeReference(text.substr(amp + 1, semi - amp - 1), out)) {
      i = semi + 1;
    } else {
      out->push_back('&');
      i = amp + 1;
    }
  }
}

class Parser {
 public:
  explicit Parser(std::string_view xml) : xml_(xml) {}

  std::optional<XmlElement> Run() {
    size_t i = 0;
    while (i < xml_.size() && !root_) {
      if (xml_[i] != '<') {
        size_t lt = xml_.find('<', i);
        if (lt == std::string_view::npos) lt = xml_.size();
        if (!open_.empty()) AppendDecoded(xml_.substr(i, lt - i), &open_.back().text);
        i = lt;
        continue;
      }
      std::string_view rest = xml_.substr(i);
      if (rest.starts_with("<!--")) {
        i = Skip(i, "-->");
      } else if (rest.starts_with("<![CDATA[")) {
        size_t end = xml_.find("]]>", i + 9);
        size_t stop = end == std::string_view::npos ? xml_.size() : end;
        if (!open_.empty()) open_.back().text.append(xml_.substr(i + 9, stop - i - 9));
        i = end == std::string_view::npos ? xml_.size() : end + 3;
      } else if (rest.starts_with("<?")) {
        i = Skip(i, "?>");
      } else if (rest.starts_with("<!")) {
        i = Skip(i, ">");
      } else if (rest.starts_with("</")) {
        size_t gt = xml_.find('>', i);
        if (gt == std::string_view::npos) break;
        std::string_view name = xml_.substr(i + 2, gt - i - 2);
        while (!name.empty() && IsBlank(name.back())) name.remove_suffix(1);
        Close(LocalName(name));
        i = gt + 1;
      } else {
        size_t end = TagEnd(i);
        if (end == std::string_view::npos) break;
        size_t name_end = i + 1;
        while (name_end < end && !IsBlank(xml_[name_end]) && xml_[name_end] != '/') ++name_end;
        bool self_closing = xml_[end - 1] == '/';
        if (open_.size() >= kMaxXmlDepth) return std::nullopt;
        XmlElement element;
        element.name = std::string(LocalName(xml_.substr(i + 1, name_end - i - 1)));
        open_.push_back(std::move(element));
        if (self_closing) PopOne();
        i = end + 1;
      }
    }
    while (!open_.empty() && !root_) PopOne();
    return std::move(root_);
  }

 private:
  size_t Skip(size_t from, std::string_view terminator) const {
    size_t end = xml_.find(terminator, from + 2);
    return end == std::string_view::npos ? xml_.size() : end + terminator.size();
  }

  // The position of the '>' ending the start tag at `from`, quoted attribute values skipped.
  size_t TagEnd(size_t from) const {
    char quote = 0;
    for (size_t j = from + 1; j < xml_.size(); ++j) {
      char c = xml_[j];
      if (quote) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '>') {
        return j;
      }
    }
    return std::string_view::npos;
  }

  void PopOne() {
    XmlElement done = std::move(open_.back());
    open_.pop_back();
    if (open_.empty()) {
      root_ = std::move(done);
    } else {
      open_.back().children.push_back(std::move(done));
    }
  }

  // Closes the innermost open element named `name` and any unclosed ones inside it.
  void Close(std::string_view name) {
    for (size_t j = open_.size(); j-- > 0;) {
      if (open_[j].name == name) {
        while (open_.size() > j) PopOne();
        return;
      }
    }
  }

  std::string_view xml_;
  std::vector<XmlElement> open_;
  std::optional<XmlElement> root_;
};

}  // namespace

const XmlElement* XmlElement::Child(std::string_view child_name) const {
  for (const XmlElement& c : children) {
    if (c.name == child_name) return &c;
  }
  return nullptr;
}

std::string XmlElement::ChildText(std::string_view child_name) const {
  const XmlElement* c = Child(child_name);
  return c ? c->text : std::string();
}

std::vector<const XmlElement*> XmlElement::Children(std::string_view child_name) const {
  std::vector<const XmlElement*> out;
  for (const XmlElement& c : children) {
    if (c.name == child_name) out.push_back(&c);
  }
  return out;
}

std::optional<XmlElement> ParseXml(std::string_view xml) { return Parser(xml).Run(); }

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

}  // namespace sagetrail::s3
