// Hashing, MACs and encodings over OpenSSL 3. Every function is thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sagetrail {

using Sha256Digest = std::array<uint8_t, 32>;
using Md5Digest = std::array<uint8_t, 16>;

Sha256Digest Sha256(std::string_view data);
std::string Sha256Hex(std::string_view data);
Sha256Digest HmacSha256(std::string_view key, std::string_view data);
std::array<uint8_t, 16> Md5(std::string_view data);

// Incremental SHA-256, for data that arrives in pieces.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;
  void Update(std::string_view data);
  Sha256Digest Finish();
  // Starts over, as if newly constructed (no allocation).
  void Reset();

 private:
  void* ctx_;  // EVP_MD_CTX
};

// Incremental MD5 (S3's ETag of an object streamed to disk).
class Md5Hasher {
 public:
  Md5Hasher();
  ~Md5Hasher();
  Md5Hasher(const Md5Hasher&) = delete;
  Md5Hasher& operator=(const Md5Hasher&) = delete;
  void Update(std::string_view data);
  Md5Digest Finish();
  // Starts over, as if newly constructed (no allocation).
  void Reset();

 private:
  void* ctx_;  // EVP_MD_CTX
};

std::string HexEncode(const uint8_t* data, size_t n);
template <size_t N>
std::string HexEncode(const std::array<uint8_t, N>& a) {
  return HexEncode(a.data(), N);
}
inline std::string HexEncode(std::string_view s) {
  return HexEncode(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
std::optional<std::string> HexDecode(std::string_view hex);

std::string Base64Encode(std::string_view data);
// Strict RFC 4648 decoding (padding required); nullopt on malformed input.
std::optional<std::string> Base64Decode(std::string_view b64);

// Equality that takes the same time whatever the contents (for secrets and signatures).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace sagetrail
