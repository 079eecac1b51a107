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

// The decimal text of an integer of magnitude <= 2^53 (write ids, batch ids, units): exact, and
// in the Wasm build it spares std::to_string's itoa tables (0.3 KB brotli, bench/README.md).
inline std::string integer_text(std::int64_t n) { return number_to_text(static_cast<double>(n)); }

// A numeric string: optional '-', digits with an optional fraction (or a leading '.'), optional
// exponent; no whitespace, no '+', no hex, no Infinity. Returns false if not numeric or not finite.
bool parse_number_text(std::string_view s, double* out);

}  // namespace attrkit
