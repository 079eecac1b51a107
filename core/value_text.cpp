#include "value_text.h"

#include <cmath>

#include "number_text.h"
#include "unicode.h"
#include "value_messages.h"

namespace attrkit {

Json number_json(double x) {
  constexpr double kMaxSafe = 9007199254740992.0;  // 2^53
  if (x == std::floor(x) && std::fabs(x) <= kMaxSafe) {
    return Json(static_cast<std::int64_t>(x));  // also turns -0 into 0
  }
  return Json(x);
}

bool json_number(const Json& j, double* out) {
  // get<double>() converts integers too; is_number() first, as it would abort on anything else.
  if (!j.is_number()) return false;
  *out = j.get<double>();
  return true;
}

Error check_text(std::string_view s, std::uint32_t max_length, std::string* why) {
  std::size_t count = 0;
  if (!utf8_code_points(s, &count)) {
    if (why) *why = ": the text has a lone surrogate";
    return Error::attribute_value_invalid;
  }
  if (count <= max_length) return Error::ok;
  if (why) *why = cat({": ", too_long_text(count, max_length)});
  return Error::attribute_value_too_long;
}

bool scalar_text(const Json& j, std::string* out) {
  double x;
  if (const std::string* s = j.get_ptr<const std::string*>()) {
    *out = *s;
  } else if (const bool* b = j.get_ptr<const bool*>()) {
    *out = *b ? "true" : "false";
  } else if (json_number(j, &x) && std::isfinite(x)) {
    // String(NaN) is "NaN" in JS, but a non-finite number is never a meaningful attribute value.
    *out = number_to_text(x);
  } else {
    return false;
  }
  return true;
}

}  // namespace attrkit
