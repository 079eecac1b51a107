// Number <-> text with JavaScript's rules, so "coerced to its text" (DESIGN §3) gives the bytes
// String(n) gives in the browser: 1 -> "1", 0.1 -> "0.1", 1e21 -> "1e+21", 1e-7 -> "1e-7", -0 ->
// "0".
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace attrkit {

// Shortest round-trip digits, formatted like ECMAScript Number::toString. `x` must be finite.
// Native builds compute it (number_text.cpp); the Wasm build defines ATTRKIT_HOST_NUMBER_TEXT and
// takes the browser's String(x) instead (bindings/number_text.js), the same bytes by definition.
std::string number_to_text(double x);

// The decimal text of an integer (write ids, batch ids, counts in messages): what String(n) gives
// for |n| <= 2^53. A digit loop, not std::to_string (its itoa tables cost 0.3 KB brotli of the
// module) nor number_to_text (in the Wasm build a call into JS for every write id).
std::string integer_text(std::int64_t n);

// A numeric string: optional '-', digits with an optional fraction (or a leading '.'), optional
// exponent; no whitespace, no '+', no hex, no Infinity. Returns false if not numeric or not finite.
bool parse_number_text(std::string_view s, double* out);

}  // namespace attrkit
