// Shared test helpers and fakes: a settable clock, an in-memory credential store, and access to
// the machine's botocore models.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "aws/credential_store.h"
#include "aws/model/model_registry.h"
#include "common/clock.h"

namespace sagetrail::testing {

// A clock that moves only when told to.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start = FromUnixSeconds(1763805600)) : now_(start) {}
  TimePoint Now() const override {
    std::lock_guard<std::mutex> l(mu_);
    return now_;
  }
  void Set(TimePoint t) {
    std::lock_guard<std::mutex> l(mu_);
    now_ = t;
  }
  void Advance(std::chrono::milliseconds d) {
    std::lock_guard<std::mutex> l(mu_);
    now_ += d;
  }

 private:
  mutable std::mutex mu_;
  TimePoint now_;
};

// Credentials held in memory.
class FakeCredentialStore final : public aws::CredentialStore {
 public:
  void Add(aws::Credential c) {
    std::lock_guard<std::mutex> l(mu_);
    std::string id = c.access_key_id;
    creds_[id] = std::make_shared<aws::Credential>(std::move(c));
  }
  std::shared_ptr<const aws::Credential> Find(std::string_view key,
                                              std::string_view) const override {
    std::lock_guard<std::mutex> l(mu_);
    auto it = creds_.find(std::string(key));
    return it == creds_.end() ? nullptr : it->second;
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<aws::Credential>> creds_;
};

// The botocore models on this machine, loaded once per test binary.
const aws::ModelRegistry& Models();

// <repo>/tests/<relative>
std::string TestDataPath(const std::string& relative);

}  // namespace sagetrail::testing
