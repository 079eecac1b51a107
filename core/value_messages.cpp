#include "value_messages.h"

#include <cmath>

#include "number_text.h"
#include "text_chars.h"
#include "value_text.h"

namespace attrkit {

std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out.append(p);
  return out;
}

std::string shown_text(std::string_view s) {
  std::string out;
  std::size_t i = 0, count = 0;
  char32_t cp;
  while (i < s.size()) {
    if (count++ == kShownCodePoints) return out += "\xE2\x80\xA6";  // …
    const std::size_t start = i;
    if (next_code_point(s, &i, &cp) && (cp < 0x20 || cp == 0x7F)) {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += "\\u00";  // a control character is shown escaped, so a message stays one line
      out += kHex[cp >> 4];
      out += kHex[cp & 15];
    } else if (i > start) {
      out.append(s.substr(start, i - start));
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD for a malformed sequence (a WTF-8 lone surrogate: 3 bytes)
      while (++i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) {}
    }
  }
  return out;
}

constexpr const char* kNotJson = "a function or other non-JSON value";

std::string shown_value(const Json& v) {
  double x;
  if (const std::string* s = v.get_ptr<const std::string*>())
    return cat({"\"", shown_text(*s), "\""});
  if (const bool* b = v.get_ptr<const bool*>()) return *b ? "true" : "false";
  if (v.is_null()) return "null";
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  if (json_number(v, &x)) {
    if (std::isnan(x)) return "NaN";
    if (std::isinf(x)) return x < 0 ? "-Infinity" : "Infinity";
    return number_to_text(x);
  }
  return kNotJson;
}

std::string too_long_text(std::size_t count, std::uint32_t max) {
  return cat({integer_text(static_cast<std::int64_t>(count)), " characters, the maximum is ",
              integer_text(max)});
}

std::string options_text(const std::vector<std::string>& options) {
  constexpr std::size_t kShown = 5;
  std::string out;
  for (std::size_t k = 0; k < options.size() && k < kShown; ++k) {
    if (k > 0) out.append(", ");
    out.append(shown_text(options[k]));
  }
  if (options.size() > kShown) {
    out.append(
        cat({" and ", integer_text(static_cast<std::int64_t>(options.size() - kShown)), " more"}));
  }
  return out;
}

Error invalid(std::string* why, std::initializer_list<std::string_view> detail) {
  *why = ": ";
  for (std::string_view p : detail) why->append(p);
  return Error::attribute_value_invalid;
}

Error expected(const char* what, const Json& value, std::string* why) {
  return invalid(why, {"expected ", what, ", got ", shown_value(value)});
}

Error at_item(std::size_t k, const std::string& item_why, Error e, std::string* why) {
  *why = cat({"[", integer_text(static_cast<std::int64_t>(k)), "]", item_why});
  return e;
}

std::string not_json_message(std::string_view key) {
  return cat({shown_text(key), ": expected JSON data, got ", kNotJson});
}

}  // namespace attrkit
