#include "common/time_format.h"

#include <gtest/gtest.h>

#include <chrono>

namespace sagetrail {
namespace {

// 2025-11-22T10:00:00Z, a Saturday.
constexpr int64_t kSat = 1763805600;

TimePoint At(int64_t seconds, int64_t millis = 0) {
  return FromUnixMillis(seconds * 1000 + millis);
}

TEST(TimeFormatTest, FormatIso8601HasSecondPrecision) {
  EXPECT_EQ(FormatIso8601(At(kSat)), "2025-11-22T10:00:00Z");
  EXPECT_EQ(FormatIso8601(At(kSat, 999)), "2025-11-22T10:00:00Z");
  EXPECT_EQ(FormatIso8601(At(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIso8601(At(951782400)), "2000-02-29T00:00:00Z");  // leap day
  EXPECT_EQ(FormatIso8601(At(kSat + 13 * 3600 + 59 * 60 + 59)), "2025-11-22T23:59:59Z");
  EXPECT_EQ(FormatIso8601(At(kSat + 14 * 3600)), "2025-11-23T00:00:00Z");
}

TEST(TimeFormatTest, FormatIso8601MillisPadsToThreeDigits) {
  EXPECT_EQ(FormatIso8601Millis(At(kSat)), "2025-11-22T10:00:00.000Z");
  EXPECT_EQ(FormatIso8601Millis(At(kSat, 7)), "2025-11-22T10:00:00.007Z");
  EXPECT_EQ(FormatIso8601Millis(At(kSat, 123)), "2025-11-22T10:00:00.123Z");
}

TEST(TimeFormatTest, FormatAmzDate) {
  EXPECT_EQ(FormatAmzDate(At(kSat)), "20251122T100000Z");
  EXPECT_EQ(FormatAmzDate(At(1440938160)), "20150830T123600Z");
  EXPECT_EQ(FormatAmzDate(At(kSat + 3 * 3600 + 4 * 60 + 5, 600)), "20251122T130405Z");
}

TEST(TimeFormatTest, FormatHttpDateUsesImfFixdate) {
  EXPECT_EQ(FormatHttpDate(At(kSat)), "Sat, 22 Nov 2025 10:00:00 GMT");
  EXPECT_EQ(FormatHttpDate(At(0)), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(FormatHttpDate(At(1440938160)), "Sun, 30 Aug 2015 12:36:00 GMT");
  EXPECT_EQ(FormatHttpDate(At(kSat + 86400 * 2 + 5)), "Mon, 24 Nov 2025 10:00:05 GMT");
}

TEST(TimeFormatTest, FormatEpochSecondsDropsTrailingZeros) {
  EXPECT_EQ(FormatEpochSeconds(At(kSat)), "1763805600");
  EXPECT_EQ(FormatEpochSeconds(At(kSat, 500)), "1763805600.5");
  EXPECT_EQ(FormatEpochSeconds(At(kSat, 120)), "1763805600.12");
  EXPECT_EQ(FormatEpochSeconds(At(kSat, 123)), "1763805600.123");
  EXPECT_EQ(FormatEpochSeconds(At(kSat, 5)), "1763805600.005");
  EXPECT_EQ(FormatEpochSeconds(At(0)), "0");
  // Before the epoch: -1500 ms is -1.5 s (not "-2.5").
  EXPECT_EQ(FormatEpochSeconds(FromUnixMillis(-1500)), "-1.5");
  EXPECT_EQ(FormatEpochSeconds(FromUnixMillis(-250)), "-0.25");
  EXPECT_EQ(FormatEpochSeconds(FromUnixMillis(-2000)), "-2");
}

TEST(TimeFormatTest, FormatEpochSecondsTruncatesBelowMillis) {
  TimePoint t = At(kSat) + std::chrono::microseconds(1999);
  EXPECT_EQ(FormatEpochSeconds(t), "1763805600.001");
}

TEST(TimeFormatTest, ParseAmzDateRoundTrips) {
  auto t = ParseAmzDate("20150830T123600Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(ToUnixSeconds(*t), 1440938160);
  EXPECT_EQ(FormatAmzDate(*ParseAmzDate("20251122T100000Z")), "20251122T100000Z");
}

TEST(TimeFormatTest, ParseAmzDateRejectsOtherForms) {
  EXPECT_FALSE(ParseAmzDate(""));
  EXPECT_FALSE(ParseAmzDate("20150830T123600"));       // no Z
  EXPECT_FALSE(ParseAmzDate("20150830 123600Z"));      // no T
  EXPECT_FALSE(ParseAmzDate("2015-08-30T12:36:00Z"));  // extended format
  EXPECT_FALSE(ParseAmzDate("20150830T123600Z "));
  EXPECT_FALSE(ParseAmzDate("2015083aT123600Z"));
  EXPECT_FALSE(ParseAmzDate("20151330T123600Z"));  // month 13
  EXPECT_FALSE(ParseAmzDate("20150230T123600Z"));  // 30 February
  EXPECT_FALSE(ParseAmzDate("20150830T243600Z"));  // hour 24
  EXPECT_FALSE(ParseAmzDate("20150830T126000Z"));  // minute 60
  EXPECT_FALSE(ParseAmzDate("Sun, 30 Aug 2015 12:36:00 GMT"));
}

// Years a TimePoint cannot hold are clamped to its end, keeping their order ("after the year
// 3000" must not wrap around to 1700).
TEST(TimeFormatTest, FarFutureTimesAreClampedNotWrapped) {
  auto y3000 = ParseIso8601("3000-01-01T00:00:00Z");
  ASSERT_TRUE(y3000.has_value());
  EXPECT_EQ(*y3000, FromUnixSeconds(kMaxUnixSeconds));
  EXPECT_GT(*y3000, *ParseIso8601("2200-01-01T00:00:00Z"));
  EXPECT_EQ(FromUnixSeconds(32503680000), FromUnixSeconds(kMaxUnixSeconds));
  EXPECT_EQ(FromUnixMillis(INT64_MAX), FromUnixSeconds(kMaxUnixSeconds));
  EXPECT_EQ(FromUnixSeconds(-32503680000), FromUnixSeconds(-kMaxUnixSeconds));
}

TEST(TimeFormatTest, ParseIso8601Basic) {
  auto t = ParseIso8601("2025-11-22T10:00:00Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(*t, At(kSat));
  EXPECT_EQ(ParseIso8601("2025-11-22t10:00:00z"), At(kSat));
  EXPECT_EQ(ParseIso8601("2025-11-22 10:00:00Z"), At(kSat));
  // No zone designator: UTC.
  EXPECT_EQ(ParseIso8601("2025-11-22T10:00:00"), At(kSat));
  // Seconds are optional.
  EXPECT_EQ(ParseIso8601("2025-11-22T10:00Z"), At(kSat));
  // A bare date is midnight UTC.
  EXPECT_EQ(ParseIso8601("2025-11-22"), At(kSat - 10 * 3600));
}

TEST(TimeFormatTest, ParseIso8601Fractions) {
  EXPECT_EQ(ParseIso8601("2025-11-22T10:00:00.5Z"), At(kSat, 500));
  EXPECT_EQ(ParseIso8601("2025-11-22T10:00:00.123Z"), At(kSat, 123));
  EXPECT_EQ(ParseIso8601("2025-11-22T10:00:00.000001Z"), At(kSat) + std::chrono::microseconds(1));
  // Digits past microseconds are accepted and ignored.
  EXPECT_EQ(ParseIso8601("2025-11-22T10:00:00.123456789Z"),
            At(kSat) + std::chrono::microseconds(123456));
  EXPECT_FALSE(ParseIso8601("2025-11-22T10:00:00.Z"));
}

TEST(TimeFormatTest, ParseIso8601Offsets) {
  EXPECT_EQ(ParseIso8601("2025-11-22T12:00:00+02:00"), At(kSat));
  EXPECT_EQ(ParseIso8601("2025-11-22T04:30:00-05:30"), At(kSat));
  EXPECT_EQ(ParseIso8601("2025-11-22T10:00:00.250+00:00"), At(kSat, 250));
  // Crossing midnight backwards.
  EXPECT_EQ(ParseIso8601("2025-11-23T01:00:00+15:00"), At(kSat));
}

TEST(TimeFormatTest, ParseIso8601RejectsBadInput) {
  EXPECT_FALSE(ParseIso8601(""));
  EXPECT_FALSE(ParseIso8601("2025-11"));
  EXPECT_FALSE(ParseIso8601("2025/11/22T10:00:00Z"));
  EXPECT_FALSE(ParseIso8601("2025-11-22X10:00:00Z"));
  EXPECT_FALSE(ParseIso8601("2025-11-22T10"));
  EXPECT_FALSE(ParseIso8601("2025-11-22T10-00-00Z"));
  EXPECT_FALSE(ParseIso8601("2025-11-22T10:00:00Q"));
  EXPECT_FALSE(ParseIso8601("2025-11-22T10:00:00Zjunk"));
  EXPECT_FALSE(ParseIso8601("2025-11-22T10:00:00+0200"));  // offset needs a colon
  EXPECT_FALSE(ParseIso8601("2025-11-22T10:00:00+02"));
  EXPECT_FALSE(ParseIso8601("2025-13-22T10:00:00Z"));
  EXPECT_FALSE(ParseIso8601("2025-02-29T10:00:00Z"));  // 2025 is not a leap year
  EXPECT_FALSE(ParseIso8601("2025-11-22T25:00:00Z"));
  EXPECT_FALSE(ParseIso8601("20251122T100000Z"));
  EXPECT_FALSE(ParseIso8601("1763805600"));
}

TEST(TimeFormatTest, ParseHttpDate) {
  EXPECT_EQ(ParseHttpDate("Sat, 22 Nov 2025 10:00:00 GMT"), At(kSat));
  EXPECT_EQ(ParseHttpDate("Sun, 30 Aug 2015 12:36:00 GMT"), At(1440938160));
  EXPECT_EQ(ParseHttpDate(FormatHttpDate(At(kSat + 12345))), At(kSat + 12345));
}

TEST(TimeFormatTest, ParseHttpDateRejectsBadInput) {
  EXPECT_FALSE(ParseHttpDate(""));
  EXPECT_FALSE(ParseHttpDate("Sat, 22 Nov 2025 10:00:00 UTC"));
  EXPECT_FALSE(ParseHttpDate("Sat, 22 Foo 2025 10:00:00 GMT"));
  EXPECT_FALSE(ParseHttpDate("Sat 22 Nov 2025 10:00:00 GMT "));
  EXPECT_FALSE(ParseHttpDate("Sat, 2 Nov 2025 10:00:00 GMT"));      // day needs two digits
  EXPECT_FALSE(ParseHttpDate("Saturday, 22-Nov-25 10:00:00 GMT"));  // RFC 850 form
  EXPECT_FALSE(ParseHttpDate("Sat, 31 Nov 2025 10:00:00 GMT"));     // no 31 November
  EXPECT_FALSE(ParseHttpDate("2025-11-22T10:00:00Z"));
}

}  // namespace
}  // namespace sagetrail
