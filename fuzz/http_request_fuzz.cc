// Fuzz target: the server's reading of requests from a connection's bytes, the path every byte
// from the network takes first: Boost.Beast's request parser (request line, fields, obs-fold,
// Content-Length, chunked bodies with extensions and trailers, the header and body limits),
// driven by RequestReader (the framing decision, DecideRequestFraming, and the parser's
// agreement with it, the head kept before trailers, the refusals and when the connection ends),
// exactly as the server's Session drives them, but with Beast's synchronous reads on the bytes in
// memory instead of its asynchronous reads on a socket (Beast implements both with the same
// loop). Several pipelined requests are read as the server reads them: one after another on the
// same buffer while the connection stays open.
//
// Input: the bytes a client sends on one connection, then one flags byte (the input's last byte):
//   bits 0-1  header limit: 64 KiB (the server's default), 1 KiB, 256, 64 bytes
//   bits 2-3  body limit: 8 MiB (the server's default), 1 KiB, 16, 0 bytes
//   bits 4-7  how the bytes arrive on the second reading: 0 two bytes at a time, else in pieces
//             of pseudo-random sizes (2 to 8 times this value) seeded by it; never one byte
//             alone (see MemoryStream)
//
// Own checks, besides the sanitizers:
// - The connection is read twice, all bytes at once and in small pieces: both readings give the
//   same requests with the same byte boundaries, and end the same way, except where Beast itself
//   depends on how the bytes arrive (both found by this target, both left as they are):
//   - Once a read has left a head incomplete, Beast parses it again only when the end of a head
//     (CRLF CRLF) is in the buffer. So a malformed head without that end (bare LF line ends,
//     say), refused as malformed when it comes in one read, is refused only at the header limit
//     (431) or not at all (the peer's end of stream or the idle timeout closes the connection)
//     when it comes in pieces.
//   - A chunk header whose extension runs on to the end of the bytes so far (a quoted string
//     over a line end, say) is parsed again when more come, and each time its chunk size is
//     charged against the body limit. So such a malformed chunk, closed at the end of stream or
//     refused as malformed when it comes in one read, may be refused with 413 when it comes in
//     pieces.
//   - The header limit is not exact: when the request line comes in the same read as what
//     follows, Beast allows the limit to the request line and the limit again to the fields;
//     when it does not, the limit is for the whole head. So a head longer than the limit may be
//     read in one reading and refused with 431 in the other.
//   Either way the reading that refuses or closes reads no request from those bytes, and
//   whatever either reading accepts passes the checks below.
// - Each accepted request, read again from its own bytes by a strict reference reader written
//   here (request line, CRLF-terminated field lines, obs-fold joined by one space): the same
//   method, target and fields (in Beast's order, which keeps a repeated name's lines together);
//   never both Transfer-Encoding and Content-Length; Transfer-Encoding only as exactly "chunked" in
//   HTTP/1.1 or later; at most one Content-Length, all digits; the bytes the request took are its
//   head plus exactly what the framing says (Content-Length bytes, a complete chunked body up to
//   the end of its trailer section, or nothing), and the body is those bytes (decoded, for
//   chunked).
// - After a refusal, or a request that does not keep the connection alive, the reader reads no
//   further request; a refusal is 400, 413, 431 or 501 with a reason.
// - Each accepted request written again in canonical form (its fields without Transfer-Encoding
//   and Content-Length, then Content-Length of its body) is read back as one request with the
//   same method, target, fields and body, taking all of those bytes.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/strings.h"
#include "fuzz_support.h"
#include "http/http_message.h"
#include "http/request_reader.h"

namespace sagetrail::fuzz {
namespace {

namespace bhttp = boost::beast::http;
using http::Header;
using http::Request;

constexpr size_t kHeaderLimits[] = {64 * 1024, 1024, 256, 64};
constexpr size_t kBodyLimits[] = {8 * 1024 * 1024, 1024, 16, 0};

// A client's bytes as a SyncReadStream: each read_some hands over at most the next piece size
// (cycling through `pieces`; empty: everything at once), then end of stream.
//
// A piece is never a single byte (unless the input is), and never leaves a single byte for the
// last one. Boost 1.81's Beast asserts `n >= 5` in parse_chunk_header when a chunked body starts
// with its last chunk, "0" CRLF, and the next read brings exactly one byte (boostorg/beast#2861,
// fixed in later Boost releases). The assertion is wrong, not the code after it: a build with
// NDEBUG, as the server's release builds are, reads such a body correctly. This debug build has
// assertions on, so the fuzzer would find that one every few seconds and nothing else.
class MemoryStream {
 public:
  MemoryStream(std::string_view bytes, const std::vector<size_t>& pieces)
      : bytes_(bytes), pieces_(pieces) {}

  size_t position() const { return position_; }

  template <class MutableBufferSequence>
  size_t read_some(const MutableBufferSequence& buffers, boost::system::error_code& ec) {
    if (position_ == bytes_.size()) {
      ec = boost::asio::error::eof;
      return 0;
    }
    ec = {};
    const size_t left = bytes_.size() - position_;
    size_t piece = left;
    if (!pieces_.empty()) {
      piece = std::max<size_t>(2, pieces_[next_piece_++ % pieces_.size()]);
      if (piece + 1 >= left) piece = left;
    }
    size_t n =
        boost::asio::buffer_copy(buffers, boost::asio::buffer(bytes_.data() + position_, piece));
    position_ += n;
    return n;
  }

  template <class MutableBufferSequence>
  size_t read_some(const MutableBufferSequence& buffers) {
    boost::system::error_code ec;
    size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

 private:
  std::string_view bytes_;
  const std::vector<size_t>& pieces_;
  size_t position_ = 0;
  size_t next_piece_ = 0;
};

// What the server does with one request of the connection.
struct Event {
  enum Kind { kRequest, kRefused, kClosed };
  Kind kind = kClosed;
  Request request;  // kRequest: as the handler gets it; kRefused: what the formatter gets
  int status = 0;   // kRefused
  std::string reason;
  bool expects_continue = false;
  bool keep_alive = false;
  size_t begin = 0;  // kRequest: the connection's bytes it took
  size_t end = 0;
};

bool SameRequest(const Request& a, const Request& b) {
  if (a.method != b.method || a.target != b.target || a.body != b.body) return false;
  if (a.headers.size() != b.headers.size()) return false;
  for (size_t i = 0; i < a.headers.size(); ++i) {
    if (a.headers[i].name != b.headers[i].name || a.headers[i].value != b.headers[i].value) {
      return false;
    }
  }
  return true;
}

bool SameEvent(const Event& a, const Event& b) {
  return a.kind == b.kind && SameRequest(a.request, b.request) && a.status == b.status &&
         a.reason == b.reason && a.expects_continue == b.expects_continue &&
         a.keep_alive == b.keep_alive && a.begin == b.begin && a.end == b.end;
}

// Reads the connection the way Session does (ReadHeader, OnHeader, ReadBody, Dispatch, then the
// next request while the connection stays open; OnReadError and Reject on the way).
std::vector<Event> ReadConnection(std::string_view bytes, const std::vector<size_t>& pieces,
                                  size_t header_limit, size_t body_limit) {
  MemoryStream stream(bytes, pieces);
  boost::beast::flat_buffer buffer;
  http::RequestReader reader(header_limit, body_limit);
  std::vector<Event> events;
  size_t begin = 0;
  auto refused = [&](const http::ReadRejection& rejection) {
    Event e;
    e.kind = Event::kRefused;
    e.request = reader.Partial();
    e.status = rejection.status;
    e.reason = rejection.reason;
    events.push_back(std::move(e));
  };
  while (http::RequestReader::Parser* parser = reader.Next()) {
    boost::system::error_code ec;
    bhttp::read_header(stream, buffer, *parser, ec);
    if (!ec) {
      if (auto rejection = reader.OnHeader()) {
        refused(*rejection);
        break;
      }
      if (!reader.parser().is_done()) bhttp::read(stream, buffer, reader.parser(), ec);
    }
    if (ec) {
      if (auto rejection = reader.OnReadError(ec)) {
        refused(*rejection);
      } else {
        events.push_back(Event{});  // kClosed
      }
      break;
    }
    Event e;
    e.kind = Event::kRequest;
    e.expects_continue = reader.expects_continue();
    e.keep_alive = reader.keep_alive();
    e.request = reader.TakeRequest();
    e.begin = begin;
    e.end = stream.position() - buffer.size();
    begin = e.end;
    events.push_back(std::move(e));
  }
  Check(reader.Next() == nullptr, "the reader reads on after the connection ended");
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    Check(events[i].kind == Event::kRequest && events[i].keep_alive,
          "a request was read after a refusal or the end of the connection");
  }
  return events;
}

// --- The reference reader: strict and simple, independent of Beast and of request_framing.cc.

bool IsOws(char c) { return c == ' ' || c == '\t'; }

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && IsOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsOws(s.back())) s.remove_suffix(1);
  return s;
}

struct ReferenceHead {
  std::string method;
  std::string target;
  int version = 0;  // major * 10 + minor
  std::vector<Header> fields;
  size_t size = 0;  // bytes of the head, its final empty line included
};

// request-line CRLF *( field-line CRLF ) CRLF. A line starting with SP or HTAB continues the
// previous field (obs-fold): its trimmed text, if any, is appended after one space.
std::optional<ReferenceHead> ReadHeadReference(std::string_view raw) {
  size_t end = raw.find("\r\n\r\n");
  if (end == std::string_view::npos) return std::nullopt;
  ReferenceHead head;
  head.size = end + 4;
  std::string_view text = raw.substr(0, end + 2);
  size_t line_end = text.find("\r\n");
  std::string_view request_line = text.substr(0, line_end);
  size_t sp1 = request_line.find(' ');
  size_t sp2 = request_line.rfind(' ');
  if (sp1 == std::string_view::npos || sp1 == sp2) return std::nullopt;
  head.method = std::string(request_line.substr(0, sp1));
  head.target = std::string(request_line.substr(sp1 + 1, sp2 - sp1 - 1));
  std::string_view version = request_line.substr(sp2 + 1);
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.') {
    return std::nullopt;
  }
  if (version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9') {
    return std::nullopt;
  }
  head.version = (version[5] - '0') * 10 + (version[7] - '0');
  text.remove_prefix(line_end + 2);
  while (!text.empty()) {
    line_end = text.find("\r\n");
    std::string_view line = text.substr(0, line_end);
    text.remove_prefix(line_end + 2);
    if (line.find('\n') != std::string_view::npos || line.find('\r') != std::string_view::npos) {
      return std::nullopt;  // a bare CR or LF
    }
    if (!line.empty() && IsOws(line.front())) {
      if (head.fields.empty()) return std::nullopt;
      std::string_view part = TrimOws(line);
      std::string& value = head.fields.back().value;
      if (!part.empty()) value += (value.empty() ? "" : " ") + std::string(part);
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    head.fields.push_back(
        {std::string(line.substr(0, colon)), std::string(TrimOws(line.substr(colon + 1)))});
  }
  return head;
}

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// chunked-body = *chunk last-chunk trailer-section CRLF; each size line is 1*HEXDIG, then
// nothing or chunk extensions (";" after optional blanks), then CRLF. True when `raw` is exactly
// one chunked body; its data is appended to `decoded`.
bool DecodeChunkedReference(std::string_view raw, std::string& decoded) {
  size_t pos = 0;
  for (;;) {
    size_t line_end = raw.find("\r\n", pos);
    if (line_end == std::string_view::npos) return false;
    std::string_view line = raw.substr(pos, line_end - pos);
    pos = line_end + 2;
    if (line.find('\n') != std::string_view::npos || line.find('\r') != std::string_view::npos) {
      return false;
    }
    size_t digits = 0;
    uint64_t size = 0;
    while (digits < line.size() && IsHexDigit(line[digits])) {
      if (size >> 60) return false;  // overflow
      char c = line[digits];
      size = size * 16 + static_cast<uint64_t>(c <= '9'   ? c - '0'
                                               : c <= 'F' ? c - 'A' + 10
                                                          : c - 'a' + 10);
      ++digits;
    }
    if (digits == 0) return false;
    std::string_view rest = TrimOws(line.substr(digits));
    if (!rest.empty() && rest.front() != ';') return false;
    if (size == 0) break;
    if (raw.size() - pos < size) return false;
    decoded.append(raw.substr(pos, size));
    pos += size;
    if (raw.substr(pos, 2) != "\r\n") return false;
    pos += 2;
  }
  // The trailer section: field lines up to an empty line, which must end the body.
  for (;;) {
    size_t line_end = raw.find("\r\n", pos);
    if (line_end == std::string_view::npos) return false;
    std::string_view line = raw.substr(pos, line_end - pos);
    pos = line_end + 2;
    if (line.empty()) break;
    if (line.find('\n') != std::string_view::npos || line.find('\r') != std::string_view::npos) {
      return false;
    }
  }
  return pos == raw.size();
}

bool IsFramingField(std::string_view name) {
  return EqualsIgnoreCase(name, "Transfer-Encoding") || EqualsIgnoreCase(name, "Content-Length");
}

// The order in which Beast lists fields received in `received` order: a field whose name (in any
// case) came before goes right after the last field of that name, the others at the end. The
// server hands the fields to the handler in this order; no consumer depends on the order of
// fields with different names (SigV4 sorts them), only on the order within one name, which is
// kept.
std::vector<Header> InBeastOrder(const std::vector<Header>& received) {
  std::vector<Header> out;
  out.reserve(received.size());
  for (const Header& h : received) {
    auto same = std::find_if(out.rbegin(), out.rend(),
                             [&](const Header& o) { return EqualsIgnoreCase(o.name, h.name); });
    out.insert(same == out.rend() ? out.end() : same.base(), h);
  }
  return out;
}

// Checks one accepted request against the reference reading of the bytes it took.
void CheckAgainstReference(const Event& e, std::string_view raw) {
  std::optional<ReferenceHead> head = ReadHeadReference(raw);
  Check(head.has_value(), "an accepted request has no well-formed head");
  const Request& r = e.request;
  Check(r.method == head->method && r.target == head->target, "request line read differently");
  const std::vector<Header> fields = InBeastOrder(head->fields);
  Check(r.headers.size() == fields.size(), "a different number of fields");
  for (size_t i = 0; i < r.headers.size(); ++i) {
    Check(r.headers[i].name == fields[i].name, "a field name read differently");
    Check(r.headers[i].value == fields[i].value, "a field value read differently");
  }

  std::vector<std::string_view> te;
  std::vector<std::string_view> cl;
  for (const Header& h : r.headers) {
    if (EqualsIgnoreCase(h.name, "Transfer-Encoding")) te.push_back(h.value);
    if (EqualsIgnoreCase(h.name, "Content-Length")) cl.push_back(h.value);
  }
  Check(te.empty() || cl.empty(), "accepted Transfer-Encoding together with Content-Length");
  std::string_view body_bytes = raw.substr(head->size);
  if (!te.empty()) {
    Check(head->version >= 11, "accepted Transfer-Encoding before HTTP/1.1");
    Check(te.size() == 1, "accepted Transfer-Encoding given on several lines");
    std::vector<std::string_view> codings = Split(te.front(), ',');
    Check(codings.size() == 1 && EqualsIgnoreCase(TrimOws(codings.front()), "chunked"),
          "accepted a Transfer-Encoding other than exactly chunked");
    std::string decoded;
    Check(DecodeChunkedReference(body_bytes, decoded),
          "the bytes of a chunked request are not exactly one chunked body");
    Check(decoded == r.body, "a chunked body decoded differently");
  } else if (!cl.empty()) {
    Check(cl.size() == 1, "accepted more than one Content-Length");
    std::string_view value = TrimOws(cl.front());
    Check(!value.empty() && value.find_first_not_of("0123456789") == std::string_view::npos,
          "accepted a Content-Length that is not a decimal number");
    uint64_t n = 0;
    for (char c : value) {
      Check(n <= (UINT64_MAX - 9) / 10, "accepted a Content-Length beyond 64 bits");
      n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    Check(body_bytes.size() == n, "the request took other than Content-Length body bytes");
    Check(r.body == body_bytes, "the body is not the bytes after the head");
  } else {
    Check(body_bytes.empty() && r.body.empty(), "a request without framing fields has a body");
  }
  if (e.expects_continue) {
    Check(EqualsIgnoreCase(r.HeaderOr("Expect"), "100-continue"), "100 Continue without asking");
  }

  // Written again in canonical form, it reads back as itself.
  std::string canonical = r.method + " " + r.target + " HTTP/" +
                          std::to_string(head->version / 10) + "." +
                          std::to_string(head->version % 10) + "\r\n";
  Request expected;
  expected.method = r.method;
  expected.target = r.target;
  expected.body = r.body;
  for (const Header& h : r.headers) {
    if (IsFramingField(h.name)) continue;
    canonical += h.name + ": " + h.value + "\r\n";
    expected.headers.push_back(h);
  }
  canonical += "Content-Length: " + std::to_string(r.body.size()) + "\r\n\r\n" + r.body;
  expected.headers.push_back({"Content-Length", std::to_string(r.body.size())});
  std::vector<Event> again =
      ReadConnection(canonical, {}, 1024 * 1024, std::max<size_t>(r.body.size(), 1024));
  Check(!again.empty() && again.front().kind == Event::kRequest,
        "a request in canonical form is not accepted");
  Check(SameRequest(again.front().request, expected),
        "a request in canonical form reads back differently");
  Check(again.front().end == canonical.size(), "a request in canonical form leaves bytes over");
  Check(again.size() == 1 || (again.size() == 2 && again.back().kind == Event::kClosed),
        "the end of a canonical request is not the end of the connection");
}

// The checks of one event of a reading of `bytes`.
void CheckEvent(const Event& e, std::string_view bytes) {
  switch (e.kind) {
    case Event::kRequest:
      Check(e.end > e.begin && e.end <= bytes.size(), "a request took no bytes");
      CheckAgainstReference(e, std::string_view(bytes).substr(e.begin, e.end - e.begin));
      break;
    case Event::kRefused:
      Check(e.status == 400 || e.status == 413 || e.status == 431 || e.status == 501,
            "a refusal with an unexpected status");
      Check(!e.reason.empty(), "a refusal without a reason");
      break;
    case Event::kClosed:
      break;
  }
}

// Where the two readings of a connection may differ (see the top of this file): from the first
// event where they do, nothing is compared any more.
void CompareReadings(const std::vector<Event>& whole, const std::vector<Event>& split,
                     std::string_view bytes, size_t header_limit) {
  for (size_t i = 0; i < whole.size() && i < split.size(); ++i) {
    if (SameEvent(whole[i], split[i])) continue;
    const Event& w = whole[i];
    const Event& p = split[i];
    // Neither reading takes a request here: refused in one read but closed when read in pieces,
    // or one of them refused at a limit.
    auto at_limit = [](const Event& e) {
      return e.kind == Event::kRefused && (e.status == 413 || e.status == 431);
    };
    const bool refused_differently =
        w.kind != Event::kRequest && p.kind != Event::kRequest &&
        ((w.kind == Event::kRefused && p.kind == Event::kClosed) || at_limit(w) || at_limit(p));
    // One reading refused a head longer than the limit that the other read further. A head whose
    // end never came is longer than the bytes that did.
    const size_t begin = i == 0 ? 0 : whole[i - 1].end;
    const size_t head_end = bytes.find("\r\n\r\n", begin);
    const size_t head_size =
        head_end == std::string_view::npos ? bytes.size() - begin + 1 : head_end + 4 - begin;
    const bool header_limit_inexact =
        (w.status == 431 || p.status == 431) && head_size > header_limit;
    Check(refused_differently || header_limit_inexact, "reading in pieces gives another result");
    // What the reading in pieces accepted from here on is checked as the other reading's is.
    for (size_t j = i; j < split.size(); ++j) CheckEvent(split[j], bytes);
    return;
  }
  Check(whole.size() == split.size(), "reading in pieces gives another number of requests");
}

std::vector<size_t> Pieces(uint8_t split) {
  if (split == 0) return {2};
  std::vector<size_t> pieces;
  uint32_t x = split * 2654435761u;
  for (int i = 0; i < 61; ++i) {
    x = x * 1664525u + 1013904223u;
    pieces.push_back(1 + (x >> 8) % (8u * split));
  }
  return pieces;
}

}  // namespace
}  // namespace sagetrail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sagetrail;
  using namespace sagetrail::fuzz;

  FuzzedDataProvider fdp(data, size);
  const uint8_t flags = fdp.ConsumeIntegral<uint8_t>();
  const std::string bytes = fdp.ConsumeRemainingBytesAsString();
  const size_t header_limit = kHeaderLimits[flags & 3];
  const size_t body_limit = kBodyLimits[(flags >> 2) & 3];

  std::vector<Event> events = ReadConnection(bytes, {}, header_limit, body_limit);
  std::vector<Event> split = ReadConnection(bytes, Pieces(flags >> 4), header_limit, body_limit);
  CompareReadings(events, split, bytes, header_limit);
  for (const Event& e : events) CheckEvent(e, bytes);
  return 0;
}
