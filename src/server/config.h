// ServeOptions: the settings of `sagetrail serve`.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "sagemaker/timings.h"

namespace sagetrail::server {

struct ServeOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4566;
  std::string data_dir = "./sagetrail-data";
  std::string account_id = "123456789012";
  std::string log_level = "info";
  std::string models_dir;  // empty: find botocore's models
  int threads = 0;         // 0: one per hardware thread
  size_t max_body_bytes = 8 * 1024 * 1024;
  std::string default_region = "us-east-1";  // printed for AWS_DEFAULT_REGION
  // "normal": an acknowledged call's record survives any crash of the process (kill -9);
  // "full": it also survives power loss (fsync per group commit).
  std::string durability = "normal";
  int event_retention_days = 90;
  // Moves the server's clock this far from the system's (tests of expirations); 0 normally.
  std::chrono::milliseconds clock_offset{0};
  sagemaker::Timings timings;  // how long SageMaker lifecycles take
};

}  // namespace sagetrail::server
