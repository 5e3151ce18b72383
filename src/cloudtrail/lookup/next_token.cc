#include "cloudtrail/lookup/next_token.h"

#include <cstring>

#include "common/crypto.h"

namespace sagetrail::cloudtrail {
namespace {

constexpr uint8_t kVersion = 1;
constexpr size_t kMacBytes = 16;
constexpr size_t kPayloadBytes = 1 + 8 + 8;

std::string Mac(std::string_view secret, std::string_view fingerprint, std::string_view payload) {
  std::string data(payload);
  data.append(fingerprint);
  Sha256Digest d = HmacSha256(secret, data);
  return std::string(reinterpret_cast<const char*>(d.data()), kMacBytes);
}

}  // namespace

std::string EncodeNextToken(std::string_view secret, std::string_view fingerprint,
                            TokenPosition position) {
  std::string payload(kPayloadBytes, '\0');
  payload[0] = static_cast<char>(kVersion);
  std::memcpy(payload.data() + 1, &position.event_time_ms, 8);
  std::memcpy(payload.data() + 9, &position.seq, 8);
  return Base64Encode(payload + Mac(secret, fingerprint, payload));
}

std::optional<TokenPosition> DecodeNextToken(std::string_view secret, std::string_view fingerprint,
                                             std::string_view token) {
  auto raw = Base64Decode(token);
  if (!raw || raw->size() != kPayloadBytes + kMacBytes || (*raw)[0] != kVersion) {
    return std::nullopt;
  }
  std::string_view payload(raw->data(), kPayloadBytes);
  std::string_view mac(raw->data() + kPayloadBytes, kMacBytes);
  if (!ConstantTimeEquals(mac, Mac(secret, fingerprint, payload))) return std::nullopt;
  TokenPosition p;
  std::memcpy(&p.event_time_ms, raw->data() + 1, 8);
  std::memcpy(&p.seq, raw->data() + 9, 8);
  return p;
}

}  // namespace sagetrail::cloudtrail
