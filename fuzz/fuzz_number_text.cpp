// The numeric reader and writer (core/number_text.h). Input: raw bytes, read twice: as the text
// of a numeric string, and (its first 8 bytes) as a double. Checks: parse_number_text accepts only
// finite numbers and agrees with strtod on what it accepts; number_to_text round-trips every finite
// double exactly and its output is a numeric string again (JS's String(x) grammar aside from "e+").
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/number_text.h"
#include "fuzz/support.h"

using namespace attrkit;

namespace {

bool same_double(double a, double b) { return a == b && std::signbit(a) == std::signbit(b); }

void check_text_of(double x) {
  const std::string text = number_to_text(x);
  fuzz::check(!text.empty() && text.size() <= 25, "number_to_text length", text);
  fuzz::check(text != "-0", "negative zero printed as -0", text);
  const double back = std::strtod(text.c_str(), nullptr);
  fuzz::check(back == x, "number_to_text does not round-trip", text);
  // JS writes a positive exponent with '+', which the numeric-string grammar refuses: drop it.
  std::string plain = text;
  const std::size_t plus = plain.find("e+");
  if (plus != std::string::npos) plain.erase(plus + 1, 1);
  double parsed = 0;
  fuzz::check(parse_number_text(plain, &parsed), "number_to_text output is not a numeric string",
              text);
  fuzz::check(parsed == x, "number_to_text output reads back as another number", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = fuzz::as_text(data, size);
  double x = 0;
  if (parse_number_text(text, &x)) {
    fuzz::check(std::isfinite(x), "parse_number_text accepted a non-finite number", text);
    fuzz::check(std::memchr(text.data(), '\0', text.size()) == nullptr, "accepted a NUL byte",
                text);
    const double reference = std::strtod(text.c_str(), nullptr);
    fuzz::check(same_double(x, reference) || (x == 0 && reference == 0), "disagrees with strtod",
                text);
    check_text_of(x);
  }
  if (size >= sizeof(double)) {
    double raw;
    std::memcpy(&raw, data, sizeof raw);
    if (std::isfinite(raw)) check_text_of(raw);
    if (std::isfinite(raw) && std::fabs(raw) <= 9007199254740992.0 && raw == std::trunc(raw)) {
      const auto n = static_cast<std::int64_t>(raw);
      fuzz::check(integer_text(n) == std::to_string(n), "integer_text differs from std::to_string",
                  raw);
    }
  }
  return 0;
}
