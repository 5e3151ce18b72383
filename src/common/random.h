// Random: the source of identifiers (request ids, event ids, access keys). Injectable so tests
// get repeatable ids. Implementations must be thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace sagetrail {

class Random {
 public:
  virtual ~Random() = default;
  // Fills `out` with `n` unpredictable bytes.
  virtual void Fill(uint8_t* out, size_t n) = 0;

  // A random version-4 UUID in lower case, e.g. "6b1b42b9-0d1f-4c8e-9e0a-3c2b1a0f9e8d".
  std::string Uuid();
  // `n` characters drawn uniformly from `alphabet` (at most 256 characters long).
  std::string FromAlphabet(size_t n, std::string_view alphabet);
};

// Cryptographically strong randomness from OpenSSL's DRBG, drawn a few kilobytes at a time per
// thread (one DRBG call per ~250 ids instead of one per id).
class SystemRandom final : public Random {
 public:
  void Fill(uint8_t* out, size_t n) override;
};

// Deterministic randomness for tests (splitmix64 from a seed). Thread-safe.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed) : state_(seed) {}
  void Fill(uint8_t* out, size_t n) override;

 private:
  uint64_t state_;
};

}  // namespace sagetrail
