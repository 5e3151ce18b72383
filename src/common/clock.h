// Clock: the only source of "now" for the server, so tests can drive time by hand.
// Implementations must be thread-safe.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace sagetrail {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

// The system clock moved by a fixed offset (`sagetrail serve --clock-offset`): lets a test see a
// started server at a later time, e.g. past a session's expiration.
class OffsetClock final : public Clock {
 public:
  explicit OffsetClock(std::chrono::milliseconds offset) : offset_(offset) {}
  TimePoint Now() const override { return std::chrono::system_clock::now() + offset_; }

 private:
  std::chrono::milliseconds offset_;
};

inline int64_t ToUnixMillis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
inline int64_t ToUnixSeconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
// Times far outside what a TimePoint holds (about years 1678-2262) are clamped to its ends
// rather than overflowing (a client may send the year 3000).
constexpr int64_t kMaxUnixSeconds = 9'000'000'000;  // year 2255
inline TimePoint FromUnixMillis(int64_t ms) {
  ms = std::clamp(ms, -kMaxUnixSeconds * 1000, kMaxUnixSeconds * 1000);
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::milliseconds(ms)));
}
inline TimePoint FromUnixSeconds(int64_t s) {
  s = std::clamp(s, -kMaxUnixSeconds, kMaxUnixSeconds);
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::seconds(s)));
}

}  // namespace sagetrail
