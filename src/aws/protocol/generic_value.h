// Helpers for the generic value form that codecs, validators and handlers share: a Boost.JSON
// value whose object keys are the model's member names. Timestamps are epoch seconds (numbers,
// millisecond precision); blobs are base64 strings.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace sagetrail::aws {

boost::json::value TimestampValue(TimePoint t);
// Reads a timestamp given as epoch seconds (number) or ISO 8601 text.
std::optional<TimePoint> ToTimePoint(const boost::json::value& v);

// Member lookups that never throw: nullptr / nullopt when absent, null or of another type.
const boost::json::value* Field(const boost::json::value& obj, std::string_view key);
std::optional<std::string_view> StringField(const boost::json::value& obj, std::string_view key);
std::optional<int64_t> IntField(const boost::json::value& obj, std::string_view key);
std::optional<bool> BoolField(const boost::json::value& obj, std::string_view key);

}  // namespace sagetrail::aws
