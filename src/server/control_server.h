// ControlServer: the running server's local control channel, a Unix socket in its data
// directory (<data-dir>/control.sock, mode 0600 in a 0700 folder: only the owner of the data
// directory can reach it). It serves the tools that must change a running server's state, which
// only the server may write (`sagetrail accounts add`). One request per connection: a line of
// JSON in, a line of JSON out; requests are handled one at a time on the socket's own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "common/result.h"

namespace sagetrail::server {

class ControlServer {
 public:
  using Handler = std::function<std::string(std::string_view request)>;
  static Result<std::unique_ptr<ControlServer>> Start(const std::string& path, Handler handler);
  ~ControlServer();
  // Stops accepting and joins the thread; removes the socket file. Idempotent.
  void Stop();

 private:
  ControlServer(std::string path, int listen_fd, int wake_fd[2], Handler handler);
  void Run();

  std::string path_;
  int listen_fd_;
  int wake_read_, wake_write_;
  Handler handler_;
  std::atomic<bool> stopped_{false};
  std::thread thread_;
};

// Sends one request to the server listening at `path` and returns its answer. NotFound when no
// server listens there (no socket, or a stale one).
Result<std::string> CallControl(const std::string& path, std::string_view request,
                                std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace sagetrail::server
