// IPv4/IPv6 blocks for the IpAddress and NotIpAddress condition operators.
#include "iam/policy/ip_range.h"

#include <gtest/gtest.h>

namespace sagetrail::iam {
namespace {

bool In(const char* range, const char* address) {
  auto r = IpRange::Parse(range);
  EXPECT_TRUE(r.has_value()) << range;
  return r && r->Contains(address);
}

TEST(PolicyIpRangeTest, Ipv4Blocks) {
  EXPECT_TRUE(In("203.0.113.0/24", "203.0.113.5"));
  EXPECT_TRUE(In("203.0.113.0/24", "203.0.113.255"));
  EXPECT_FALSE(In("203.0.113.0/24", "203.0.114.1"));
  EXPECT_TRUE(In("192.168.0.0/17", "192.168.127.255"));
  EXPECT_FALSE(In("192.168.0.0/17", "192.168.128.0"));
  EXPECT_TRUE(In("10.0.0.1", "10.0.0.1"));  // a bare address is a /32
  EXPECT_FALSE(In("10.0.0.1", "10.0.0.2"));
  EXPECT_TRUE(In("0.0.0.0/0", "198.51.100.7"));
}

TEST(PolicyIpRangeTest, Ipv6Blocks) {
  EXPECT_TRUE(In("2001:db8::/32", "2001:db8:1::1"));
  EXPECT_FALSE(In("2001:db8::/32", "2001:db9::1"));
  EXPECT_TRUE(In("2001:DB8:0:0:0:0:0:0/64", "2001:db8::abcd"));
  EXPECT_TRUE(In("::/0", "::1"));
  EXPECT_TRUE(In("2001:db8::1", "2001:db8:0::1"));
  EXPECT_FALSE(In("2001:db8::1", "2001:db8::2"));
}

TEST(PolicyIpRangeTest, FamiliesNeverMix) {
  EXPECT_FALSE(In("0.0.0.0/0", "2001:db8::1"));
  EXPECT_FALSE(In("::/0", "203.0.113.5"));
  EXPECT_FALSE(In("203.0.113.0/24", "not an address"));
}

TEST(PolicyIpRangeTest, RejectsMalformedBlocks) {
  for (const char* bad : {"", "300.1.1.1", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8x",
                          "2001:db8::/129", "2001:db8:::1", "host.example"}) {
    EXPECT_FALSE(IpRange::Parse(bad).has_value()) << bad;
  }
  auto r = IpRange::Parse("2001:db8::/48");
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->is_v6());
  EXPECT_EQ(r->prefix_length(), 48);
}

}  // namespace
}  // namespace sagetrail::iam
