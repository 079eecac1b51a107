// Small value helpers shared by validate.cpp, value_choice.cpp and definitions.cpp (internal to
// core/).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "json.h"
#include "result.h"

namespace attrkit {

// A number as attrkit stores it: an integral value with |x| <= 2^53 becomes a JSON integer
// (int64), anything else a double; -0 becomes 0. `x` must be finite.
Json number_json(double x);

// True for a JSON number (integer, unsigned or float), read into *out as a double (possibly
// non-finite: a JS NaN or Infinity reaches the core through the bindings as a double).
bool json_number(const Json& j, double* out);

// ok, attribute_value_invalid (malformed UTF-8 / lone surrogate) or attribute_value_too_long
// (more than max_length code points). Invalid wins over too long. On failure *why (when given)
// is the end of the message: ": the text has a lone surrogate", ": 812 characters, the maximum
// is 700" (value_messages.h).
Error check_text(std::string_view s, std::uint32_t max_length, std::string* why = nullptr);

// The text of a scalar the way JS's String() gives it, into *out: a string as is, a finite number
// by number_to_text, a boolean as "true"/"false". Anything else: false.
bool scalar_text(const Json& j, std::string* out);

}  // namespace attrkit
