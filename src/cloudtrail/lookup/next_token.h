// NextToken: LookupEvents paging tokens. Opaque to clients: base64 of the position (event time,
// seq) and a fingerprint of the query, MAC'd with the store's secret, so a token cannot be forged
// or reused with different parameters. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace sagetrail::cloudtrail {

struct TokenPosition {
  int64_t event_time_ms = 0;
  uint64_t seq = 0;
};

std::string EncodeNextToken(std::string_view secret, std::string_view query_fingerprint,
                            TokenPosition position);
// nullopt when the token is malformed, forged, or was issued for another query.
std::optional<TokenPosition> DecodeNextToken(std::string_view secret,
                                             std::string_view query_fingerprint,
                                             std::string_view token);

}  // namespace sagetrail::cloudtrail
