#include "iam/policy/ip_range.h"

#include <arpa/inet.h>

#include <charconv>
#include <string>

namespace sagetrail::iam {
namespace {

// Parses a bare address into `bytes`; sets `v6`. inet_pton needs a NUL-terminated string.
bool ParseAddress(std::string_view text, std::array<uint8_t, 16>* bytes, bool* v6) {
  if (text.empty() || text.size() > 64) return false;
  std::string s(text);
  bytes->fill(0);
  if (s.find(':') != std::string::npos) {
    *v6 = true;
    return inet_pton(AF_INET6, s.c_str(), bytes->data()) == 1;
  }
  *v6 = false;
  return inet_pton(AF_INET, s.c_str(), bytes->data()) == 1;
}

}  // namespace

std::optional<IpRange> IpRange::Parse(std::string_view text) {
  IpRange range;
  size_t slash = text.find('/');
  if (!ParseAddress(text.substr(0, slash), &range.bytes_, &range.v6_)) return std::nullopt;
  int max = range.v6_ ? 128 : 32;
  range.prefix_ = max;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    int prefix = -1;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty() || prefix < 0 ||
        prefix > max) {
      return std::nullopt;
    }
    range.prefix_ = prefix;
  }
  return range;
}

bool IpRange::Contains(std::string_view address) const {
  std::array<uint8_t, 16> bytes;
  bool v6 = false;
  if (!ParseAddress(address, &bytes, &v6) || v6 != v6_) return false;
  int full = prefix_ / 8;
  for (int i = 0; i < full; ++i) {
    if (bytes[i] != bytes_[i]) return false;
  }
  int rest = prefix_ % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (bytes[full] & mask) == (bytes_[full] & mask);
}

}  // namespace sagetrail::iam
