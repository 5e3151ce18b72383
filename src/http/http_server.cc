#include "http/http_server.h"

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "common/time_format.h"
#include "http/request_framing.h"

namespace sagetrail::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// After a response that ends the connection the server stops sending, then reads and discards
// what the client still sends, for at most this long and this many bytes, before closing
// (RFC 9112 §9.6). Closing with unread input would reset the connection, and the reset can
// destroy the response before the client has read it.
constexpr std::chrono::milliseconds kLingerTime{2'000};
constexpr size_t kLingerBytes = 1024 * 1024;

// The Date header, formatted at most once a second per thread.
const std::string& CachedHttpDate() {
  thread_local int64_t cached_second = -1;
  thread_local std::string cached;
  auto now = std::chrono::system_clock::now();
  int64_t sec = ToUnixSeconds(now);
  if (sec != cached_second) {
    cached_second = sec;
    cached = FormatHttpDate(now);
  }
  return cached;
}

Response DefaultReject(int status, std::string_view reason, const Request&) {
  Response r;
  r.status = status;
  r.SetHeader("Content-Type", "text/plain");
  r.body = std::string(reason) + "\n";
  r.close = true;
  return r;
}

// One thread running one io_context: the connections it owns need no strand. Work handed over
// from other threads (responses completed by the audit writer) is queued and drained in bulk:
// only the first item of a burst posts to the io_context, so a group commit of N calls wakes
// the thread once instead of N times.
class Worker {
 public:
  Worker() : ioc_(1), guard_(net::make_work_guard(ioc_)) {}

  net::io_context& ioc() { return ioc_; }

  void Deliver(std::function<void()> fn) {
    bool schedule = false;
    {
      std::lock_guard<std::mutex> l(mu_);
      pending_.push_back(std::move(fn));
      schedule = !scheduled_;
      scheduled_ = true;
    }
    if (schedule) net::post(ioc_, [this] { Drain(); });
  }

  void Start() {
    thread_ = std::thread([this] { ioc_.run(); });
  }

  void Stop() {
    guard_.reset();
    ioc_.stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Drain() {
    std::vector<std::function<void()>> batch;
    {
      std::lock_guard<std::mutex> l(mu_);
      batch.swap(pending_);
      scheduled_ = false;
    }
    for (auto& fn : batch) fn();
  }

  net::io_context ioc_;
  net::executor_work_guard<net::io_context::executor_type> guard_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::function<void()>> pending_;  // guarded by mu_
  bool scheduled_ = false;                      // guarded by mu_
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, const ServerOptions& options, const RequestHandler& handler,
          const RejectFormatter& reject)
      : stream_(std::move(socket)), options_(options), handler_(handler), reject_(reject) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) {
      remote_ip_ = ep.address().to_string();
      remote_port_ = ep.port();
    }
    stream_.socket().set_option(tcp::no_delay(true), ec);
  }

  void Run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::ReadHeader, shared_from_this()));
  }

  // Closes the socket from outside the strand; only once no worker thread runs (Server::Stop).
  void CloseStopped() { Close(); }

 private:
  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(options_.header_limit));
    parser_->body_limit(options_.body_limit);
    stream_.expires_after(options_.idle_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    auto& msg = parser_->get();
    // The body's framing is decided before any body byte is read or a 100 Continue is sent. A
    // rejected request is answered and the connection closed: nothing after its head is read as
    // a request.
    head_request_ = msg.method() == bhttp::verb::head;  // an error answer to HEAD has no body
    if (!CheckFraming(msg)) return;
    // The request head as received. Taken now so that trailer fields of a chunked body, which
    // the parser adds to the same field list, never reach the handler (RFC 9110 §6.5.1 lets a
    // recipient discard them; merging them could add fields the signature did not cover).
    keep_alive_ = msg.keep_alive();
    pending_ = Request{};
    pending_.method = std::string(msg.method_string());
    pending_.target = std::string(msg.target());
    pending_.headers.reserve(12);
    for (const auto& f : msg) {
      pending_.headers.push_back({std::string(f.name_string()), std::string(f.value())});
    }
    pending_.remote_ip = remote_ip_;
    pending_.remote_port = remote_port_;
    auto expect = msg[bhttp::field::expect];
    if (beast::iequals(expect, "100-continue")) {
      auto cont =
          std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
      stream_.expires_after(options_.read_timeout);
      bhttp::async_write(stream_, *cont,
                         [self = shared_from_this(), cont](beast::error_code wec, size_t) {
                           if (wec) return self->Close();
                           self->ReadBody();
                         });
      return;
    }
    ReadBody();
  }

  // Applies DecideRequestFraming to the parsed head and checks that the parser is about to read
  // the body the same way. On a mismatch or a rejection answers (Reject) and returns false.
  bool CheckFraming(const bhttp::request<bhttp::string_body>& msg) {
    std::vector<FieldView> fields;
    fields.reserve(16);
    for (const auto& f : msg) fields.push_back({f.name_string(), f.value()});
    FramingDecision framing = DecideRequestFraming(static_cast<int>(msg.version()), fields);
    if (!framing.ok()) {
      Reject(framing.status, framing.reason);
      return false;
    }
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
      Reject(400, "The framing of the request body is ambiguous.");
      return false;
    }
    return true;
  }

  void ReadBody() {
    if (parser_->is_done()) return Dispatch();
    stream_.expires_after(options_.read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->OnReadError(ec);
                        self->Dispatch();
                      });
  }

  // A read that ended without a whole request. The peer going away (end of stream, a request
  // cut short, a reset) or a timeout closes silently: there is nobody to answer, or the answer
  // would be a guess. Everything the parser refuses (a malformed head or framing, a bad chunk
  // size, a field or body over its limit) is answered and the connection closed, so no byte
  // after the error is read as a request.
  void OnReadError(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == net::error::eof || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == bhttp::error::partial_message) {
      return Close();
    }
    if (ec == bhttp::error::body_limit) {
      return Reject(413, "The request body exceeds the maximum size of " +
                             std::to_string(options_.body_limit) + " bytes.");
    }
    if (ec == bhttp::error::header_limit) {
      return Reject(431, "The request header exceeds the maximum size of " +
                             std::to_string(options_.header_limit) + " bytes.");
    }
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) {
      return Reject(400, "Malformed HTTP request: " + ec.message());
    }
    Close();  // a socket error: the connection is gone
  }

  // Answers a request the parser rejected, then closes: the rest of the stream can't be trusted.
  void Reject(int status, const std::string& reason) {
    Request partial;
    partial.remote_ip = remote_ip_;
    partial.remote_port = remote_port_;
    // Whatever the parser got so far, even when it failed inside the header (a Content-Length
    // above the body limit fails there): the formatter may need the target or X-Amz-Target.
    if (parser_) {
      const auto& msg = parser_->get();
      partial.method = std::string(msg.method_string());
      partial.target = std::string(msg.target());
      for (const auto& f : msg) {
        partial.headers.push_back({std::string(f.name_string()), std::string(f.value())});
      }
    }
    Response r =
        reject_ ? reject_(status, reason, partial) : DefaultReject(status, reason, partial);
    r.close = true;
    keep_alive_ = false;
    Write(std::move(r));
  }

  void Dispatch() {
    auto msg = parser_->release();
    parser_.reset();
    Request req = std::move(pending_);
    req.body = std::move(msg.body());
    stream_.expires_never();
    auto self = shared_from_this();
    handler_(std::move(req), [self](Response resp) {
      net::post(self->stream_.get_executor(),
                [self, resp = std::move(resp)]() mutable { self->Write(std::move(resp)); });
    });
  }

  void Write(Response r) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(r.status));
    for (auto& h : r.headers) res->insert(h.name, h.value);
    if (res->find(bhttp::field::date) == res->end()) res->set(bhttp::field::date, CachedHttpDate());
    bool close = r.close || !keep_alive_;
    res->keep_alive(!close);
    if (head_request_) {
      // HEAD: the length of the body a GET would get, and no body.
      res->content_length(r.body.size());
      head_request_ = false;
    } else {
      res->body() = std::move(r.body);
      res->prepare_payload();
    }
    stream_.expires_after(options_.read_timeout);
    bhttp::async_write(stream_, *res,
                       [self = shared_from_this(), res, close](beast::error_code ec, size_t) {
                         if (ec) return self->Close();
                         if (close) return self->LingerThenClose();
                         self->ReadHeader();
                       });
  }

  // Half-closes, then discards input until the client closes too (or kLingerTime /
  // kLingerBytes run out), then closes. Nothing read here is parsed.
  void LingerThenClose() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    buffer_.clear();
    lingered_ = 0;
    stream_.expires_after(kLingerTime);
    DiscardInput();
  }

  void DiscardInput() {
    stream_.async_read_some(buffer_.prepare(16 * 1024),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              self->lingered_ += n;
                              if (ec || self->lingered_ >= kLingerBytes) return self->Close();
                              self->DiscardInput();
                            });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  const ServerOptions& options_;
  const RequestHandler& handler_;
  const RejectFormatter& reject_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string remote_ip_;
  uint16_t remote_port_ = 0;
  Request pending_;  // the head of the request whose body is being read
  bool keep_alive_ = true;
  bool head_request_ = false;
  size_t lingered_ = 0;  // bytes discarded by LingerThenClose
};

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, RequestHandler handler, RejectFormatter reject)
      : options_(options), handler_(std::move(handler)), reject_(std::move(reject)) {
    int n = options.threads > 0
                ? options.threads
                : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    for (int i = 0; i < n; ++i) workers_.push_back(std::make_unique<Worker>());
    acceptor_.emplace(workers_[0]->ioc());
  }

  ~Impl() { Stop(); }

  Status Listen(const std::string& host, uint16_t port) {
    beast::error_code ec;
    net::ip::address addr = net::ip::make_address(host, ec);
    if (ec) {
      tcp::resolver resolver(workers_[0]->ioc());
      auto results = resolver.resolve(host, std::to_string(port), ec);
      if (ec || results.empty()) return Status::InvalidArgument("cannot resolve host " + host);
      addr = results.begin()->endpoint().address();
    }
    tcp::endpoint ep(addr, port);
    acceptor_->open(ep.protocol(), ec);
    if (ec) return Status::IOError("open: " + ec.message());
    acceptor_->set_option(net::socket_base::reuse_address(true), ec);
    acceptor_->bind(ep, ec);
    if (ec) {
      return Status::IOError("cannot bind " + host + ":" + std::to_string(port) + ": " +
                             ec.message());
    }
    acceptor_->listen(net::socket_base::max_listen_connections, ec);
    if (ec) return Status::IOError("listen: " + ec.message());
    port_ = acceptor_->local_endpoint().port();
    return Status::Ok();
  }

  uint16_t port() const { return port_; }

  void Start() {
    DoAccept();
    for (auto& w : workers_) w->Start();
  }

  void Stop() {
    if (stopped_.exchange(true)) return;
    for (auto& w : workers_) w->Stop();
    // No handler runs any more, so the sockets can be closed from here. Without this the stopped
    // io_contexts would hold the listening socket and every idle connection open until the
    // Server is destroyed.
    beast::error_code ec;
    acceptor_->close(ec);
    std::lock_guard<std::mutex> lock(sessions_mu_);
    for (auto& weak : sessions_) {
      if (auto session = weak.lock()) session->CloseStopped();
    }
    sessions_.clear();
  }

 private:
  // Accepts on the first worker and hands connections to the workers in turn.
  void DoAccept() {
    Worker& target = *workers_[next_worker_++ % workers_.size()];
    acceptor_->async_accept(target.ioc(), [this](beast::error_code ec, tcp::socket s) {
      if (!acceptor_->is_open()) return;
      if (!ec) {
        auto session = std::make_shared<Session>(std::move(s), options_, handler_, reject_);
        Track(session);
        session->Run();
      } else if (ec != net::error::operation_aborted) {
        // Out of descriptors or similar: pause briefly rather than spin.
        auto timer = std::make_shared<net::steady_timer>(workers_[0]->ioc());
        timer->expires_after(std::chrono::milliseconds(50));
        timer->async_wait([this, timer](beast::error_code) { DoAccept(); });
        return;
      }
      DoAccept();
    });
  }

  // Remembers a connection so that Stop() can close it; forgets finished ones as it goes.
  void Track(const std::shared_ptr<Session>& session) {
    std::lock_guard<std::mutex> lock(sessions_mu_);
    if (sessions_.size() >= prune_at_) {
      std::erase_if(sessions_, [](const std::weak_ptr<Session>& w) { return w.expired(); });
      prune_at_ = std::max<size_t>(64, 2 * sessions_.size());
    }
    sessions_.push_back(session);
  }

  ServerOptions options_;
  RequestHandler handler_;
  RejectFormatter reject_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::optional<tcp::acceptor> acceptor_;
  size_t next_worker_ = 0;
  std::atomic<bool> stopped_{false};
  uint16_t port_ = 0;
  std::mutex sessions_mu_;
  std::vector<std::weak_ptr<Session>> sessions_;  // guarded by sessions_mu_
  size_t prune_at_ = 64;                          // guarded by sessions_mu_
};

Server::Server(ServerOptions options, RequestHandler handler, RejectFormatter reject)
    : impl_(std::make_unique<Impl>(options, std::move(handler), std::move(reject))) {}
Server::~Server() = default;
Status Server::Listen(const std::string& host, uint16_t port) { return impl_->Listen(host, port); }
uint16_t Server::port() const { return impl_->port(); }
void Server::Start() { impl_->Start(); }
void Server::Stop() { impl_->Stop(); }

}  // namespace sagetrail::http
