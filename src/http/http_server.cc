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
#include "http/request_reader.h"

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

// A header field that can go on the wire as one field: no CR, LF or NUL in it (a value taken from
// a request, such as S3's response-content-type, could otherwise split the response).
bool SafeField(const Header& h) {
  auto clean = [](std::string_view s) {
    return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
  };
  return !h.name.empty() && clean(h.name) && clean(h.value);
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
          const RejectFormatter& reject, const BodyStreamer& streamer)
      : stream_(std::move(socket)),
        options_(options),
        handler_(handler),
        reject_(reject),
        reader_(options.header_limit, options.body_limit, streamer, options.streamed_body_limit) {
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
    RequestReader::Parser* parser = reader_.Next();
    if (parser == nullptr) return LingerThenClose();  // not reached: Write closes first
    stream_.expires_after(options_.idle_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser,
                             beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    // A rejected request is answered and the connection closed: nothing after its head is read
    // as a request.
    head_request_ = reader_.parser().get().method() == bhttp::verb::head;  // no body in errors
    if (auto rejection = reader_.OnHeader()) return Reject(*rejection);
    if (reader_.expects_continue()) {
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

  void ReadBody() {
    if (reader_.streaming()) return ReadStreamedBody();
    if (reader_.parser().is_done()) return Dispatch();
    stream_.expires_after(options_.read_timeout);
    bhttp::async_read(stream_, buffer_, reader_.parser(),
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->OnReadError(ec);
                        self->Dispatch();
                      });
  }

  // Reads the next piece of a streamed body into the buffer and hands it to the sink; the timeout
  // is per piece, so a large body may take as long as it needs while it keeps arriving.
  void ReadStreamedBody() {
    auto& parser = reader_.stream_parser();
    if (parser.is_done()) {
      reader_.sink().Finish();
      return Dispatch();
    }
    if (piece_.empty()) piece_.resize(kPieceSize);
    parser.get().body().data = piece_.data();
    parser.get().body().size = piece_.size();
    stream_.expires_after(options_.read_timeout);
    bhttp::async_read(stream_, buffer_, parser,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec == bhttp::error::need_buffer) ec = {};
                        if (ec) return self->OnReadError(ec);
                        auto& p = self->reader_.stream_parser();
                        size_t n = self->piece_.size() - p.get().body().size;
                        if (n > 0) self->reader_.sink().Append({self->piece_.data(), n});
                        self->ReadStreamedBody();
                      });
  }

  // A read that ended without a whole request: the peer going away or a timeout closes
  // silently, everything the parser refuses is answered (RequestReader::OnReadError).
  void OnReadError(beast::error_code ec) {
    if (auto rejection = reader_.OnReadError(ec)) return Reject(*rejection);
    Close();
  }

  // Answers a request the reader refused, then closes: the rest of the stream can't be trusted.
  void Reject(const ReadRejection& rejection) {
    Request partial = reader_.Partial();
    partial.remote_ip = remote_ip_;
    partial.remote_port = remote_port_;
    Response r = reject_ ? reject_(rejection.status, rejection.reason, partial)
                         : DefaultReject(rejection.status, rejection.reason, partial);
    r.close = true;
    Write(std::move(r));
  }

  void Dispatch() {
    Request req = reader_.TakeRequest();
    req.remote_ip = remote_ip_;
    req.remote_port = remote_port_;
    stream_.expires_never();
    auto self = shared_from_this();
    handler_(std::move(req), [self](Response resp) {
      net::post(self->stream_.get_executor(),
                [self, resp = std::move(resp)]() mutable { self->Write(std::move(resp)); });
    });
  }

  void Write(Response r) {
    // 1xx, 204 and 304 answers have no body (RFC 9110 §6.4.1), whatever the handler made.
    if (r.status < 200 || r.status == 204 || r.status == 304) {
      r.body.clear();
      r.body_source.reset();
    }
    if (r.body_source) return WriteStreamed(std::move(r));
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(r.status));
    for (auto& h : r.headers) {
      if (SafeField(h)) res->insert(h.name, h.value);
    }
    if (res->find(bhttp::field::date) == res->end()) res->set(bhttp::field::date, CachedHttpDate());
    bool close = r.close || !reader_.keep_alive();
    res->keep_alive(!close);
    if (head_request_) {
      // HEAD: the length of the body a GET would get (as the handler said it, or the length of
      // the body it made), and no body.
      if (r.FindHeader("Content-Length") == nullptr) res->content_length(r.body.size());
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

  // A response whose body comes from a BodySource: the head, then the body in pieces.
  void WriteStreamed(Response r) {
    auto res = std::make_shared<bhttp::response<bhttp::empty_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(r.status));
    for (auto& h : r.headers) {
      if (SafeField(h)) res->insert(h.name, h.value);
    }
    if (res->find(bhttp::field::date) == res->end()) res->set(bhttp::field::date, CachedHttpDate());
    bool close = r.close || !reader_.keep_alive();
    res->keep_alive(!close);
    res->content_length(r.body_source->size());
    bool send_body = !head_request_;
    head_request_ = false;
    auto serializer = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*res);
    stream_.expires_after(options_.read_timeout);
    bhttp::async_write_header(
        stream_, *serializer,
        [self = shared_from_this(), res, serializer, source = std::move(r.body_source), close,
         send_body](beast::error_code ec, size_t) mutable {
          if (ec) return self->Close();
          if (!send_body) return self->AfterWrite(close);
          self->WriteSourcePiece(std::move(source), 0, close);
        });
  }

  void WriteSourcePiece(std::shared_ptr<BodySource> source, uint64_t sent, bool close) {
    uint64_t left = source->size() - sent;
    if (left == 0) return AfterWrite(close);
    if (piece_.empty()) piece_.resize(kPieceSize);
    size_t n =
        source->Read(piece_.data(), static_cast<size_t>(std::min<uint64_t>(left, piece_.size())));
    if (n == 0) return Close();  // the source failed: the client sees a short body
    stream_.expires_after(options_.read_timeout);
    net::async_write(stream_, net::buffer(piece_.data(), n),
                     [self = shared_from_this(), source = std::move(source), sent, n, close](
                         beast::error_code ec, size_t) mutable {
                       if (ec) return self->Close();
                       self->WriteSourcePiece(std::move(source), sent + n, close);
                     });
  }

  void AfterWrite(bool close) {
    if (close) return LingerThenClose();
    ReadHeader();
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
  static constexpr size_t kPieceSize = 256 * 1024;  // streamed bodies move in pieces this big

  beast::flat_buffer buffer_;
  std::vector<char> piece_;  // the piece of a streamed body being read or written
  RequestReader reader_;
  std::string remote_ip_;
  uint16_t remote_port_ = 0;
  bool head_request_ = false;
  size_t lingered_ = 0;  // bytes discarded by LingerThenClose
};

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, RequestHandler handler, RejectFormatter reject, BodyStreamer streamer)
      : options_(options),
        handler_(std::move(handler)),
        reject_(std::move(reject)),
        streamer_(std::move(streamer)) {
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
        auto session =
            std::make_shared<Session>(std::move(s), options_, handler_, reject_, streamer_);
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
  BodyStreamer streamer_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::optional<tcp::acceptor> acceptor_;
  size_t next_worker_ = 0;
  std::atomic<bool> stopped_{false};
  uint16_t port_ = 0;
  std::mutex sessions_mu_;
  std::vector<std::weak_ptr<Session>> sessions_;  // guarded by sessions_mu_
  size_t prune_at_ = 64;                          // guarded by sessions_mu_
};

Server::Server(ServerOptions options, RequestHandler handler, RejectFormatter reject,
               BodyStreamer streamer)
    : impl_(std::make_unique<Impl>(options, std::move(handler), std::move(reject),
                                   std::move(streamer))) {}
Server::~Server() = default;
Status Server::Listen(const std::string& host, uint16_t port) { return impl_->Listen(host, port); }
uint16_t Server::port() const { return impl_->port(); }
void Server::Start() { impl_->Start(); }
void Server::Stop() { impl_->Stop(); }

}  // namespace sagetrail::http
