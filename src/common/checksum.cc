#include "common/checksum.h"

#include <openssl/evp.h>
#include <zlib.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "common/crypto.h"
#include "common/strings.h"

namespace sagetrail {
namespace {

struct AlgorithmNames {
  ChecksumAlgorithm algorithm;
  std::string_view name;
  std::string_view header;
  std::string_view member;
  size_t digest_size;
};

constexpr AlgorithmNames kNames[] = {
    {ChecksumAlgorithm::kCrc32, "CRC32", "x-amz-checksum-crc32", "ChecksumCRC32", 4},
    {ChecksumAlgorithm::kCrc32c, "CRC32C", "x-amz-checksum-crc32c", "ChecksumCRC32C", 4},
    {ChecksumAlgorithm::kCrc64Nvme, "CRC64NVME", "x-amz-checksum-crc64nvme", "ChecksumCRC64NVME",
     8},
    {ChecksumAlgorithm::kSha1, "SHA1", "x-amz-checksum-sha1", "ChecksumSHA1", 20},
    {ChecksumAlgorithm::kSha256, "SHA256", "x-amz-checksum-sha256", "ChecksumSHA256", 32},
};

const AlgorithmNames& NamesOf(ChecksumAlgorithm algorithm) {
  for (const AlgorithmNames& n : kNames) {
    if (n.algorithm == algorithm) return n;
  }
  std::abort();  // every enumerator is listed above
}

// Slicing-by-8 tables for a reflected CRC of width W (32 or 64) with reflected polynomial `poly`:
// table[0] is the byte-at-a-time table; table[k][b] is the CRC of byte b followed by k zero bytes.
template <typename T>
constexpr std::array<std::array<T, 256>, 8> MakeTables(T poly) {
  std::array<std::array<T, 256>, 8> t{};
  for (unsigned b = 0; b < 256; ++b) {
    T crc = static_cast<T>(b);
    for (int i = 0; i < 8; ++i) crc = (crc & 1) ? static_cast<T>((crc >> 1) ^ poly) : crc >> 1;
    t[0][b] = crc;
  }
  for (size_t k = 1; k < 8; ++k) {
    for (unsigned b = 0; b < 256; ++b) {
      T prev = t[k - 1][b];
      t[k][b] = static_cast<T>((prev >> 8) ^ t[0][prev & 0xff]);
    }
  }
  return t;
}

// CRC-32C (Castagnoli), reflected polynomial of 0x1EDC6F41.
constexpr auto kCrc32cTables = MakeTables<uint32_t>(0x82f63b78u);
// CRC-64/NVME, reflected polynomial of 0xAD93D23594C93659.
constexpr auto kCrc64NvmeTables = MakeTables<uint64_t>(0x9a6c9329ac4bc9b5ull);

static_assert(kCrc32cTables[0][1] == 0xf26b8303u);

// The project targets little-endian machines (see common/coding.h), so an 8-byte load puts the
// first input byte in the low bits, as a reflected CRC consumes it.
inline uint64_t Load64(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

uint32_t Crc32cRaw(uint32_t crc, const unsigned char* p, size_t n) {
  const auto& t = kCrc32cTables;
  while (n > 0 && (reinterpret_cast<uintptr_t>(p) & 7) != 0) {
    crc = (crc >> 8) ^ t[0][(crc ^ *p++) & 0xff];
    --n;
  }
  while (n >= 8) {
    uint64_t w = Load64(p) ^ crc;
    crc = t[7][w & 0xff] ^ t[6][(w >> 8) & 0xff] ^ t[5][(w >> 16) & 0xff] ^ t[4][(w >> 24) & 0xff] ^
          t[3][(w >> 32) & 0xff] ^ t[2][(w >> 40) & 0xff] ^ t[1][(w >> 48) & 0xff] ^ t[0][w >> 56];
    p += 8;
    n -= 8;
  }
  while (n > 0) {
    crc = (crc >> 8) ^ t[0][(crc ^ *p++) & 0xff];
    --n;
  }
  return crc;
}

uint64_t Crc64Raw(uint64_t crc, const unsigned char* p, size_t n) {
  const auto& t = kCrc64NvmeTables;
  while (n > 0 && (reinterpret_cast<uintptr_t>(p) & 7) != 0) {
    crc = (crc >> 8) ^ t[0][(crc ^ *p++) & 0xff];
    --n;
  }
  while (n >= 8) {
    uint64_t w = Load64(p) ^ crc;
    crc = t[7][w & 0xff] ^ t[6][(w >> 8) & 0xff] ^ t[5][(w >> 16) & 0xff] ^ t[4][(w >> 24) & 0xff] ^
          t[3][(w >> 32) & 0xff] ^ t[2][(w >> 40) & 0xff] ^ t[1][(w >> 48) & 0xff] ^ t[0][w >> 56];
    p += 8;
    n -= 8;
  }
  while (n > 0) {
    crc = (crc >> 8) ^ t[0][(crc ^ *p++) & 0xff];
    --n;
  }
  return crc;
}

const EVP_MD* FetchedMd(ChecksumAlgorithm algorithm) {
  // Fetched once: avoids OpenSSL 3's provider lookup on every checksum.
  static const EVP_MD* sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  static const EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  const EVP_MD* md = algorithm == ChecksumAlgorithm::kSha1 ? sha1 : sha256;
  if (md == nullptr) std::abort();
  return md;
}

bool IsSha(ChecksumAlgorithm algorithm) {
  return algorithm == ChecksumAlgorithm::kSha1 || algorithm == ChecksumAlgorithm::kSha256;
}

}  // namespace

std::optional<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name) {
  for (const AlgorithmNames& n : kNames) {
    if (EqualsIgnoreCase(name, n.name)) return n.algorithm;
  }
  return std::nullopt;
}

std::optional<ChecksumAlgorithm> ChecksumAlgorithmFromHeader(std::string_view header_name) {
  for (const AlgorithmNames& n : kNames) {
    if (EqualsIgnoreCase(header_name, n.header)) return n.algorithm;
  }
  return std::nullopt;
}

std::string_view ChecksumAlgorithmName(ChecksumAlgorithm algorithm) {
  return NamesOf(algorithm).name;
}

std::string_view ChecksumHeaderName(ChecksumAlgorithm algorithm) {
  return NamesOf(algorithm).header;
}

std::string_view ChecksumMemberName(ChecksumAlgorithm algorithm) {
  return NamesOf(algorithm).member;
}

size_t ChecksumDigestSize(ChecksumAlgorithm algorithm) { return NamesOf(algorithm).digest_size; }

uint32_t Crc32cUpdate(uint32_t crc, const void* data, size_t size) {
  return ~Crc32cRaw(~crc, static_cast<const unsigned char*>(data), size);
}

uint64_t Crc64NvmeUpdate(uint64_t crc, const void* data, size_t size) {
  return ~Crc64Raw(~crc, static_cast<const unsigned char*>(data), size);
}

Checksummer::Checksummer(ChecksumAlgorithm algorithm) : algorithm_(algorithm) {
  if (IsSha(algorithm_)) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (ctx == nullptr || EVP_DigestInit_ex2(ctx, FetchedMd(algorithm_), nullptr) != 1) {
      std::abort();
    }
    ctx_ = ctx;
  }
}

Checksummer::~Checksummer() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

Checksummer::Checksummer(Checksummer&& other) noexcept
    : algorithm_(other.algorithm_), crc_(other.crc_), ctx_(std::exchange(other.ctx_, nullptr)) {}

Checksummer& Checksummer::operator=(Checksummer&& other) noexcept {
  if (this != &other) {
    EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_));
    algorithm_ = other.algorithm_;
    crc_ = other.crc_;
    ctx_ = std::exchange(other.ctx_, nullptr);
  }
  return *this;
}

void Checksummer::Update(std::string_view data) {
  switch (algorithm_) {
    case ChecksumAlgorithm::kCrc32:
      crc_ = crc32_z(static_cast<uLong>(crc_), reinterpret_cast<const Bytef*>(data.data()),
                     data.size());
      return;
    case ChecksumAlgorithm::kCrc32c:
      crc_ = Crc32cUpdate(static_cast<uint32_t>(crc_), data.data(), data.size());
      return;
    case ChecksumAlgorithm::kCrc64Nvme:
      crc_ = Crc64NvmeUpdate(crc_, data.data(), data.size());
      return;
    case ChecksumAlgorithm::kSha1:
    case ChecksumAlgorithm::kSha256:
      if (ctx_ == nullptr) std::abort();  // moved from
      EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size());
      return;
  }
}

std::string Checksummer::FinishRaw() {
  const size_t size = ChecksumDigestSize(algorithm_);
  std::string out(size, '\0');
  if (IsSha(algorithm_)) {
    if (ctx_ == nullptr) std::abort();  // moved from
    unsigned len = 0;
    if (EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_),
                           reinterpret_cast<unsigned char*>(out.data()), &len) != 1) {
      std::abort();
    }
    return out;
  }
  uint64_t v = crc_;
  for (size_t i = size; i-- > 0;) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}

std::string Checksummer::Finish() { return Base64Encode(FinishRaw()); }

std::string ComputeChecksum(ChecksumAlgorithm algorithm, std::string_view data) {
  Checksummer c(algorithm);
  c.Update(data);
  return c.Finish();
}

}  // namespace sagetrail
