#include "unicode.h"

#include "text_chars.h"

namespace attrkit {
namespace {

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

}  // namespace

std::string utf16_to_wtf8(std::u16string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t k = 0; k < s.size(); ++k) {
    const char32_t u = s[k];
    if (u >= 0xD800 && u <= 0xDBFF && k + 1 < s.size() && s[k + 1] >= 0xDC00 &&
        s[k + 1] <= 0xDFFF) {
      append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (s[k + 1] - 0xDC00));
      ++k;
    } else {
      // A lone half is encoded as if it were a code point (ED A0..BF xx), which
      // utf8_code_points then refuses: the glue must not decide for the core.
      append_utf8(out, u);
    }
  }
  return out;
}

bool utf8_code_points(std::string_view s, std::size_t* count) {
  std::size_t i = 0;
  std::size_t n = 0;
  char32_t cp;
  while (i < s.size()) {
    if (!next_code_point(s, &i, &cp)) return false;
    ++n;
  }
  *count = n;
  return true;
}

}  // namespace attrkit
