#include "common/time_format.h"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace sagetrail {
namespace {

using std::chrono::days;
using std::chrono::floor;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::sys_days;

struct Civil {
  int year;
  unsigned month, day, hour, minute, second, millis;
};

Civil ToCivil(TimePoint t) {
  auto ms = floor<milliseconds>(t);
  auto d = floor<days>(ms);
  std::chrono::year_month_day ymd{d};
  auto rem = ms - d;
  auto secs = floor<seconds>(rem);
  Civil c;
  c.year = static_cast<int>(ymd.year());
  c.month = static_cast<unsigned>(ymd.month());
  c.day = static_cast<unsigned>(ymd.day());
  c.hour = static_cast<unsigned>(secs.count() / 3600);
  c.minute = static_cast<unsigned>((secs.count() / 60) % 60);
  c.second = static_cast<unsigned>(secs.count() % 60);
  c.millis = static_cast<unsigned>((rem - secs).count());
  return c;
}

std::optional<TimePoint> FromCivil(int y, unsigned mo, unsigned d, unsigned h, unsigned mi,
                                   unsigned s) {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{mo},
                                  std::chrono::day{d}};
  if (!ymd.ok()) return std::nullopt;
  // In seconds first: a year beyond what a TimePoint holds is clamped, not overflowed.
  int64_t days = sys_days(ymd).time_since_epoch().count();
  return FromUnixSeconds(days * 86400 + h * 3600 + mi * 60 + s);
}

bool Digits(std::string_view s, size_t pos, size_t n, unsigned* out) {
  if (pos + n > s.size()) return false;
  unsigned v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  *out = v;
  return true;
}

constexpr const char* kWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

}  // namespace

// Writes `v` as exactly `width` decimal digits.
char* PutDigits(char* p, unsigned v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + width;
}

std::string FormatIso8601(TimePoint t) {
  Civil c = ToCivil(t);
  if (c.year < 0 || c.year > 9999) {
    char buf[40];
    std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02u:%02u:%02uZ", c.year, c.month, c.day,
                  c.hour, c.minute, c.second);
    return buf;
  }
  char buf[20];
  char* p = PutDigits(buf, static_cast<unsigned>(c.year), 4);
  *p++ = '-';
  p = PutDigits(p, c.month, 2);
  *p++ = '-';
  p = PutDigits(p, c.day, 2);
  *p++ = 'T';
  p = PutDigits(p, c.hour, 2);
  *p++ = ':';
  p = PutDigits(p, c.minute, 2);
  *p++ = ':';
  p = PutDigits(p, c.second, 2);
  *p++ = 'Z';
  return std::string(buf, 20);
}

std::string FormatIso8601Millis(TimePoint t) {
  Civil c = ToCivil(t);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02u:%02u:%02u.%03uZ", c.year, c.month, c.day,
                c.hour, c.minute, c.second, c.millis);
  return buf;
}

std::string FormatAmzDate(TimePoint t) {
  Civil c = ToCivil(t);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d%02u%02uT%02u%02u%02uZ", c.year, c.month, c.day, c.hour,
                c.minute, c.second);
  return buf;
}

std::string FormatHttpDate(TimePoint t) {
  Civil c = ToCivil(t);
  std::chrono::weekday wd{floor<days>(t)};
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%s, %02u %s %04d %02u:%02u:%02u GMT", kWeekdays[wd.c_encoding()],
                c.day, kMonths[c.month - 1], c.year, c.hour, c.minute, c.second);
  return buf;
}

std::string FormatRecordTimestamp(TimePoint t) {
  Civil c = ToCivil(t);
  unsigned hour12 = c.hour % 12 == 0 ? 12 : c.hour % 12;
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%s %u, %04d, %u:%02u:%02u %s", kMonths[c.month - 1], c.day,
                c.year, hour12, c.minute, c.second, c.hour < 12 ? "AM" : "PM");
  return buf;
}

std::string FormatEpochSeconds(TimePoint t) {
  int64_t ms = ToUnixMillis(t);
  // Sign and magnitude: -1500 ms is "-1.5" (a floored "-2" + ".5" would read as -2.5).
  std::string out = ms < 0 ? "-" : "";
  uint64_t mag = ms < 0 ? 0 - static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms);
  uint64_t secs = mag / 1000;
  uint64_t frac = mag % 1000;
  out += std::to_string(secs);
  if (frac != 0) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), ".%03lld", static_cast<long long>(frac));
    std::string f(buf);
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out;
}

std::optional<TimePoint> ParseAmzDate(std::string_view s) {
  unsigned y, mo, d, h, mi, se;
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  if (!Digits(s, 0, 4, &y) || !Digits(s, 4, 2, &mo) || !Digits(s, 6, 2, &d) ||
      !Digits(s, 9, 2, &h) || !Digits(s, 11, 2, &mi) || !Digits(s, 13, 2, &se)) {
    return std::nullopt;
  }
  return FromCivil(static_cast<int>(y), mo, d, h, mi, se);
}

std::optional<TimePoint> ParseIso8601(std::string_view s) {
  unsigned y, mo, d, h = 0, mi = 0, se = 0;
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  if (!Digits(s, 0, 4, &y) || !Digits(s, 5, 2, &mo) || !Digits(s, 8, 2, &d)) return std::nullopt;
  if (s.size() == 10) return FromCivil(static_cast<int>(y), mo, d, 0, 0, 0);
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return std::nullopt;
  if (s.size() < 16 || s[13] != ':') return std::nullopt;
  if (!Digits(s, 11, 2, &h) || !Digits(s, 14, 2, &mi)) return std::nullopt;
  size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    if (!Digits(s, pos + 1, 2, &se)) return std::nullopt;
    pos += 3;
  }
  int64_t micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int64_t scale = 100000;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      micros += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  int64_t offset_minutes = 0;
  if (pos == s.size()) {
    // No zone designator: treat as UTC, as AWS does for request timestamps.
  } else if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) {
  } else if ((s[pos] == '+' || s[pos] == '-') && pos + 6 == s.size() && s[pos + 3] == ':') {
    unsigned oh, om;
    if (!Digits(s, pos + 1, 2, &oh) || !Digits(s, pos + 4, 2, &om)) return std::nullopt;
    offset_minutes = static_cast<int64_t>(oh * 60 + om) * (s[pos] == '+' ? 1 : -1);
  } else {
    return std::nullopt;
  }
  auto t = FromCivil(static_cast<int>(y), mo, d, h, mi, se);
  if (!t) return std::nullopt;
  return *t + std::chrono::duration_cast<TimePoint::duration>(std::chrono::microseconds(micros)) -
         std::chrono::minutes(offset_minutes);
}

std::optional<TimePoint> ParseHttpDate(std::string_view s) {
  // "Sun, 22 Nov 2026 10:00:00 GMT"
  if (s.size() != 29 || s[3] != ',' || s.substr(25) != " GMT") return std::nullopt;
  unsigned d, y, h, mi, se;
  if (!Digits(s, 5, 2, &d) || !Digits(s, 12, 4, &y) || !Digits(s, 17, 2, &h) ||
      !Digits(s, 20, 2, &mi) || !Digits(s, 23, 2, &se)) {
    return std::nullopt;
  }
  std::string_view mon = s.substr(8, 3);
  for (unsigned m = 0; m < 12; ++m) {
    if (mon == kMonths[m]) return FromCivil(static_cast<int>(y), m + 1, d, h, mi, se);
  }
  return std::nullopt;
}

}  // namespace sagetrail
