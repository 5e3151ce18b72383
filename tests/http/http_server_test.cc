// http::Server over a real loopback socket, driven by a small blocking POSIX client.
#include "http/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/strings.h"

namespace sagetrail::http {
namespace {

struct ClientResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// A blocking HTTP/1.1 client on one TCP connection. Reads time out after 20 s so that a broken
// server fails the test instead of hanging it.
class TestClient {
 public:
  explicit TestClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{20, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~TestClient() { ::close(fd_); }
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  bool connected() const { return connected_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads one response (Content-Length framed). Status 0 if the connection ended first.
  ClientResponse Read() {
    ClientResponse r;
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return r;
    }
    std::string head = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    auto lines = Split(head, '\n');
    std::string_view status_line = Trim(lines[0]);
    if (status_line.size() >= 12) r.status = std::stoi(std::string(status_line.substr(9, 3)));
    for (size_t i = 1; i < lines.size(); ++i) {
      std::string_view l = Trim(lines[i]);
      size_t colon = l.find(':');
      if (colon == std::string_view::npos) continue;
      r.headers[AsciiLower(l.substr(0, colon))] = std::string(Trim(l.substr(colon + 1)));
    }
    size_t length = r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
    while (buffer_.size() < length) {
      if (!Fill()) return ClientResponse{};
    }
    r.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return r;
  }

  // True when the server has closed the connection (EOF or reset) with nothing more to read.
  bool ReadsEof() {
    if (!buffer_.empty()) return false;
    char c;
    ssize_t n = ::recv(fd_, &c, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

  // True when the server has closed the connection in order (end of stream, not a reset).
  bool ReadsOrderlyEof() {
    if (!buffer_.empty()) return false;
    char c;
    return ::recv(fd_, &c, 1, 0) == 0;
  }

 private:
  bool Fill() {
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

std::string Post(std::string_view target, std::string_view body, bool close = false) {
  return "POST " + std::string(target) +
         " HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         (close ? "Connection: close\r\n" : "") + "\r\n" + std::string(body);
}

class HttpServerTest : public ::testing::Test {
 protected:
  void TearDown() override {
    {
      std::lock_guard<std::mutex> l(mu_);
      for (auto& t : responder_threads_) t.join();
      responder_threads_.clear();
    }
    if (server_) server_->Stop();
  }

  // Starts a server whose handler echoes "<method> <target> <body>"; a target starting with
  // "/slow" is answered from another thread after a short pause; for "/fields" the body is the
  // request's header field names, one a line.
  void StartServer(ServerOptions options = {}, RejectFormatter reject = nullptr) {
    options.threads = 2;
    server_ = std::make_unique<Server>(
        options,
        [this](Request req, Responder respond) {
          ++requests_;
          Response r;
          r.status = 200;
          r.SetHeader("Content-Type", "text/plain");
          r.SetHeader("X-Remote", req.remote_ip);
          r.body = req.method + " " + req.target + " " + req.body;
          if (req.target == "/fields") {
            r.body.clear();
            for (const Header& h : req.headers) r.body += h.name + "\n";
          }
          if (req.target.rfind("/slow", 0) == 0) {
            std::lock_guard<std::mutex> l(mu_);
            responder_threads_.emplace_back([respond, r]() mutable {
              std::this_thread::sleep_for(std::chrono::milliseconds(150));
              respond(std::move(r));
            });
            return;
          }
          respond(std::move(r));
        },
        std::move(reject));
    Status s = server_->Listen("127.0.0.1", 0);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_NE(server_->port(), 0);
    server_->Start();
  }

  std::unique_ptr<Server> server_;
  std::atomic<int> requests_{0};
  std::mutex mu_;
  std::vector<std::thread> responder_threads_;
};

TEST_F(HttpServerTest, AnswersARequest) {
  StartServer();
  TestClient c(server_->port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send(Post("/hello?x=1", "payload")));
  ClientResponse r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST /hello?x=1 payload");
  EXPECT_EQ(r.headers["x-remote"], "127.0.0.1");
  EXPECT_FALSE(r.headers["date"].empty());
  EXPECT_EQ(r.headers["content-length"], "23");
}

TEST_F(HttpServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  StartServer();
  TestClient c(server_->port());
  ASSERT_TRUE(c.Send(Post("/one", "a")));
  ClientResponse first = c.Read();
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body, "POST /one a");
  EXPECT_NE(AsciiLower(first.headers["connection"]), "close");
  ASSERT_TRUE(c.Send(Post("/two", "bb")));
  ClientResponse second = c.Read();
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.body, "POST /two bb");
  EXPECT_EQ(requests_.load(), 2);
}

TEST_F(HttpServerTest, ConnectionCloseIsHonoured) {
  StartServer();
  TestClient c(server_->port());
  ASSERT_TRUE(c.Send(Post("/bye", "", /*close=*/true)));
  ClientResponse r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(AsciiLower(r.headers["connection"]), "close");
  EXPECT_TRUE(c.ReadsEof());
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  TestClient c(server_->port());
  // The first is answered late from another thread; the second must still come second.
  ASSERT_TRUE(c.Send(Post("/slow-first", "1") + Post("/second", "2") + Post("/third", "3")));
  ClientResponse a = c.Read(), b = c.Read(), d = c.Read();
  EXPECT_EQ(a.body, "POST /slow-first 1");
  EXPECT_EQ(b.body, "POST /second 2");
  EXPECT_EQ(d.body, "POST /third 3");
  EXPECT_EQ(requests_.load(), 3);
}

TEST_F(HttpServerTest, ResponderCalledFromAnotherThreadDelivers) {
  StartServer();
  TestClient c(server_->port());
  ASSERT_TRUE(c.Send(Post("/slow", "later")));
  ClientResponse r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST /slow later");
  // The connection is still usable afterwards.
  ASSERT_TRUE(c.Send(Post("/after", "")));
  EXPECT_EQ(c.Read().body, "POST /after ");
}

TEST_F(HttpServerTest, GarbageRequestLineGets400AndClose) {
  StartServer();
  TestClient c(server_->port());
  ASSERT_TRUE(c.Send("THIS IS NOT HTTP\r\n\r\n"));
  ClientResponse r = c.Read();
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body.rfind("Malformed HTTP request: ", 0), 0u) << r.body;
  EXPECT_EQ(AsciiLower(r.headers["connection"]), "close");
  EXPECT_TRUE(c.ReadsEof());
  EXPECT_EQ(requests_.load(), 0);
  // Other connections are unaffected.
  TestClient ok(server_->port());
  ASSERT_TRUE(ok.Send(Post("/fine", "")));
  EXPECT_EQ(ok.Read().status, 200);
}

TEST_F(HttpServerTest, BodyAboveTheLimitGets413FromTheRejectFormatter) {
  std::mutex seen_mu;
  std::vector<std::string> seen;
  ServerOptions options;
  options.body_limit = 1024;
  StartServer(options, [&](int status, std::string_view reason, const Request& partial) {
    {
      std::lock_guard<std::mutex> l(seen_mu);
      seen.push_back(std::to_string(status) + " " + partial.method + " " + partial.target + " " +
                     std::string(partial.HeaderOr("x-amz-target")));
    }
    Response r;
    r.status = status;
    r.SetHeader("X-Rejected-By", "test");
    r.body = "rejected: " + std::string(reason);
    return r;
  });
  TestClient c(server_->port());
  ASSERT_TRUE(
      c.Send("POST /upload HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: SageMaker.CreateModel\r\n"
             "Content-Length: 4096\r\n\r\n" +
             std::string(100, 'x')));
  ClientResponse r = c.Read();
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.headers["x-rejected-by"], "test");
  EXPECT_EQ(r.body, "rejected: The request body exceeds the maximum size of 1024 bytes.");
  EXPECT_EQ(AsciiLower(r.headers["connection"]), "close");
  EXPECT_TRUE(c.ReadsEof());
  EXPECT_EQ(requests_.load(), 0);
  std::lock_guard<std::mutex> l(seen_mu);
  ASSERT_EQ(seen.size(), 1u);
  // The formatter sees what was parsed before the limit tripped (it trips inside the header).
  EXPECT_EQ(seen[0], "413 POST /upload SageMaker.CreateModel");
}

TEST_F(HttpServerTest, BodyAtTheLimitIsAccepted) {
  ServerOptions options;
  options.body_limit = 1024;
  StartServer(options);
  TestClient c(server_->port());
  std::string body(1024, 'y');
  ASSERT_TRUE(c.Send(Post("/max", body)));
  ClientResponse r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST /max " + body);
}

TEST_F(HttpServerTest, HeaderAboveTheLimitGets431) {
  ServerOptions options;
  options.header_limit = 512;
  StartServer(options);
  TestClient c(server_->port());
  ASSERT_TRUE(
      c.Send("GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: " + std::string(2000, 'h') + "\r\n\r\n"));
  ClientResponse r = c.Read();
  EXPECT_EQ(r.status, 431);
  EXPECT_TRUE(c.ReadsEof());
}

TEST_F(HttpServerTest, ExpectContinueGets100ThenTheResponse) {
  StartServer();
  TestClient c(server_->port());
  ASSERT_TRUE(
      c.Send("PUT /obj HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n"
             "Expect: 100-continue\r\n\r\n"));
  ClientResponse cont = c.Read();
  EXPECT_EQ(cont.status, 100);
  ASSERT_TRUE(c.Send("data"));
  ClientResponse r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "PUT /obj data");
}

// A request the server must refuse because of its body framing, answered with `status`; its
// body holds a complete second request, which must never be served.
struct FramingCase {
  std::string head;  // request line and fields, without the empty line
  int status;
};

TEST_F(HttpServerTest, AmbiguousOrUnsupportedFramingIsRefusedAndTheConnectionClosed) {
  const std::string smuggled = Post("/smuggled", "evil");
  const std::string te = "POST /outer HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: ";
  const std::string cl = "Content-Length: " + std::to_string(smuggled.size()) + "\r\n";
  std::vector<FramingCase> cases = {
      {te + "chunked, identity\r\n", 400},
      {te + "identity\r\n", 400},
      {te + "gzip\r\n", 400},
      {te + "foo\r\n", 400},
      {te + "chunked, chunked\r\n", 400},
      {te + "gzip\r\nTransfer-Encoding: chunked, identity\r\n", 400},
      {te + "gzip, chunked\r\n", 501},
      {te + "gzip\r\nTransfer-Encoding: chunked\r\n", 501},
      {te + "xchunked\r\n" + cl, 400},
      {te + "chunked\r\n" + cl, 400},
      {"POST /outer HTTP/1.1\r\nHost: localhost\r\n" + cl + "Transfer-Encoding: chunked\r\n", 400},
      {"POST /outer HTTP/1.0\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n", 400},
      {"POST /outer HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5,5\r\n", 400},
      {"POST /outer HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nContent-Length: 5\r\n",
       400},
      {"POST /outer HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nContent-Length: 6\r\n",
       400},
      {"POST /outer HTTP/1.1\r\nHost: localhost\r\nContent-Length: +5\r\n", 400},
      {"POST /outer HTTP/1.1\r\nHost: localhost\r\nContent-Length: -5\r\n", 400},
      {"POST /outer HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0x5\r\n", 400},
      {"POST /outer HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5 5\r\n", 400},
      {"POST /outer HTTP/1.1\r\nHost: localhost\r\nContent-Length: 99999999999999999999999\r\n",
       400},
  };
  StartServer();
  for (const FramingCase& fc : cases) {
    SCOPED_TRACE(fc.head);
    TestClient c(server_->port());
    ASSERT_TRUE(c.connected());
    ASSERT_TRUE(c.Send(fc.head + "\r\n" + smuggled));
    ClientResponse r = c.Read();
    EXPECT_EQ(r.status, fc.status) << r.body;
    EXPECT_EQ(AsciiLower(r.headers["connection"]), "close");
    // The server stops sending, drains what it was sent and closes: an end of stream, not a
    // reset that could have destroyed the response.
    EXPECT_TRUE(c.ReadsOrderlyEof());
  }
  EXPECT_EQ(requests_.load(), 0);
}

TEST_F(HttpServerTest, RefusedFramingWithExpectContinueGetsNo100) {
  StartServer();
  TestClient c(server_->port());
  ASSERT_TRUE(
      c.Send("POST /x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\n"
             "Expect: 100-continue\r\n\r\n"));
  ClientResponse r = c.Read();
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(c.ReadsOrderlyEof());
  EXPECT_EQ(requests_.load(), 0);
}

TEST_F(HttpServerTest, RefusedFramingGoesThroughTheRejectFormatter) {
  std::atomic<int> formatted{0};
  StartServer({}, [&](int status, std::string_view reason, const Request& partial) {
    ++formatted;
    Response r;
    r.status = status;
    r.body = partial.method + " " + partial.target + ": " + std::string(reason);
    return r;
  });
  TestClient c(server_->port());
  ASSERT_TRUE(
      c.Send("POST /x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
             "0\r\n\r\n"));
  ClientResponse r = c.Read();
  EXPECT_EQ(r.status, 501);
  EXPECT_EQ(r.body, "POST /x: The transfer coding gzip is not implemented; only chunked is.");
  EXPECT_EQ(AsciiLower(r.headers["connection"]), "close");
  EXPECT_TRUE(c.ReadsOrderlyEof());
  EXPECT_EQ(formatted.load(), 1);
}

TEST_F(HttpServerTest, ChunkedRequestIsServedAndTheConnectionKeptAlive) {
  StartServer();
  TestClient c(server_->port());
  ASSERT_TRUE(
      c.Send("POST /chunks HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: Chunked\r\n\r\n"
             "5\r\nhello\r\n1;ext=1\r\n \r\n5\r\nworld\r\n0\r\n\r\n"));
  ClientResponse r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST /chunks hello world");
  EXPECT_NE(AsciiLower(r.headers["connection"]), "close");
  ASSERT_TRUE(c.Send(Post("/next", "n")));
  EXPECT_EQ(c.Read().body, "POST /next n");
}

TEST_F(HttpServerTest, TrailerFieldsOfAChunkedRequestAreDropped) {
  StartServer();
  TestClient c(server_->port());
  ASSERT_TRUE(
      c.Send("POST /fields HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
             "2\r\n{}\r\n0\r\nX-Amz-Target: SageMaker.DeleteModel\r\nHost: evil\r\n\r\n"));
  ClientResponse r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "Host\nTransfer-Encoding\n");
}

TEST_F(HttpServerTest, MalformedChunksGet400AndClose) {
  const std::string head =
      "POST /x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n";
  StartServer();
  for (std::string chunks : {"zz\r\n", "-1\r\n", "5\r\nhelloXX", "fffffffffffffffffff\r\n",
                             "0x5\r\nhello\r\n0\r\n\r\n", "5 5\r\n"}) {
    SCOPED_TRACE(chunks);
    TestClient c(server_->port());
    ASSERT_TRUE(c.Send(head + chunks + Post("/smuggled", "")));
    ClientResponse r = c.Read();
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(AsciiLower(r.headers["connection"]), "close");
    EXPECT_TRUE(c.ReadsEof());
  }
  EXPECT_EQ(requests_.load(), 0);
}

TEST_F(HttpServerTest, ChunkedBodyAboveTheLimitGets413) {
  ServerOptions options;
  options.body_limit = 16;
  StartServer(options);
  TestClient c(server_->port());
  ASSERT_TRUE(
      c.Send("POST /x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
             "10\r\n0123456789abcdef\r\n1\r\nX\r\n0\r\n\r\n"));
  EXPECT_EQ(c.Read().status, 413);
  EXPECT_TRUE(c.ReadsEof());
  EXPECT_EQ(requests_.load(), 0);
}

// Stop() must not wait for idle keep-alive connections (the idle timeout here is an hour). The
// wait below is a hang detector, not a timing assertion.
TEST_F(HttpServerTest, StopWithAnIdleConnectionReturnsAndClosesIt) {
  ServerOptions options;
  options.idle_timeout = std::chrono::hours(1);
  StartServer(options);
  TestClient c(server_->port());
  ASSERT_TRUE(c.Send(Post("/x", "")));
  ASSERT_EQ(c.Read().status, 200);  // now idle, waiting for the next request
  auto stopped = std::async(std::launch::async, [this] { server_->Stop(); });
  ASSERT_EQ(stopped.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_TRUE(c.ReadsEof());
  server_->Stop();  // idempotent
  // No longer accepting: a new connection is refused or gets no answer.
  TestClient late(server_->port());
  if (late.connected()) {
    late.Send(Post("/late", ""));
    EXPECT_EQ(late.Read().status, 0);
  }
}

TEST_F(HttpServerTest, ListenFailsOnABadAddress) {
  Server s({}, [](Request, Responder respond) { respond(Response{}); });
  EXPECT_FALSE(s.Listen("256.1.1.1", 0).ok());
}

}  // namespace
}  // namespace sagetrail::http
