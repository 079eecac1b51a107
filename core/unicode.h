// UTF-8 / UTF-16 helpers. Strings inside the core are "WTF-8": UTF-8 in which a lone surrogate
// from a JS string is kept as its 3-byte encoding (ED A0..BF xx), so validation can see and refuse
// it instead of the conversion silently replacing it.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace attrkit {

// JS string code units -> WTF-8 (lone surrogates preserved, pairs combined).
std::string utf16_to_wtf8(std::u16string_view s);

// Number of code points if `s` is well-formed UTF-8 with no surrogate code points; otherwise
// returns false.
bool utf8_code_points(std::string_view s, std::size_t* count);

}  // namespace attrkit
