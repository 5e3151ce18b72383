// RequestReader: the rules by which the server reads the requests of one connection, without the
// I/O. The server's Session does the reading (Boost.Beast's read_header and read on the socket)
// and asks this class what to make of it; the HTTP fuzz target (fuzz/http_request_fuzz.cc) drives
// the same class with Beast's synchronous reads on bytes held in memory, so that both take the
// same path from bytes to requests.
//
// Per request:
//   Next()           a fresh Beast parser with the header and body limits, or nullptr when the
//                    connection must not be read as requests any more
//   OnHeader()       once the head has been read: the body's framing is decided from the head
//                    alone (DecideRequestFraming) and Beast's parser must be about to read the
//                    body the same way, else the request is refused; the head is kept as received
//   TakeRequest()    once the body has been read: the kept head and the body (trailer fields of a
//                    chunked body, which Beast adds to its field list, are not in it)
//   OnReadError(ec)  a read that ended without a whole request: closed silently or refused
// A request whose body the `streamer` claims (given the head) is read into the BodySink it returns,
// in pieces, with `streamed_body_limit` instead of `body_limit`: after OnHeader(), streaming()
// says so and stream_parser() reads it (the server feeds each piece it reads to sink()).
// Chunk extensions are ignored, but one holding a control character other than HTAB is refused
// (400, as a malformed chunk): Beast lets a quoted extension value hold any byte, a bare LF or CR
// included, and a reader that ends the chunk line there would see other chunk boundaries.
// A refused request ends the connection: Next() returns nullptr from then on, so nothing after
// the refused head is read as a request. So does a request that does not keep the connection
// alive.
//
// Not thread-safe; one per connection.
#pragma once

#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "http/http_message.h"

namespace sagetrail::http {

// A request refused before the handler sees it: answered with `status` (400, 413, 431, 501),
// then the connection is closed.
struct ReadRejection {
  int status = 400;
  std::string reason;
};

class RequestReader {
 public:
  using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;
  using StreamParser = boost::beast::http::request_parser<boost::beast::http::buffer_body>;
  using Streamer = BodyStreamer;

  RequestReader(size_t header_limit, size_t body_limit, Streamer streamer = nullptr,
                uint64_t streamed_body_limit = 0);
  // The parser holds a reference to a member.
  RequestReader(const RequestReader&) = delete;
  RequestReader& operator=(const RequestReader&) = delete;

  // Starts the next request: a fresh parser to read it with, or nullptr when a request was
  // refused or the previous one did not keep the connection alive.
  Parser* Next();
  // The parser of the current request; only between Next() and TakeRequest().
  Parser& parser() { return *parser_; }
  // After an accepted head: whether the body streams to sink() through stream_parser().
  bool streaming() const { return stream_parser_.has_value(); }
  StreamParser& stream_parser() { return *stream_parser_; }
  BodySink& sink() { return *sink_; }

  // The head has been read. Decides the framing and checks that the parser agrees; on a refusal
  // returns it (and the connection reads no further request), else keeps the head.
  std::optional<ReadRejection> OnHeader();
  // After an accepted head: whether the client waits for 100 Continue before sending the body,
  // and whether the connection stays open after the response.
  bool expects_continue() const { return expects_continue_; }
  bool keep_alive() const { return keep_alive_ && !refused_; }

  // The whole request has been read: its head as received and its body. Ends the request.
  Request TakeRequest();

  // A read of the head or the body ended with `ec`. nullopt: close without an answer (the peer
  // went away, a request was cut short, a timeout, a socket error). Otherwise the refusal to
  // answer with (a malformed head or chunk, a framing error, a limit exceeded). Either way the
  // connection reads no further request.
  std::optional<ReadRejection> OnReadError(const boost::system::error_code& ec);

  // Whatever the parser has of the current request so far (maybe only part of the head, maybe
  // nothing), for the formatter of a refusal.
  Request Partial() const;

 private:
  std::optional<ReadRejection> Refuse(int status, std::string reason);

  size_t header_limit_;
  size_t body_limit_;
  Streamer streamer_;
  uint64_t streamed_body_limit_;
  // Given to each parser: refuses a chunk whose extensions hold a control character.
  std::function<void(std::uint64_t, boost::beast::string_view, boost::system::error_code&)>
      check_chunk_extensions_;
  std::optional<Parser> parser_;
  std::optional<StreamParser> stream_parser_;  // instead of parser_ once a body streams
  std::shared_ptr<BodySink> sink_;
  Request head_;  // the head of the request whose body is being read
  bool keep_alive_ = true;
  bool expects_continue_ = false;
  bool refused_ = false;
  bool closed_ = false;  // a read ended without a whole request
};

}  // namespace sagetrail::http
