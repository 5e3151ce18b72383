#include "server/control_server.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sagetrail::server {
namespace {

constexpr size_t kMaxLine = 64 * 1024;
constexpr int kIoTimeoutMs = 5000;

bool MakeAddress(const std::string& path, sockaddr_un* addr) {
  std::memset(addr, 0, sizeof(*addr));
  addr->sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr->sun_path)) return false;
  std::memcpy(addr->sun_path, path.data(), path.size());
  return true;
}

// Reads up to a newline (excluded), at most kMaxLine bytes; false on timeout or error.
bool ReadLine(int fd, std::string* line, int timeout_ms) {
  char buf[4096];
  while (line->size() < kMaxLine) {
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, timeout_ms);
    if (r <= 0) return false;
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return !line->empty();
    line->append(buf, static_cast<size_t>(n));
    size_t nl = line->find('\n');
    if (nl != std::string::npos) {
      line->resize(nl);
      return true;
    }
  }
  return false;
}

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<ControlServer>> ControlServer::Start(const std::string& path,
                                                            Handler handler) {
  sockaddr_un addr;
  if (!MakeAddress(path, &addr)) {
    return Status::InvalidArgument("the control socket path is too long: " + path);
  }
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IOError(std::string("socket: ") + std::strerror(errno));
  ::unlink(path.c_str());  // a stale socket of a server that crashed
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::chmod(path.c_str(), 0600) != 0 || ::listen(fd, 8) != 0) {
    std::string error = std::strerror(errno);
    ::close(fd);
    return Status::IOError("cannot listen on " + path + ": " + error);
  }
  int wake[2];
  if (::pipe2(wake, O_CLOEXEC) != 0) {
    ::close(fd);
    return Status::IOError(std::string("pipe: ") + std::strerror(errno));
  }
  auto server =
      std::unique_ptr<ControlServer>(new ControlServer(path, fd, wake, std::move(handler)));
  server->thread_ = std::thread([s = server.get()] { s->Run(); });
  return server;
}

ControlServer::ControlServer(std::string path, int listen_fd, int wake_fd[2], Handler handler)
    : path_(std::move(path)),
      listen_fd_(listen_fd),
      wake_read_(wake_fd[0]),
      wake_write_(wake_fd[1]),
      handler_(std::move(handler)) {}

ControlServer::~ControlServer() { Stop(); }

void ControlServer::Stop() {
  if (stopped_.exchange(true)) return;
  char b = 0;
  [[maybe_unused]] ssize_t n = ::write(wake_write_, &b, 1);
  if (thread_.joinable()) thread_.join();
  ::close(listen_fd_);
  ::close(wake_read_);
  ::close(wake_write_);
  ::unlink(path_.c_str());
}

void ControlServer::Run() {
  while (true) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_read_, POLLIN, 0}};
    int r = ::poll(fds, 2, -1);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 || (fds[1].revents & POLLIN)) return;
    if (!(fds[0].revents & POLLIN)) continue;
    int conn = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) continue;
    std::string request;
    if (ReadLine(conn, &request, kIoTimeoutMs)) {
      std::string answer = handler_(request);
      answer.push_back('\n');
      WriteAll(conn, answer);
    }
    ::close(conn);
  }
}

Result<std::string> CallControl(const std::string& path, std::string_view request,
                                std::chrono::milliseconds timeout) {
  sockaddr_un addr;
  if (!MakeAddress(path, &addr)) return Status::NotFound("no control socket at " + path);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IOError(std::string("socket: ") + std::strerror(errno));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    int e = errno;
    ::close(fd);
    if (e == ENOENT || e == ECONNREFUSED) return Status::NotFound("no server listens on " + path);
    return Status::IOError("cannot reach " + path + ": " + std::strerror(e));
  }
  std::string line(request);
  line.push_back('\n');
  std::string answer;
  bool ok = WriteAll(fd, line) && ReadLine(fd, &answer, static_cast<int>(timeout.count()));
  ::close(fd);
  if (!ok) return Status::IOError("no answer from the server on " + path);
  return answer;
}

}  // namespace sagetrail::server
