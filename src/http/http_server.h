// HttpServer: an HTTP/1.1 server on Boost.Beast/Asio. Keep-alive, in-order handling of pipelined
// requests (the next request is read only after the previous response is written), header and
// body size limits, read and idle timeouts. A request that cannot be parsed gets a 400 and its
// connection is closed; other connections are unaffected. The framing of a request body is
// checked before the body is read (DecideRequestFraming): an ambiguous or unsupported framing
// (Transfer-Encoding other than a final chunked, with Content-Length, repeated or malformed
// Content-Length, ...) is answered 400 or 501 and the connection closed, so a body is never read
// as the next request. A chunk extension holding a control character is refused the same way.
// Trailer fields of a chunked body are discarded. These reading rules are
// RequestReader's (request_reader.h); the server does the I/O around them. A connection the server
// closes is closed in stages: it stops sending, discards input briefly, then closes.
//
// A request whose body the BodyStreamer claims is read in bounded pieces into its BodySink (the
// read timeout applies to each piece), and a response with a BodySource is written the same way,
// so neither is ever held whole in memory.
//
// The handler is called on a server thread with the parsed request and a Responder. The
// Responder must be called exactly once, from any thread; the response is written on the
// connection's strand. Handlers must not block.
//
// Thread-safety: Listen/Start/Stop are called from one controlling thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "http/http_message.h"

namespace sagetrail::http {

struct ServerOptions {
  size_t header_limit = 64 * 1024;
  size_t body_limit = 8 * 1024 * 1024;
  // For bodies a BodyStreamer claims: S3's 5 GiB object, with room for aws-chunked framing.
  uint64_t streamed_body_limit = (uint64_t{5} << 30) + (uint64_t{64} << 20);
  std::chrono::milliseconds read_timeout{30'000};  // to receive a whole request once it started
  std::chrono::milliseconds idle_timeout{60'000};  // keep-alive wait for the next request
  int threads = 0;                                 // 0: one per hardware thread
};

using Responder = std::function<void(Response)>;
using RequestHandler = std::function<void(Request, Responder)>;
// Formats the answer to a request the server rejects before the handler sees it (malformed,
// too large). `partial` holds whatever was parsed (maybe only headers, maybe nothing).
using RejectFormatter =
    std::function<Response(int status, std::string_view reason, const Request& partial)>;

class Server {
 public:
  // `streamer` (optional) picks the requests whose bodies stream to a sink (see BodySink).
  Server(ServerOptions options, RequestHandler handler, RejectFormatter reject = nullptr,
         BodyStreamer streamer = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. Port 0 picks a free port; see port().
  Status Listen(const std::string& host, uint16_t port);
  uint16_t port() const;
  // Starts the worker threads; returns at once.
  void Start();
  // Stops accepting, closes every connection and joins the workers. Idempotent.
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sagetrail::http
