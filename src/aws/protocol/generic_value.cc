#include "aws/protocol/generic_value.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>

#include "common/time_format.h"

namespace sagetrail::aws {
namespace json = boost::json;

json::value TimestampValue(TimePoint t) {
  int64_t ms = ToUnixMillis(t);
  if (ms % 1000 == 0) return json::value(ms / 1000);
  return json::value(static_cast<double>(ms) / 1000.0);
}

std::optional<TimePoint> ToTimePoint(const json::value& v) {
  if (v.is_int64()) return FromUnixSeconds(v.get_int64());
  if (v.is_uint64()) return FromUnixSeconds(static_cast<int64_t>(v.get_uint64()));
  if (v.is_double()) {
    double d = v.get_double();
    if (!std::isfinite(d)) return std::nullopt;
    d = std::clamp(d, -1e13, 1e13);  // then clamped to what a TimePoint holds
    return FromUnixMillis(static_cast<int64_t>(std::llround(d * 1000.0)));
  }
  if (v.is_string()) {
    std::string_view s = v.get_string();
    if (auto t = ParseIso8601(s)) return t;
    // Epoch seconds sent as text.
    char* end = nullptr;
    std::string copy(s);
    double d = std::strtod(copy.c_str(), &end);
    if (end != copy.c_str() && *end == '\0' && std::isfinite(d)) {
      d = std::clamp(d, -1e13, 1e13);
      return FromUnixMillis(static_cast<int64_t>(std::llround(d * 1000.0)));
    }
  }
  return std::nullopt;
}

const json::value* Field(const json::value& obj, std::string_view key) {
  const json::object* o = obj.if_object();
  if (o == nullptr) return nullptr;
  auto it = o->find(key);
  if (it == o->end() || it->value().is_null()) return nullptr;
  return &it->value();
}

std::optional<std::string_view> StringField(const json::value& obj, std::string_view key) {
  const json::value* v = Field(obj, key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string_view(v->get_string());
}

std::optional<int64_t> IntField(const json::value& obj, std::string_view key) {
  const json::value* v = Field(obj, key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  if (v->is_double() && std::floor(v->get_double()) == v->get_double()) {
    return static_cast<int64_t>(v->get_double());
  }
  return std::nullopt;
}

std::optional<bool> BoolField(const json::value& obj, std::string_view key) {
  const json::value* v = Field(obj, key);
  if (v == nullptr || !v->is_bool()) return std::nullopt;
  return v->get_bool();
}

}  // namespace sagetrail::aws
