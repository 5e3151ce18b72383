// S3's flexible checksums (x-amz-checksum-*): the algorithms, their names on the wire, and a
// streaming Checksummer whose result is printed as S3 prints it (base64 of the big-endian digest).
//
// CRC32 is zlib's; CRC32C and CRC64NVME are table-driven (slicing-by-8, tables built at compile
// time); SHA1 and SHA256 are OpenSSL's. Everything here is thread-compatible: a Checksummer is
// used by one thread at a time, the free functions are thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sagetrail {

enum class ChecksumAlgorithm { kCrc32, kCrc32c, kCrc64Nvme, kSha1, kSha256 };

inline constexpr ChecksumAlgorithm kAllChecksumAlgorithms[] = {
    ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kCrc64Nvme,
    ChecksumAlgorithm::kSha1, ChecksumAlgorithm::kSha256};

// From S3's names ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"), ASCII case-insensitive (the
// x-amz-checksum-algorithm / x-amz-sdk-checksum-algorithm headers, ChecksumAlgorithm members).
std::optional<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name);
// From a header name ("x-amz-checksum-crc32", ...), ASCII case-insensitive.
std::optional<ChecksumAlgorithm> ChecksumAlgorithmFromHeader(std::string_view header_name);

std::string_view ChecksumAlgorithmName(ChecksumAlgorithm algorithm);  // "CRC32"
std::string_view ChecksumHeaderName(ChecksumAlgorithm algorithm);     // "x-amz-checksum-crc32"
std::string_view ChecksumMemberName(ChecksumAlgorithm algorithm);     // "ChecksumCRC32"
// Bytes of the raw digest: 4, 4, 8, 20, 32.
size_t ChecksumDigestSize(ChecksumAlgorithm algorithm);

// Raw running CRCs, for callers that keep the state themselves. `crc` is the previous result (0
// to start); the value returned is the finished CRC of everything so far (init and final xor
// applied), so Crc32cUpdate(Crc32cUpdate(0, a), b) == Crc32c(a + b).
uint32_t Crc32cUpdate(uint32_t crc, const void* data, size_t size);
uint64_t Crc64NvmeUpdate(uint64_t crc, const void* data, size_t size);
inline uint32_t Crc32c(std::string_view data) { return Crc32cUpdate(0, data.data(), data.size()); }
inline uint64_t Crc64Nvme(std::string_view data) {
  return Crc64NvmeUpdate(0, data.data(), data.size());
}

// One checksum over data that arrives in pieces.
class Checksummer {
 public:
  explicit Checksummer(ChecksumAlgorithm algorithm);
  ~Checksummer();
  Checksummer(Checksummer&& other) noexcept;
  Checksummer& operator=(Checksummer&& other) noexcept;
  Checksummer(const Checksummer&) = delete;
  Checksummer& operator=(const Checksummer&) = delete;

  ChecksumAlgorithm algorithm() const { return algorithm_; }
  void Update(std::string_view data);
  // The digest, big-endian, as raw bytes (ChecksumDigestSize bytes). Call once.
  std::string FinishRaw();
  // The base64 of FinishRaw(): the value of x-amz-checksum-* and of the Checksum* members.
  // Call once.
  std::string Finish();

 private:
  ChecksumAlgorithm algorithm_;
  uint64_t crc_ = 0;     // CRC algorithms
  void* ctx_ = nullptr;  // EVP_MD_CTX, SHA algorithms
};

// The checksum of `data` in one call, base64 (Checksummer's Finish()).
std::string ComputeChecksum(ChecksumAlgorithm algorithm, std::string_view data);

}  // namespace sagetrail
