// Formatting and parsing of the timestamp forms AWS uses on the wire and in records.
// All functions are pure and thread-safe; every time is UTC.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace sagetrail {

// "2026-11-22T10:00:00Z" (CloudTrail eventTime: second precision).
std::string FormatIso8601(TimePoint t);
// "2026-11-22T10:00:00.123Z" (millisecond precision).
std::string FormatIso8601Millis(TimePoint t);
// "20261122T100000Z" (SigV4 X-Amz-Date).
std::string FormatAmzDate(TimePoint t);
// "Sun, 22 Nov 2026 10:00:00 GMT" (HTTP Date, RFC 7231 IMF-fixdate).
std::string FormatHttpDate(TimePoint t);
// "Oct 26, 2025, 11:50:52 PM": how CloudTrail writes timestamps inside requestParameters and
// responseElements (Java's medium date-time format, UTC, day and hour not zero-padded).
std::string FormatRecordTimestamp(TimePoint t);
// Epoch seconds with up to millisecond precision and no trailing zeros: "1763805600.5".
std::string FormatEpochSeconds(TimePoint t);

// Parses "20261122T100000Z".
std::optional<TimePoint> ParseAmzDate(std::string_view s);
// Parses ISO 8601 date-times: "2026-11-22T10:00:00Z", with optional fractional seconds and a
// "Z" or "+hh:mm" offset; also a bare date "2026-11-22".
std::optional<TimePoint> ParseIso8601(std::string_view s);
// Parses an IMF-fixdate "Sun, 22 Nov 2026 10:00:00 GMT".
std::optional<TimePoint> ParseHttpDate(std::string_view s);

}  // namespace sagetrail
