#include "date.h"

#include <cmath>
#include <cstdint>

#include "text_chars.h"

namespace attrkit {
namespace {

constexpr std::int64_t kMsPerDay = 86400000;

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(std::int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian, exact for any year).
constexpr std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t* y, int* m, int* d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

constexpr std::int64_t kMinMs = days_from_civil(0, 1, 1) * kMsPerDay;
constexpr std::int64_t kMaxMs = days_from_civil(9999, 12, 31) * kMsPerDay + kMsPerDay - 1;

// Reads exactly `count` ASCII digits at s[*i].
bool read_digits(std::string_view s, std::size_t* i, int count, int* out) {
  if (s.size() - *i < static_cast<std::size_t>(count)) return false;
  int v = 0;
  for (int k = 0; k < count; ++k) {
    const char c = s[*i + k];
    if (!is_ascii_digit(c)) return false;
    v = v * 10 + (c - '0');
  }
  *i += count;
  *out = v;
  return true;
}

bool expect(std::string_view s, std::size_t* i, char c) {
  if (*i >= s.size() || s[*i] != c) return false;
  ++*i;
  return true;
}

void put(std::string& out, std::int64_t v, int width) {
  char buf[8];
  for (int k = width - 1; k >= 0; --k) {
    buf[k] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  out.append(buf, static_cast<std::size_t>(width));
}

std::string iso_from_ms(std::int64_t ms) {
  std::int64_t days = ms / kMsPerDay;
  std::int64_t rest = ms % kMsPerDay;
  if (rest < 0) rest += kMsPerDay, --days;
  std::int64_t y;
  int m, d;
  civil_from_days(days, &y, &m, &d);
  std::string out;
  out.reserve(24);
  put(out, y, 4), out += '-', put(out, m, 2), out += '-', put(out, d, 2), out += 'T';
  put(out, rest / 3600000, 2), out += ':', put(out, rest / 60000 % 60, 2), out += ':';
  put(out, rest / 1000 % 60, 2), out += '.', put(out, rest % 1000, 3), out += 'Z';
  return out;
}

// Why a value is not a date, as the end of its message: "\"2024-02-30\" is not a real date".
constexpr const char* kNotIso = "is not YYYY-MM-DD or an ISO 8601 date-time";
constexpr const char* kNotRealDate = "is not a real date";
constexpr const char* kNotRealTime = "is not a real time";
constexpr const char* kNoZone = "has no time zone (Z or +HH:MM)";
constexpr const char* kOutOfYears = "is outside the years 0000-9999";

// Null, or why `s` is not a date or date-time attrkit accepts. The public functions build the one
// Result.
const char* date_text(std::string_view s, std::string* out) {
  std::size_t i = 0;
  int year, month, day;
  if (!read_digits(s, &i, 4, &year) || !expect(s, &i, '-') || !read_digits(s, &i, 2, &month) ||
      !expect(s, &i, '-') || !read_digits(s, &i, 2, &day)) {
    return kNotIso;
  }
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return kNotRealDate;
  if (i == s.size()) {  // a date stays a date: no zone to convert
    *out = s;
    return nullptr;
  }

  if (s[i] != 'T' && s[i] != 't') return kNotIso;
  ++i;
  int hour, minute, second = 0, millis = 0;
  if (!read_digits(s, &i, 2, &hour) || !expect(s, &i, ':') || !read_digits(s, &i, 2, &minute)) {
    return kNotIso;
  }
  if (i < s.size() && s[i] == ':') {
    ++i;
    if (!read_digits(s, &i, 2, &second)) return kNotIso;
    if (i < s.size() && s[i] == '.') {
      ++i;
      int digits = 0;
      for (; i < s.size() && is_ascii_digit(s[i]); ++i, ++digits) {
        if (digits < 3) millis = millis * 10 + (s[i] - '0');  // truncated, never rounded
      }
      if (digits < 1 || digits > 9) return kNotIso;
      for (int k = digits; k < 3; ++k) millis *= 10;
    }
  }
  if (hour > 23 || minute > 59 || second > 59) return kNotRealTime;

  if (i >= s.size()) return kNoZone;  // a local time names no instant
  int offset_minutes = 0;
  if (s[i] == 'Z' || s[i] == 'z') {
    ++i;
  } else if (s[i] == '+' || s[i] == '-') {
    const int sign = s[i] == '-' ? -1 : 1;
    ++i;
    int oh, om;
    if (!read_digits(s, &i, 2, &oh)) return kNotIso;
    if (i < s.size() && s[i] == ':') ++i;
    if (!read_digits(s, &i, 2, &om)) return kNotIso;
    if (oh > 23 || om > 59) return kNotRealTime;
    offset_minutes = sign * (oh * 60 + om);
  } else {
    return kNotIso;
  }
  if (i != s.size()) return kNotIso;

  const std::int64_t local_ms = days_from_civil(year, month, day) * kMsPerDay +
                                ((hour * 60 + minute) * 60 + second) * 1000LL + millis;
  const std::int64_t utc_ms = local_ms - offset_minutes * 60000LL;
  // An offset can carry 0000-01-01 or 9999-12-31 out of the four-digit years.
  if (utc_ms < kMinMs || utc_ms > kMaxMs) return kOutOfYears;
  *out = iso_from_ms(utc_ms);
  return nullptr;
}

}  // namespace

Result<std::string> normalize_date_text(std::string_view s, const char** why) {
  std::string out;
  const char* reason = date_text(s, &out);
  if (reason == nullptr) return out;
  if (why) *why = reason;
  return Error::attribute_value_invalid;
}

Result<std::string> epoch_ms_to_iso(double ms, const char** why) {
  const char* reason = !std::isfinite(ms)     ? "is not a finite number"
                       : ms != std::floor(ms) ? "is not a whole number of milliseconds"
                       : ms < static_cast<double>(kMinMs) || ms > static_cast<double>(kMaxMs)
                           ? kOutOfYears
                           : nullptr;
  if (reason == nullptr) return iso_from_ms(static_cast<std::int64_t>(ms));
  if (why) *why = reason;
  return Error::attribute_value_invalid;
}

}  // namespace attrkit
