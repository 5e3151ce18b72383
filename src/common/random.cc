#include "common/random.h"

#include <openssl/rand.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace sagetrail {

std::string Random::Uuid() {
  uint8_t b[16];
  Fill(b, sizeof(b));
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0x0f]);
  }
  return out;
}

std::string Random::FromAlphabet(size_t n, std::string_view alphabet) {
  std::string out;
  out.reserve(n);
  const size_t size = alphabet.size();
  // Rejection sampling keeps the distribution uniform.
  const unsigned limit = 256 - (256 % size);
  uint8_t buf[64];
  while (out.size() < n) {
    Fill(buf, sizeof(buf));
    for (uint8_t c : buf) {
      if (c >= limit) continue;
      out.push_back(alphabet[c % size]);
      if (out.size() == n) break;
    }
  }
  return out;
}

void SystemRandom::Fill(uint8_t* out, size_t n) {
  struct Pool {
    uint8_t bytes[4096];
    size_t used = sizeof(bytes);
  };
  thread_local Pool pool;
  while (n > 0) {
    if (pool.used == sizeof(pool.bytes)) {
      if (RAND_bytes(pool.bytes, sizeof(pool.bytes)) != 1) {
        std::abort();  // The DRBG failing is unrecoverable; never hand out predictable ids.
      }
      pool.used = 0;
    }
    size_t take = std::min(n, sizeof(pool.bytes) - pool.used);
    std::memcpy(out, pool.bytes + pool.used, take);
    // Bytes handed out are wiped from the pool.
    std::memset(pool.bytes + pool.used, 0, take);
    pool.used += take;
    out += take;
    n -= take;
  }
}

void SeededRandom::Fill(uint8_t* out, size_t n) {
  std::atomic_ref<uint64_t> state(state_);
  for (size_t i = 0; i < n; i += 8) {
    uint64_t z = state.fetch_add(0x9e3779b97f4a7c15ULL) + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    std::memcpy(out + i, &z, n - i < 8 ? n - i : 8);
  }
}

}  // namespace sagetrail
