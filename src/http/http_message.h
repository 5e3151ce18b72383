// Plain HTTP request/response values passed between the HTTP server and the AWS pipeline.
// Nothing here depends on Beast, so the rest of the server never sees it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sagetrail::http {

struct Header {
  std::string name;  // as received / as to be sent
  std::string value;
};

// Receives a request body that the server streams instead of holding it in Request::body (an S3
// object of up to 5 GiB), in bounded pieces, in order, on the connection's thread. The sink keeps
// its own verdict on what it was given (a malformed encoding, a full disk): the server only moves
// bytes, and dispatches the request once the body has been read whole.
class BodySink {
 public:
  virtual ~BodySink() = default;
  virtual void Append(std::string_view bytes) = 0;
  // The body has been read whole (not called when the connection failed first).
  virtual void Finish() = 0;
};

// Produces a response body that the server streams instead of holding it in Response::body.
// Read is called on the connection's thread until `size()` bytes were read.
class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual uint64_t size() const = 0;
  // Up to `max` next bytes into `out`; 0 means the source failed, and the connection is closed.
  virtual size_t Read(char* out, size_t max) = 0;
};

struct Request;
// Given a request's head (no body yet), the sink its body streams to, or nullptr to hold the body
// in Request::body.
using BodyStreamer = std::function<std::shared_ptr<BodySink>(const Request& head)>;

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request-target, e.g. "/path?x=1"
  std::vector<Header> headers;
  std::string body;
  // Set instead of `body` when the body was streamed to a sink (see BodySink).
  std::shared_ptr<BodySink> streamed_body;
  // The hex SHA-256 of a streamed body as received (after any transfer coding), set by whoever
  // consumed it, for the signature check.
  std::optional<std::string> streamed_sha256;
  std::string remote_ip;
  uint16_t remote_port = 0;

  // Path and query parts of `target`, still percent-encoded.
  std::string_view path() const;
  std::string_view query() const;
  // First header with this name (ASCII case-insensitive), or nullptr.
  const std::string* FindHeader(std::string_view name) const;
  std::string_view HeaderOr(std::string_view name, std::string_view fallback = {}) const;
};

struct Response {
  int status = 200;
  std::vector<Header> headers;
  std::string body;
  // Set instead of `body` for a body streamed from a source (Content-Length: its size).
  std::shared_ptr<BodySource> body_source;
  bool close = false;  // close the connection after sending

  void SetHeader(std::string name, std::string value);
  const std::string* FindHeader(std::string_view name) const;
};

}  // namespace sagetrail::http
