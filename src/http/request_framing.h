// DecideRequestFraming: how the body of a request is delimited, decided from its head alone
// (RFC 9112 §6), before any body byte is read. A request whose framing is ambiguous or not
// understood is rejected, and the server then closes the connection: if two parties could read
// the body boundary differently, a body could be taken for the next request (request
// smuggling).
//
// Choices, where the RFCs allow more than one:
// - Transfer-Encoding: every field line is combined into one list (RFC 9110 §5.3). The final
//   coding must be `chunked` (case-insensitive, without parameters), else 400 (RFC 9112 §6.3:
//   the length cannot be determined). `chunked` appearing anywhere else is 400 (RFC 9112 §7: it
//   is applied at most once). Any other coding before a final `chunked` is 501 (RFC 9112 §6.1,
//   a coding we do not implement; `identity` is no longer a registered coding). An empty list
//   element, or one that is not a token, is 400 (stricter than RFC 9110 §5.6.1 allows: framing
//   fields are where leniency hurts).
// - Transfer-Encoding in an HTTP/1.0 request is 400 (RFC 9112 §6.1 says the framing is then
//   faulty; we refuse it instead of guessing).
// - Transfer-Encoding together with Content-Length is 400 (RFC 9112 §6.3 allows treating it as
//   an error, and it is the classic smuggling request).
// - Content-Length must be exactly one field line holding 1*DIGIT that fits in 64 bits: a list
//   (`5,5`), a repeated line even with the same value, a sign, inner spaces, hex or an overflow
//   is 400 (RFC 9110 §8.6 allows accepting identical duplicates; refusing them is safer).
//   Leading and trailing whitespace is not part of a field value and is ignored.
// - Neither field: the request has no body (RFC 9112 §6.3, rule 7), whatever the method.
//
// Pure and thread-safe. Whether a Content-Length is too large for the server is not decided
// here.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace sagetrail::http {

enum class BodyFraming { kNone, kContentLength, kChunked };

// One header field line as received; the view must outlive the call only.
struct FieldView {
  std::string_view name;
  std::string_view value;
};

struct FramingDecision {
  bool ok() const { return status == 0; }

  BodyFraming framing = BodyFraming::kNone;
  uint64_t content_length = 0;  // for kContentLength
  int status = 0;               // 0 when accepted, else the status to answer with (400, 501)
  std::string reason;           // why it was rejected, for the error message
};

// `http_version` as major * 10 + minor (10 for HTTP/1.0, 11 for HTTP/1.1); `fields` are all the
// header field lines of the request in the order received (fields other than Content-Length
// and Transfer-Encoding are ignored).
FramingDecision DecideRequestFraming(int http_version, std::span<const FieldView> fields);

}  // namespace sagetrail::http
