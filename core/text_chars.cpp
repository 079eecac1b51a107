#include "text_chars.h"

namespace attrkit {

bool next_code_point(std::string_view s, std::size_t* i, char32_t* cp) {
  const std::size_t n = s.size();
  std::size_t p = *i;
  if (p >= n) return false;
  const unsigned char b0 = static_cast<unsigned char>(s[p]);
  if (b0 < 0x80) {
    *cp = b0;
    *i = p + 1;
    return true;
  }
  int extra;
  char32_t v;
  char32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    extra = 1, v = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    extra = 2, v = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    extra = 3, v = b0 & 0x07, min = 0x10000;
  } else {
    return false;  // continuation byte as lead, or 0xF8..0xFF
  }
  if (n - p - 1 < static_cast<std::size_t>(extra)) return false;
  for (int k = 1; k <= extra; ++k) {
    const unsigned char b = static_cast<unsigned char>(s[p + k]);
    if ((b & 0xC0) != 0x80) return false;
    v = (v << 6) | (b & 0x3F);
  }
  // Overlong forms would let two byte strings mean the same text; surrogates are the WTF-8 way a
  // lone UTF-16 half survives conversion and must be refused here.
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return false;
  *cp = v;
  *i = p + 1 + extra;
  return true;
}

bool is_js_whitespace(char32_t c) {
  if (c == 0x20 || (c >= 0x09 && c <= 0x0D)) return true;
  if (c < 0xA0) return false;
  return c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
char ascii_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }
bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ascii_alnum(char c) { return is_ascii_alpha(c) || is_ascii_digit(c); }

bool ascii_iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (ascii_lower(a[k]) != ascii_lower(b[k])) return false;
  }
  return true;
}

}  // namespace attrkit
