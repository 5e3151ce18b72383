#include "common/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstdlib>
#include <cstring>

namespace sagetrail {
namespace {

const EVP_MD* FetchedSha256() {
  // Fetching once avoids a provider lookup on every hash (OpenSSL 3 "fetch" cost).
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (md == nullptr) std::abort();
  return md;
}

const EVP_MD* FetchedMd5() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "MD5", nullptr);
  if (md == nullptr) std::abort();
  return md;
}

// One reusable digest context per thread.
EVP_MD_CTX* ThreadCtx() {
  struct Holder {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Holder() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Holder holder;
  return holder.ctx;
}

void Digest(const EVP_MD* md, std::initializer_list<std::string_view> parts, uint8_t* out) {
  EVP_MD_CTX* ctx = ThreadCtx();
  unsigned len = 0;
  if (EVP_DigestInit_ex2(ctx, md, nullptr) != 1) std::abort();
  for (std::string_view p : parts) EVP_DigestUpdate(ctx, p.data(), p.size());
  if (EVP_DigestFinal_ex(ctx, out, &len) != 1) std::abort();
}

constexpr char kHexDigits[] = "0123456789abcdef";

}  // namespace

Sha256Digest Sha256(std::string_view data) {
  Sha256Digest out;
  Digest(FetchedSha256(), {data}, out.data());
  return out;
}

std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256(data)); }

Sha256Digest HmacSha256(std::string_view key, std::string_view data) {
  constexpr size_t kBlock = 64;
  uint8_t k0[kBlock] = {0};
  if (key.size() > kBlock) {
    Sha256Digest hk = Sha256(key);
    std::memcpy(k0, hk.data(), hk.size());
  } else {
    std::memcpy(k0, key.data(), key.size());
  }
  uint8_t ipad[kBlock], opad[kBlock];
  for (size_t i = 0; i < kBlock; ++i) {
    ipad[i] = k0[i] ^ 0x36;
    opad[i] = k0[i] ^ 0x5c;
  }
  Sha256Digest inner;
  Digest(FetchedSha256(), {std::string_view(reinterpret_cast<char*>(ipad), kBlock), data},
         inner.data());
  Sha256Digest out;
  Digest(FetchedSha256(),
         {std::string_view(reinterpret_cast<char*>(opad), kBlock),
          std::string_view(reinterpret_cast<char*>(inner.data()), inner.size())},
         out.data());
  return out;
}

Md5Digest Md5(std::string_view data) {
  Md5Digest out;
  Digest(FetchedMd5(), {data}, out.data());
  return out;
}

namespace {

void* NewDigestCtx(const EVP_MD* md) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr || EVP_DigestInit_ex2(ctx, md, nullptr) != 1) std::abort();
  return ctx;
}

void ResetDigestCtx(void* ctx, const EVP_MD* md) {
  if (EVP_DigestInit_ex2(static_cast<EVP_MD_CTX*>(ctx), md, nullptr) != 1) std::abort();
}

void FinishDigest(void* ctx, uint8_t* out) {
  unsigned len = 0;
  if (EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx), out, &len) != 1) std::abort();
}

}  // namespace

Sha256Hasher::Sha256Hasher() : ctx_(NewDigestCtx(FetchedSha256())) {}

Sha256Hasher::~Sha256Hasher() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256Hasher::Update(std::string_view data) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size());
}

Sha256Digest Sha256Hasher::Finish() {
  Sha256Digest out;
  FinishDigest(ctx_, out.data());
  return out;
}

void Sha256Hasher::Reset() { ResetDigestCtx(ctx_, FetchedSha256()); }

Md5Hasher::Md5Hasher() : ctx_(NewDigestCtx(FetchedMd5())) {}

Md5Hasher::~Md5Hasher() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Md5Hasher::Update(std::string_view data) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size());
}

Md5Digest Md5Hasher::Finish() {
  Md5Digest out;
  FinishDigest(ctx_, out.data());
  return out;
}

void Md5Hasher::Reset() { ResetDigestCtx(ctx_, FetchedMd5()); }

std::string HexEncode(const uint8_t* data, size_t n) {
  std::string out(n * 2, '\0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHexDigits[data[i] >> 4];
    out[2 * i + 1] = kHexDigits[data[i] & 0x0f];
  }
  return out;
}

std::optional<std::string> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<char>((hi << 4) | lo);
  }
  return out;
}

std::string Base64Encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> Base64Decode(std::string_view b64) {
  if (b64.size() % 4 != 0) return std::nullopt;
  if (b64.empty()) return std::string();
  // Padding: at most two '=', only at the very end (EVP_DecodeBlock alone accepts "====").
  size_t pad = 0;
  if (b64.back() == '=') ++pad;
  if (pad == 1 && b64[b64.size() - 2] == '=') ++pad;
  for (size_t i = 0; i < b64.size() - pad; ++i) {
    char c = b64[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/';
    if (!ok) return std::nullopt;
  }
  std::string out(3 * b64.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(b64.data()),
                          static_cast<int>(b64.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace sagetrail
