#include "value_text.h"

#include <cmath>

#include "number_text.h"
#include "unicode.h"

namespace attrkit {

Json number_json(double x) {
  constexpr double kMaxSafe = 9007199254740992.0;  // 2^53
  if (x == std::floor(x) && std::fabs(x) <= kMaxSafe) {
    return Json(static_cast<std::int64_t>(x));  // also turns -0 into 0
  }
  return Json(x);
}

bool json_number(const Json& j, double* out) {
  switch (j.type()) {
    case Json::value_t::number_integer:
      *out = static_cast<double>(j.get<std::int64_t>());
      return true;
    case Json::value_t::number_unsigned:
      *out = static_cast<double>(j.get<std::uint64_t>());
      return true;
    case Json::value_t::number_float:
      *out = j.get<double>();
      return true;
    default:
      return false;
  }
}

Error check_text(std::string_view s, std::uint32_t max_length) {
  std::size_t count = 0;
  if (!utf8_code_points(s, &count)) return Error::attribute_value_invalid;
  return count > max_length ? Error::attribute_value_too_long : Error::ok;
}

Result<std::string> scalar_text(const Json& j) {
  if (j.is_string()) return j.get_ref<const std::string&>();
  if (j.is_boolean()) return std::string(j.get<bool>() ? "true" : "false");
  double x;
  // String(NaN) is "NaN" in JS, but a non-finite number is never a meaningful attribute value.
  if (json_number(j, &x) && std::isfinite(x)) return number_to_text(x);
  return Error::attribute_value_invalid;
}

}  // namespace attrkit
