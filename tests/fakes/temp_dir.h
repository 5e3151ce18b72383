// TempDir: a fresh directory under the system temp dir, removed (with everything in it) when the
// object goes away. Named after the running test so leftovers are easy to trace.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

namespace sagetrail::testing {

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string test = info ? std::string(info->test_suite_name()) + "_" + info->name() : "none";
    for (char& c : test) {
      if (c == '/') c = '_';
    }
    path_ = std::filesystem::temp_directory_path() / ("sagetrail_" + std::to_string(::getpid()) +
                                                      "_" + std::to_string(counter++) + "_" + test);
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string Sub(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace sagetrail::testing
