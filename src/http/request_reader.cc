#include "http/request_reader.h"

#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <cstdint>
#include <vector>

#include "http/request_framing.h"

namespace sagetrail::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;

// The fields of a Beast message as received, in order.
template <class Message>
void CopyHead(const Message& msg, Request& out) {
  out.method = std::string(msg.method_string());
  out.target = std::string(msg.target());
  out.headers.reserve(12);
  for (const auto& f : msg) {
    out.headers.push_back({std::string(f.name_string()), std::string(f.value())});
  }
}

}  // namespace

RequestReader::RequestReader(size_t header_limit, size_t body_limit, Streamer streamer,
                             uint64_t streamed_body_limit)
    : header_limit_(header_limit),
      body_limit_(body_limit),
      streamer_(std::move(streamer)),
      streamed_body_limit_(std::max<uint64_t>(streamed_body_limit, body_limit)),
      check_chunk_extensions_(
          [](std::uint64_t, beast::string_view extensions, boost::system::error_code& ec) {
            // RFC 9112 §7.1.1: no CTL but HTAB is allowed anywhere in chunk extensions, quoted
            // or not.
            for (char c : extensions) {
              auto u = static_cast<unsigned char>(c);
              if ((u < 0x20 && c != '\t') || u == 0x7f) {
                ec = bhttp::error::bad_chunk_extension;
                return;
              }
            }
          }) {}

RequestReader::Parser* RequestReader::Next() {
  if (refused_ || closed_ || !keep_alive_) return nullptr;
  parser_.emplace();
  stream_parser_.reset();
  sink_.reset();
  parser_->header_limit(static_cast<uint32_t>(header_limit_));
  // A body that may stream is allowed its own limit until the head says whether it streams.
  parser_->body_limit(streamer_ ? streamed_body_limit_ : body_limit_);
  parser_->on_chunk_header(check_chunk_extensions_);
  head_ = Request{};
  expects_continue_ = false;
  return &*parser_;
}

std::optional<ReadRejection> RequestReader::OnHeader() {
  const auto& msg = parser_->get();
  // The body's framing is decided before any body byte is read or a 100 Continue is sent.
  std::vector<FieldView> fields;
  fields.reserve(16);
  for (const auto& f : msg) fields.push_back({f.name_string(), f.value()});
  FramingDecision framing = DecideRequestFraming(static_cast<int>(msg.version()), fields);
  if (!framing.ok()) return Refuse(framing.status, std::move(framing.reason));
  auto length = parser_->content_length();
  bool agrees = false;
  switch (framing.framing) {
    case BodyFraming::kNone:
      agrees = !parser_->chunked() && !length && parser_->is_done();
      break;
    case BodyFraming::kContentLength:
      agrees = !parser_->chunked() && length && *length == framing.content_length;
      break;
    case BodyFraming::kChunked:
      agrees = parser_->chunked() && !length;
      break;
  }
  if (!agrees) {
    // Defence in depth: should the parser ever frame the body differently from the decision
    // above, the body boundary is in doubt and the request is refused.
    return Refuse(400, "The framing of the request body is ambiguous.");
  }
  // RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host field (1.0 may have none).
  size_t hosts = 0;
  for (const FieldView& f : fields) hosts += beast::iequals(f.name, "host") ? 1 : 0;
  if (hosts > 1) return Refuse(400, "The request has more than one Host header.");
  if (hosts == 0 && msg.version() >= 11) return Refuse(400, "The request has no Host header.");
  // The head as received. Taken now so that trailer fields of a chunked body, which the parser
  // adds to the same field list, never reach the handler (RFC 9110 §6.5.1 lets a recipient
  // discard them; merging them could add fields the signature did not cover).
  keep_alive_ = msg.keep_alive();
  CopyHead(msg, head_);
  expects_continue_ = beast::iequals(msg[bhttp::field::expect], "100-continue");
  if (streamer_) {
    if (auto sink = streamer_(head_); sink != nullptr && !parser_->is_done()) {
      sink_ = std::move(sink);
      stream_parser_.emplace(std::move(*parser_));
      parser_.reset();
      stream_parser_->on_chunk_header(check_chunk_extensions_);
      return std::nullopt;
    }
    // Held in memory: the ordinary limit, before any body byte is parsed.
    if (length && *length > body_limit_) {
      return Refuse(413, "The request body exceeds the maximum size of " +
                             std::to_string(body_limit_) + " bytes.");
    }
    parser_->body_limit(body_limit_);
  }
  return std::nullopt;
}

Request RequestReader::TakeRequest() {
  if (stream_parser_) {
    stream_parser_.reset();
    Request request = std::move(head_);
    head_ = Request{};
    request.streamed_body = std::move(sink_);
    return request;
  }
  auto msg = parser_->release();
  parser_.reset();
  Request request = std::move(head_);
  head_ = Request{};
  request.body = std::move(msg.body());
  return request;
}

std::optional<ReadRejection> RequestReader::OnReadError(const boost::system::error_code& ec) {
  closed_ = true;
  if (ec == bhttp::error::end_of_stream || ec == net::error::eof || ec == beast::error::timeout ||
      ec == net::error::operation_aborted || ec == net::error::connection_reset ||
      ec == bhttp::error::partial_message) {
    return std::nullopt;
  }
  if (ec == bhttp::error::body_limit) {
    // Before the head was accepted, the parser held the larger limit of a body that may stream.
    bool streamed_limit = stream_parser_ || (streamer_ && head_.method.empty());
    uint64_t limit = streamed_limit ? streamed_body_limit_ : body_limit_;
    return Refuse(
        413, "The request body exceeds the maximum size of " + std::to_string(limit) + " bytes.");
  }
  if (ec == bhttp::error::header_limit) {
    return Refuse(431, "The request header exceeds the maximum size of " +
                           std::to_string(header_limit_) + " bytes.");
  }
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) {
    return Refuse(400, "Malformed HTTP request: " + ec.message());
  }
  return std::nullopt;  // a socket error: the connection is gone
}

Request RequestReader::Partial() const {
  Request partial;
  // Whatever the parser got so far, even when it failed inside the header (a Content-Length
  // above the body limit fails there): the formatter may need the target or X-Amz-Target.
  if (parser_) CopyHead(parser_->get(), partial);
  if (stream_parser_) CopyHead(stream_parser_->get(), partial);
  return partial;
}

std::optional<ReadRejection> RequestReader::Refuse(int status, std::string reason) {
  refused_ = true;
  return ReadRejection{status, std::move(reason)};
}

}  // namespace sagetrail::http
