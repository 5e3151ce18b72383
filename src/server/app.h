// App: wires the server together (models, identities, SigV4, services, pipeline, HTTP) and owns
// every part. Start() returns once the port is open; Stop() shuts down cleanly.
#pragma once

#include <memory>
#include <string>

#include "common/clock.h"
#include "common/random.h"
#include "common/result.h"
#include "server/config.h"

namespace sagetrail::aws {
class ModelRegistry;
}

namespace sagetrail::server {

class App {
 public:
  // `clock` and `random` may be null (system ones are used); when given they must outlive the App.
  static Result<std::unique_ptr<App>> Create(const ServeOptions& options, Clock* clock = nullptr,
                                             Random* random = nullptr);
  ~App();

  Status Start();
  void Stop();

  uint16_t port() const;
  const std::string& credentials_path() const { return credentials_path_; }
  const aws::ModelRegistry& models() const;
  // The shell lines that point the AWS CLI and SDKs at this server.
  std::string ClientExports() const;

 private:
  struct Parts;
  explicit App(const ServeOptions& options);

  ServeOptions options_;
  std::string credentials_path_;
  std::unique_ptr<Parts> parts_;
};

// "sagetrail 0.1.0 (botocore models 1.43.11)"
std::string VersionString(const std::string& botocore_version);

}  // namespace sagetrail::server
