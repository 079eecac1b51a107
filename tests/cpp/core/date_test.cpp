// normalize_date_text and epoch_ms_to_iso (core/date.h).
#include "core/date.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

namespace attrkit {
namespace {

std::string ok_or(const Result<std::string>& r) {
  return r.ok() ? r.value() : std::string("!") + error_name(r.error());
}
const std::string kInvalid = "!attribute_value_invalid";

std::string ymd(int y, int m, int d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

// Walks the calendar one day at a time with the naive rules and checks both directions for
// every day of years 0000..9999 against the day count since 1970-01-01.
TEST(Date, EveryDayOfTheFourDigitYears) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  long long day_number = -719528;  // 0000-01-01 relative to 1970-01-01
  for (int y = 0; y <= 9999; ++y) {
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    for (int m = 1; m <= 12; ++m) {
      const int days = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
      for (int d = 1; d <= days; ++d, ++day_number) {
        const std::string date = ymd(y, m, d);
        const Result<std::string> iso =
            epoch_ms_to_iso(static_cast<double>(day_number) * 86400000.0);
        ASSERT_TRUE(iso.ok()) << date;
        ASSERT_EQ(iso.value(), date + "T00:00:00.000Z");
        if (d == days || d == 1 || d == 15) {  // the edges of every month, and a middle
          ASSERT_EQ(ok_or(normalize_date_text(date)), date);
          ASSERT_EQ(ok_or(normalize_date_text(date + "T12:34:56.789Z")), date + "T12:34:56.789Z");
        }
      }
      ASSERT_EQ(ok_or(normalize_date_text(ymd(y, m, days + 1))), kInvalid) << ymd(y, m, days + 1);
    }
  }
  EXPECT_EQ(day_number, 2932897);  // 10000-01-01
}

TEST(Date, LeapYears) {
  EXPECT_EQ(ok_or(normalize_date_text("2024-02-29")), "2024-02-29");
  EXPECT_EQ(ok_or(normalize_date_text("2000-02-29")), "2000-02-29");
  EXPECT_EQ(ok_or(normalize_date_text("0000-02-29")), "0000-02-29");
  EXPECT_EQ(ok_or(normalize_date_text("2023-02-29")), kInvalid);
  EXPECT_EQ(ok_or(normalize_date_text("1900-02-29")), kInvalid);
  EXPECT_EQ(ok_or(normalize_date_text("2100-02-29")), kInvalid);
}

TEST(Date, OffsetsConvertToUtc) {
  EXPECT_EQ(ok_or(normalize_date_text("2024-06-15T10:20:30+05:30")), "2024-06-15T04:50:30.000Z");
  EXPECT_EQ(ok_or(normalize_date_text("2024-06-15T10:20:30-0800")), "2024-06-15T18:20:30.000Z");
  EXPECT_EQ(ok_or(normalize_date_text("2024-01-01T00:30:00+01:00")), "2023-12-31T23:30:00.000Z");
  EXPECT_EQ(ok_or(normalize_date_text("2023-12-31T23:30:00-01:00")), "2024-01-01T00:30:00.000Z");
  EXPECT_EQ(ok_or(normalize_date_text("2024-06-15T00:00:00-23:59")), "2024-06-15T23:59:00.000Z");
  EXPECT_EQ(ok_or(normalize_date_text("0000-01-01T00:30:00+01:00")), kInvalid);
  EXPECT_EQ(ok_or(normalize_date_text("9999-12-31T23:30:00-01:00")), kInvalid);
  EXPECT_EQ(ok_or(normalize_date_text("0000-01-01T01:00:00+01:00")), "0000-01-01T00:00:00.000Z");
}

TEST(Date, FractionsAreTruncatedToMilliseconds) {
  EXPECT_EQ(ok_or(normalize_date_text("2024-06-15T10:20:30.5Z")), "2024-06-15T10:20:30.500Z");
  EXPECT_EQ(ok_or(normalize_date_text("2024-06-15T10:20:30.05Z")), "2024-06-15T10:20:30.050Z");
  EXPECT_EQ(ok_or(normalize_date_text("2024-06-15T10:20:30.999999999Z")),
            "2024-06-15T10:20:30.999Z");
  EXPECT_EQ(ok_or(normalize_date_text("2024-06-15T10:20:30.000000001Z")),
            "2024-06-15T10:20:30.000Z");
  EXPECT_EQ(ok_or(normalize_date_text("2024-06-15T10:20:30.0000000001Z")), kInvalid);
  EXPECT_EQ(ok_or(normalize_date_text("2024-06-15T10:20:30.Z")), kInvalid);
}

TEST(Date, RefusesEveryOtherShape) {
  const char* bad[] = {
      "",
      "2024",
      "2024-06",
      "2024-6-15",
      "2024-06-5",
      "24-06-15",
      "2024_06_15",
      "2024-06-15Z",
      "2024-06-15T",
      "2024-06-15T10Z",
      "2024-06-15T10:2Z",
      "2024-06-15T10:20:3Z",
      "2024-06-15T10:20:30",
      "2024-06-15T10:20:30ZZ",
      "2024-06-15T10:20:30 Z",
      "2024-06-15T10:20:30+05:30 ",
      "2024-06-15T10:20:30+05:3",
      "2024-06-15T10:20:30+053",
      "2024-06-15T10:20:30+05:300",
      "2024-06-15T10:20:30+24:00",
      "2024-06-15T10:20:30-00:60",
      "2024-06-15T24:00:00Z",
      "2024-06-15T23:60:00Z",
      "2024-06-15T23:59:60Z",
      "2024-06-15 10:20Z",
      "2024-06-15T10:20:30UTC",
      "2024-06-15T10:20:30GMT+1",
      "2024-W24-6",
      "2024-167",
      "2024-06-15T10:20:30.123456789012Z",
      "-2024-06-15",
      "+2024-06-15",
      "2024-06-15\n",
      "2024-06-15T10:20:30\xe2\x88\x92"
      "05:00",  // U+2212 minus sign
  };
  for (const char* s : bad) EXPECT_EQ(ok_or(normalize_date_text(s)), kInvalid) << '"' << s << '"';
  // A date followed by a NUL byte is not the date.
  EXPECT_EQ(ok_or(normalize_date_text(std::string_view("2024-06-15\0", 11))), kInvalid);
}

TEST(Date, EpochMilliseconds) {
  EXPECT_EQ(ok_or(epoch_ms_to_iso(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(ok_or(epoch_ms_to_iso(-0.0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(ok_or(epoch_ms_to_iso(-1)), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(ok_or(epoch_ms_to_iso(1718446830123)), "2024-06-15T10:20:30.123Z");
  EXPECT_EQ(ok_or(epoch_ms_to_iso(253402300799999)), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(ok_or(epoch_ms_to_iso(-62167219200000)), "0000-01-01T00:00:00.000Z");
  EXPECT_EQ(ok_or(epoch_ms_to_iso(253402300800000)), kInvalid);
  EXPECT_EQ(ok_or(epoch_ms_to_iso(-62167219200001)), kInvalid);
  EXPECT_EQ(ok_or(epoch_ms_to_iso(0.5)), kInvalid);
  EXPECT_EQ(ok_or(epoch_ms_to_iso(-0.5)), kInvalid);
  EXPECT_EQ(ok_or(epoch_ms_to_iso(1e300)), kInvalid);
  EXPECT_EQ(ok_or(epoch_ms_to_iso(std::numeric_limits<double>::quiet_NaN())), kInvalid);
  EXPECT_EQ(ok_or(epoch_ms_to_iso(std::numeric_limits<double>::infinity())), kInvalid);
  EXPECT_EQ(ok_or(epoch_ms_to_iso(-std::numeric_limits<double>::infinity())), kInvalid);
}

TEST(Date, TextAndEpochAgreeAcrossTheRange) {
  // Every 7,777,777,777 ms (about 90 days, never a whole second) through the range: the ISO
  // text of an instant normalises to itself, and with an offset moves by exactly that offset.
  for (double ms = -62167219200000.0; ms <= 253402300799999.0; ms += 7777777777.0) {
    const Result<std::string> iso = epoch_ms_to_iso(ms);
    ASSERT_TRUE(iso.ok()) << ms;
    ASSERT_EQ(ok_or(normalize_date_text(iso.value())), iso.value());
    if (ms + 3600000.0 <= 253402300799999.0) {
      // The same wall-clock time written at +01:00 is one hour earlier in UTC.
      std::string shifted = iso.value();
      shifted.replace(shifted.size() - 1, 1, "+01:00");
      const Result<std::string> earlier = epoch_ms_to_iso(ms - 3600000.0);
      if (earlier.ok()) ASSERT_EQ(ok_or(normalize_date_text(shifted)), earlier.value()) << shifted;
    }
  }
}

}  // namespace
}  // namespace attrkit
