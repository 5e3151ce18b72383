// RequestReader driven as the server drives it, with Beast's synchronous reads on bytes in memory.
#include "http/request_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/system/system_error.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sagetrail::http {
namespace {

namespace bhttp = boost::beast::http;

// A client's bytes, `piece` at a time, then end of stream.
class MemoryStream {
 public:
  MemoryStream(std::string_view bytes, size_t piece) : bytes_(bytes), piece_(piece) {}

  template <class Buffers>
  size_t read_some(const Buffers& buffers, boost::system::error_code& ec) {
    if (position_ == bytes_.size()) {
      ec = boost::asio::error::eof;
      return 0;
    }
    ec = {};
    size_t n = boost::asio::buffer_copy(
        buffers, boost::asio::buffer(bytes_.data() + position_,
                                     std::min(piece_, bytes_.size() - position_)));
    position_ += n;
    return n;
  }

  template <class Buffers>
  size_t read_some(const Buffers& buffers) {
    boost::system::error_code ec;
    size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

 private:
  std::string_view bytes_;
  size_t piece_;
  size_t position_ = 0;
};

struct Connection {
  std::vector<Request> requests;
  int status = 0;  // of the refusal that ended the connection, 0 if none
  std::string reason;
  Request partial;                // what the refusal's formatter got
  bool reads_on = false;          // Next() gave a parser after the end
  bool expects_continue = false;  // of the last request
};

// Reads `bytes` as Session does: head, framing, body, next request while the connection stays
// open.
Connection Read(std::string_view bytes, size_t header_limit = 64 * 1024,
                size_t body_limit = 8 * 1024 * 1024, size_t piece = SIZE_MAX) {
  MemoryStream stream(bytes, piece);
  boost::beast::flat_buffer buffer;
  RequestReader reader(header_limit, body_limit);
  Connection c;
  while (RequestReader::Parser* parser = reader.Next()) {
    boost::system::error_code ec;
    bhttp::read_header(stream, buffer, *parser, ec);
    std::optional<ReadRejection> rejection;
    if (!ec) {
      rejection = reader.OnHeader();
      if (!rejection && !reader.parser().is_done()) bhttp::read(stream, buffer, *parser, ec);
    }
    if (ec) rejection = reader.OnReadError(ec);
    if (rejection) {
      c.status = rejection->status;
      c.reason = rejection->reason;
      c.partial = reader.Partial();
    }
    if (ec || rejection) break;
    c.expects_continue = reader.expects_continue();
    c.requests.push_back(reader.TakeRequest());
  }
  c.reads_on = reader.Next() != nullptr;
  return c;
}

const std::string kHost = "Host: localhost\r\n";

TEST(RequestReaderTest, PipelinedRequestsAreReadInOrderWithTheirBodies) {
  std::string bytes = "GET /a HTTP/1.1\r\n" + kHost + "\r\n" +                           //
                      "POST /b HTTP/1.1\r\n" + kHost + "Content-Length: 3\r\n\r\nabc" +  //
                      "POST /c HTTP/1.1\r\n" + kHost +
                      "Transfer-Encoding: chunked\r\n\r\n2;ext=1\r\nhi\r\n1\r\n!\r\n0\r\n\r\n";
  for (size_t piece : {SIZE_MAX, size_t{1}, size_t{5}}) {
    Connection c = Read(bytes, 64 * 1024, 8 * 1024 * 1024, piece);
    ASSERT_EQ(c.requests.size(), 3u) << piece;
    EXPECT_EQ(c.requests[0].target, "/a");
    EXPECT_EQ(c.requests[0].body, "");
    EXPECT_EQ(c.requests[1].target, "/b");
    EXPECT_EQ(c.requests[1].body, "abc");
    EXPECT_EQ(c.requests[2].target, "/c");
    EXPECT_EQ(c.requests[2].body, "hi!");
    EXPECT_EQ(c.status, 0) << c.reason;  // the end of stream closes silently
    EXPECT_FALSE(c.reads_on);
  }
}

TEST(RequestReaderTest, TrailerFieldsAreNotInTheRequest) {
  Connection c = Read("POST / HTTP/1.1\r\n" + kHost +
                      "Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nX-Trailer: t\r\n\r\n");
  ASSERT_EQ(c.requests.size(), 1u);
  EXPECT_EQ(c.requests[0].FindHeader("X-Trailer"), nullptr);
  EXPECT_NE(c.requests[0].FindHeader("Transfer-Encoding"), nullptr);
  EXPECT_EQ(c.requests[0].body, "x");
}

TEST(RequestReaderTest, NothingIsReadAfterARefusedFraming) {
  // TE with CL: the body would be "0\r\n\r\n" for one reader and a request for the other.
  Connection c = Read("POST / HTTP/1.1\r\n" + kHost +
                      "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" +
                      "GET /smuggled HTTP/1.1\r\n" + kHost + "\r\n");
  EXPECT_TRUE(c.requests.empty());
  EXPECT_EQ(c.status, 400);  // Beast's parser refuses this order itself, inside the head
  EXPECT_EQ(c.partial.target, "/");
  EXPECT_FALSE(c.reads_on);

  // Beast lets a Content-Length follow a Transfer-Encoding that is not chunked; the framing
  // decision refuses it.
  Connection both = Read("POST /b HTTP/1.1\r\n" + kHost +
                         "Transfer-Encoding: identity\r\nContent-Length: 5\r\n\r\n0\r\n\r\n" +
                         "GET /smuggled HTTP/1.1\r\n" + kHost + "\r\n");
  EXPECT_TRUE(both.requests.empty());
  EXPECT_EQ(both.status, 400);
  EXPECT_NE(both.reason.find("both"), std::string::npos) << both.reason;
  EXPECT_EQ(both.partial.target, "/b");
  EXPECT_FALSE(both.reads_on);

  Connection coding = Read("POST /x HTTP/1.1\r\n" + kHost +
                           "Transfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\n" +
                           "GET /smuggled HTTP/1.1\r\n" + kHost + "\r\n");
  EXPECT_TRUE(coding.requests.empty());
  EXPECT_EQ(coding.status, 501);
  EXPECT_FALSE(coding.reads_on);
}

// RFC 9112 §3.2: exactly one Host in an HTTP/1.1 request; none needed in HTTP/1.0.
TEST(RequestReaderTest, HostFieldsAreCounted) {
  Connection none = Read("GET /a HTTP/1.1\r\n\r\nGET /smuggled HTTP/1.1\r\n" + kHost + "\r\n");
  EXPECT_TRUE(none.requests.empty());
  EXPECT_EQ(none.status, 400);
  EXPECT_EQ(none.reason, "The request has no Host header.");
  EXPECT_FALSE(none.reads_on);
  for (const std::string& second : {std::string("Host: other\r\n"), kHost}) {
    Connection two = Read("GET /a HTTP/1.1\r\n" + kHost + "X-A: 1\r\n" + second +
                          "\r\nGET /b HTTP/1.1\r\n" + kHost + "\r\n");
    EXPECT_TRUE(two.requests.empty());
    EXPECT_EQ(two.status, 400);
    EXPECT_EQ(two.reason, "The request has more than one Host header.");
    EXPECT_FALSE(two.reads_on);
  }
  Connection old = Read("GET /a HTTP/1.0\r\n\r\n");
  ASSERT_EQ(old.requests.size(), 1u);
  EXPECT_EQ(old.status, 0);
}

TEST(RequestReaderTest, ARequestThatClosesEndsTheConnection) {
  Connection c = Read("GET /a HTTP/1.1\r\n" + kHost + "Connection: close\r\n\r\n" +
                      "GET /b HTTP/1.1\r\n" + kHost + "\r\n");
  ASSERT_EQ(c.requests.size(), 1u);
  EXPECT_EQ(c.requests[0].target, "/a");
  EXPECT_FALSE(c.reads_on);
}

TEST(RequestReaderTest, ParserErrorsAreAnsweredAndCutShortRequestsAreNot) {
  Connection bad_chunk = Read("POST / HTTP/1.1\r\n" + kHost +
                              "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(bad_chunk.status, 400);
  EXPECT_NE(bad_chunk.reason.find("Malformed HTTP request"), std::string::npos);

  Connection bare_lf = Read("GET / HTTP/1.1\nHost: x\n\n");
  EXPECT_EQ(bare_lf.status, 400);

  Connection cut = Read("POST / HTTP/1.1\r\n" + kHost + "Content-Length: 10\r\n\r\nabc");
  EXPECT_TRUE(cut.requests.empty());
  EXPECT_EQ(cut.status, 0);
  EXPECT_FALSE(cut.reads_on);
}

TEST(RequestReaderTest, ChunkExtensionsWithControlCharactersAreRefused) {
  // Beast reads a quoted extension value over a bare LF; a reader that ends the chunk line at the
  // LF would take `x"` for chunk data and the rest for another chunk or request.
  const std::string head = "POST / HTTP/1.1\r\n" + kHost + "Transfer-Encoding: chunked\r\n\r\n";
  for (std::string ext : {";a=\"1\n2\"", ";a=\"1\r2\"", ";a=\"1\x01\"", ";a=\"\x7f\""}) {
    Connection c = Read(head + "5" + ext + "\r\nhello\r\n0\r\n\r\n");
    EXPECT_TRUE(c.requests.empty()) << ext;
    EXPECT_EQ(c.status, 400) << ext;
    EXPECT_NE(c.reason.find("Malformed HTTP request"), std::string::npos) << c.reason;
    EXPECT_FALSE(c.reads_on);
    Connection last = Read(head + "0" + ext + "\r\n\r\n");
    EXPECT_TRUE(last.requests.empty()) << ext;
    EXPECT_EQ(last.status, 400) << ext;
  }
  // Tabs, quoted spaces and obs-text stay allowed.
  Connection c = Read(head + "5;a=\"x\ty \xff\";b=c\r\nhello\r\n0;last\r\n\r\n");
  ASSERT_EQ(c.requests.size(), 1u) << c.reason;
  EXPECT_EQ(c.requests[0].body, "hello");
}

TEST(RequestReaderTest, LimitsAreAnsweredWithTheirStatus) {
  Connection body =
      Read("POST / HTTP/1.1\r\n" + kHost + "Content-Length: 20\r\n\r\n" + std::string(20, 'x'),
           64 * 1024, 16);
  EXPECT_EQ(body.status, 413);
  EXPECT_EQ(body.partial.target, "/");  // refused inside the head, the target is known

  Connection chunked = Read("POST / HTTP/1.1\r\n" + kHost +
                                "Transfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n"
                                "a\r\n0123456789\r\n0\r\n\r\n",
                            64 * 1024, 16);
  EXPECT_EQ(chunked.status, 413);

  Connection head =
      Read("GET / HTTP/1.1\r\n" + kHost + "X-Long: " + std::string(200, 'a') + "\r\n\r\n", 128);
  EXPECT_EQ(head.status, 431);
}

TEST(RequestReaderTest, ExpectContinueIsReported) {
  Connection c =
      Read("PUT /x HTTP/1.1\r\n" + kHost + "Expect: 100-continue\r\nContent-Length: 4\r\n\r\ndata");
  ASSERT_EQ(c.requests.size(), 1u);
  EXPECT_TRUE(c.expects_continue);
  EXPECT_EQ(c.requests[0].body, "data");
}

}  // namespace
}  // namespace sagetrail::http
