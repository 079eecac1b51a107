#include "value_formats.h"

#include <cstddef>
#include <utility>

#include "text_chars.h"

namespace attrkit {

bool normalize_email(const std::string& s, std::string* out) {
  const std::size_t at = s.find('@');
  if (at == std::string::npos || at == 0 || s.find('@', at + 1) != std::string::npos) {
    return false;
  }
  // Local part: anything (internationalised addresses included) but whitespace and controls.
  std::size_t i = 0;
  char32_t cp;
  while (i < at) {
    if (!next_code_point(s, &i, &cp) || is_js_whitespace(cp) || cp < 0x20 || cp == 0x7F) {
      return false;
    }
  }
  // Domain: dot-separated LDH labels of 1..63 characters, at least two labels.
  std::string text = s.substr(0, at + 1);
  std::size_t label = 0, labels = 1;
  char prev = '.';
  for (std::size_t k = at + 1; k < s.size(); ++k) {
    const char c = s[k];
    if (c == '.') {
      if (label == 0 || prev == '-') return false;
      label = 0;
      ++labels;
    } else if (is_ascii_alnum(c) || c == '-') {
      if (c == '-' && label == 0) return false;
      if (++label > 63) return false;
    } else {
      return false;
    }
    prev = c;
    text += ascii_lower(c);
  }
  if (label == 0 || prev == '-' || labels < 2) return false;
  *out = std::move(text);
  return true;
}

bool normalize_language(const std::string& s, std::string* out) {
  std::string text;
  text.reserve(s.size());
  std::size_t index = 0;         // subtag position
  bool after_singleton = false;  // extension / private-use subtags keep no case conventions
  bool need_subtag = false;      // a singleton must be followed by a subtag
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = start;
    while (end < s.size() && s[end] != '-' && s[end] != '_') ++end;
    const std::size_t len = end - start;
    if (len < 1 || len > 8) return false;
    bool alpha = true;
    for (std::size_t k = start; k < end; ++k) {
      if (!is_ascii_alnum(s[k])) return false;
      alpha = alpha && is_ascii_alpha(s[k]);
    }
    if (index == 0 && (!alpha || len == 1 || len == 4)) return false;
    if (index > 0) text += '-';
    for (std::size_t k = start; k < end; ++k) {
      char c = ascii_lower(s[k]);
      if (index > 0 && !after_singleton && alpha) {
        if (len == 2 || (len == 4 && k == start)) c = ascii_upper(c);  // region, Script
      }
      text += c;
    }
    need_subtag = index > 0 && len == 1;
    if (need_subtag) after_singleton = true;
    ++index;
    if (end == s.size()) break;
    start = end + 1;
  }
  if (need_subtag) return false;
  *out = std::move(text);
  return true;
}

}  // namespace attrkit
