// IpRange: an IPv4 or IPv6 address block as IpAddress/NotIpAddress conditions write it
// ("203.0.113.0/24", "2001:db8::/32", or a bare address meaning a single host). Value type.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sagetrail::iam {

class IpRange {
 public:
  // Parses "address[/prefix]"; nullopt for anything else (bad address, prefix out of range).
  static std::optional<IpRange> Parse(std::string_view text);

  // Whether `address` (a bare IPv4 or IPv6 address, e.g. aws:SourceIp) lies in this block.
  // Addresses of the other family never match.
  bool Contains(std::string_view address) const;

  bool is_v6() const { return v6_; }
  int prefix_length() const { return prefix_; }

 private:
  IpRange() = default;

  bool v6_ = false;
  int prefix_ = 0;
  std::array<uint8_t, 16> bytes_{};  // network-order address; IPv4 uses the first 4 bytes
};

}  // namespace sagetrail::iam
