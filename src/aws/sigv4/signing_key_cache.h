// SigningKeyCache: remembers derived SigV4 signing keys per (access key, date, region, service),
// so that a warm request costs one HMAC instead of five. Thread-safe; bounded in size.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/crypto.h"

namespace sagetrail::aws::sigv4 {

class SigningKeyCache {
 public:
  explicit SigningKeyCache(size_t capacity = 4096) : capacity_(capacity) {}

  // The signing key for this scope, derived from `secret` on a miss.
  Sha256Digest Get(std::string_view access_key_id, std::string_view secret, std::string_view date,
                   std::string_view region, std::string_view service);

  size_t size() const;

 private:
  struct Entry {
    std::string secret;  // guards against a key id whose secret changed
    Sha256Digest key;
  };
  size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // guarded by mu_
};

}  // namespace sagetrail::aws::sigv4
