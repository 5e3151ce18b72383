// ScriptedHttpServer: a tiny HTTP/1.1 server on 127.0.0.1 for client tests. Each request (head
// and Content-Length body read whole) is recorded and answered by the test's handler, one request
// per connection (Connection: close). Serves on its own thread until destroyed.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/strings.h"
#include "http/http_message.h"

namespace sagetrail::testing {

struct ScriptedReply {
  int status = 200;
  std::vector<http::Header> headers;
  std::string body;
  // When set, the connection is closed after this many body bytes (Content-Length stays the
  // whole body's): a transfer cut short.
  std::optional<size_t> cut_body_at;
};

class ScriptedHttpServer {
 public:
  // `handler` gets each request (method, target, headers, body) and its 0-based number.
  using Handler = std::function<ScriptedReply(const http::Request&, int)>;

  explicit ScriptedHttpServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 16) != 0) {
      ::close(listen_fd_);
      listen_fd_ = -1;
      return;
    }
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }

  ~ScriptedHttpServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
  }

  ScriptedHttpServer(const ScriptedHttpServer&) = delete;
  ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;

  bool ok() const { return listen_fd_ >= 0; }
  uint16_t port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<http::Request> requests() const {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      timeval tv{5, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      HandleConnection(fd);
      ::close(fd);
    }
  }

  void HandleConnection(int fd) {
    std::string data;
    size_t head_end;
    char buf[65536];
    while ((head_end = data.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0 || data.size() > (1 << 20)) return;
      data.append(buf, static_cast<size_t>(n));
    }
    http::Request request;
    std::vector<std::string_view> lines = Split(std::string_view(data).substr(0, head_end), '\n');
    if (lines.empty()) return;
    std::vector<std::string_view> first = Split(Trim(lines[0]), ' ');
    if (first.size() < 2) return;
    request.method = std::string(first[0]);
    request.target = std::string(first[1]);
    size_t content_length = 0;
    for (size_t i = 1; i < lines.size(); ++i) {
      std::string_view line = Trim(lines[i]);
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      http::Header h{std::string(Trim(line.substr(0, colon))),
                     std::string(Trim(line.substr(colon + 1)))};
      if (EqualsIgnoreCase(h.name, "content-length")) content_length = std::stoul(h.value);
      request.headers.push_back(std::move(h));
    }
    request.body = data.substr(head_end + 4);
    while (request.body.size() < content_length) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return;
      request.body.append(buf, static_cast<size_t>(n));
    }
    int index;
    {
      std::lock_guard<std::mutex> l(mu_);
      index = static_cast<int>(requests_.size());
      requests_.push_back(request);
    }
    ScriptedReply reply = handler_(request, index);
    std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " Scripted\r\n";
    bool has_length = false;
    for (const http::Header& h : reply.headers) {
      if (EqualsIgnoreCase(h.name, "content-length")) has_length = true;
      out += h.name + ": " + h.value + "\r\n";
    }
    if (!has_length) out += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n";
    out += "Connection: close\r\n\r\n";
    if (request.method != "HEAD") {
      out += reply.cut_body_at ? reply.body.substr(0, *reply.cut_body_at) : reply.body;
    }
    size_t sent = 0;
    while (sent < out.size()) {
      ssize_t n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }

  Handler handler_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<http::Request> requests_;
};

}  // namespace sagetrail::testing
