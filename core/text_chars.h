// Character-level helpers shared by the validators (internal to core/, not part of the bindings'
// surface). All work on UTF-8 / WTF-8 bytes.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace attrkit {

// Decodes the code point that starts at s[*i] and advances *i past it. Returns false (and leaves
// *i unchanged) for malformed UTF-8: a bad lead or continuation byte, a truncated sequence, an
// overlong form, a value above U+10FFFF, or a surrogate code point (a WTF-8 lone surrogate).
bool next_code_point(std::string_view s, std::size_t* i, char32_t* cp);

// The characters JavaScript's String.prototype.trim removes (WhiteSpace and LineTerminator:
// tab, LF, VT, FF, CR, space, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F,
// U+3000, U+FEFF), so "blank" means what a web developer's id.trim() === "" means.
bool is_js_whitespace(char32_t cp);

char ascii_lower(char c);
char ascii_upper(char c);
bool is_ascii_alpha(char c);
bool is_ascii_digit(char c);
bool is_ascii_alnum(char c);
// Equal after ASCII lowercasing; bytes >= 0x80 must match exactly.
bool ascii_iequal(std::string_view a, std::string_view b);

}  // namespace attrkit
