#include "http/request_framing.h"

#include <limits>
#include <vector>

#include "common/strings.h"

namespace sagetrail::http {
namespace {

// RFC 9110 §5.6.2 tchar.
bool IsTokenChar(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

// Optional whitespace (RFC 9110 §5.6.3): spaces and horizontal tabs only.
std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

FramingDecision Reject(int status, std::string reason) {
  FramingDecision d;
  d.status = status;
  d.reason = std::move(reason);
  return d;
}

// One transfer coding of the list: its name, and whether it carried parameters.
struct Coding {
  std::string_view name;
  bool has_parameters = false;
};

FramingDecision DecideTransferEncoding(const std::vector<std::string_view>& lines) {
  std::vector<Coding> codings;
  for (std::string_view line : lines) {
    for (std::string_view element : Split(line, ',')) {
      element = TrimOws(element);
      Coding c;
      size_t semicolon = element.find(';');
      if (semicolon != std::string_view::npos) {
        c.has_parameters = true;
        element = TrimOws(element.substr(0, semicolon));
      }
      c.name = element;
      if (!IsToken(c.name)) {
        return Reject(400,
                      "The Transfer-Encoding header field holds an empty or malformed "
                      "transfer coding.");
      }
      codings.push_back(c);
    }
  }
  // At least one coding: a line with an empty value splits into one empty element, refused above.
  const Coding& last = codings.back();
  if (!EqualsIgnoreCase(last.name, "chunked") || last.has_parameters) {
    return Reject(400, "The final transfer coding of the request must be chunked.");
  }
  for (size_t i = 0; i + 1 < codings.size(); ++i) {
    if (EqualsIgnoreCase(codings[i].name, "chunked")) {
      return Reject(400, "The chunked transfer coding is applied more than once.");
    }
  }
  if (codings.size() > 1) {
    return Reject(501, "The transfer coding " + std::string(codings.front().name) +
                           " is not implemented; only chunked is.");
  }
  FramingDecision d;
  d.framing = BodyFraming::kChunked;
  return d;
}

FramingDecision DecideContentLength(const std::vector<std::string_view>& lines) {
  if (lines.size() > 1) {
    return Reject(400, "The Content-Length header field is given more than once.");
  }
  std::string_view value = TrimOws(lines.front());
  if (value.empty()) return Reject(400, "The Content-Length header field is empty.");
  uint64_t n = 0;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (char c : value) {
    if (c < '0' || c > '9') {
      return Reject(400, "The Content-Length header field is not a decimal number of bytes.");
    }
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (n > (kMax - digit) / 10)
      return Reject(400, "The Content-Length header field is too large.");
    n = n * 10 + digit;
  }
  FramingDecision d;
  d.framing = BodyFraming::kContentLength;
  d.content_length = n;
  return d;
}

}  // namespace

FramingDecision DecideRequestFraming(int http_version, std::span<const FieldView> fields) {
  std::vector<std::string_view> transfer_encoding;
  std::vector<std::string_view> content_length;
  for (const FieldView& f : fields) {
    if (EqualsIgnoreCase(f.name, "Transfer-Encoding")) {
      transfer_encoding.push_back(f.value);
    } else if (EqualsIgnoreCase(f.name, "Content-Length")) {
      content_length.push_back(f.value);
    }
  }
  if (!transfer_encoding.empty()) {
    if (http_version < 11) {
      return Reject(400, "Transfer-Encoding is not allowed in an HTTP/1.0 request.");
    }
    if (!content_length.empty()) {
      return Reject(400, "A request must not carry both Transfer-Encoding and Content-Length.");
    }
    return DecideTransferEncoding(transfer_encoding);
  }
  if (!content_length.empty()) return DecideContentLength(content_length);
  return FramingDecision{};
}

}  // namespace sagetrail::http
