// MotoServer: a `python3 -m moto.server` child on a free loopback port, for tests of our S3
// client against a real S3 implementation. Start() waits until it answers; the destructor stops
// it (SIGTERM, then SIGKILL), and the child is told to die with the test process should the test
// be killed first.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

namespace sagetrail::testing {

// A loopback port nothing listens on right now (bound, read, released).
inline uint16_t FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

class MotoServer {
 public:
  // Null (with the reason in `why`) when moto cannot be started within `patience`.
  static std::unique_ptr<MotoServer> Start(
      std::string* why, std::chrono::seconds patience = std::chrono::seconds(30)) {
    uint16_t port = FreeLoopbackPort();
    if (port == 0) {
      *why = "no free loopback port";
      return nullptr;
    }
    std::string port_text = std::to_string(port);
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) {
      *why = "fork failed";
      return nullptr;
    }
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() != parent) ::_exit(1);
      int null_fd = ::open("/dev/null", O_RDWR);
      if (null_fd >= 0) {
        ::dup2(null_fd, 0);
        ::dup2(null_fd, 1);
        ::dup2(null_fd, 2);
      }
      ::execlp("python3", "python3", "-m", "moto.server", "-H", "127.0.0.1", "-p",
               port_text.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    std::unique_ptr<MotoServer> server(new MotoServer(pid, port));
    auto deadline = std::chrono::steady_clock::now() + patience;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        server->pid_ = -1;
        *why = "python3 -m moto.server exited (status " + std::to_string(status) + ")";
        return nullptr;
      }
      if (server->Answers()) return server;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    *why = "moto_server did not answer within " + std::to_string(patience.count()) + " s";
    return nullptr;
  }

  ~MotoServer() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }

  MotoServer(const MotoServer&) = delete;
  MotoServer& operator=(const MotoServer&) = delete;

  uint16_t port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  MotoServer(pid_t pid, uint16_t port) : pid_(pid), port_(port) {}

  // Whether an HTTP request to / gets an HTTP answer.
  bool Answers() const {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port_);
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    bool ok = false;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      const char request[] = "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
      char buf[16] = {0};
      if (::send(fd, request, sizeof request - 1, MSG_NOSIGNAL) > 0 &&
          ::recv(fd, buf, sizeof buf - 1, MSG_WAITALL) >= 8) {
        ok = std::string(buf, 5) == "HTTP/";
      }
    }
    ::close(fd);
    return ok;
  }

  pid_t pid_;
  uint16_t port_;
};

}  // namespace sagetrail::testing
