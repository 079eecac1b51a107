#include "server/json_body.h"

#include "server/random_id.h"

namespace attrkit::server {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The code unit of a "\uXXXX" escape starting at text[i] (the backslash), or -1.
int escape_at(const std::string& text, std::size_t i) {
  if (i + 6 > text.size()) return -1;
  if (text[i] != '\\' || text[i + 1] != 'u') return -1;
  int v = 0;
  for (std::size_t k = 2; k < 6; ++k) {
    int h = hex_value(text[i + k]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

std::string wtf8_surrogate(int unit) {
  std::string s(3, '\0');
  s[0] = static_cast<char>(0xE0 | (unit >> 12));
  s[1] = static_cast<char>(0x80 | ((unit >> 6) & 0x3F));
  s[2] = static_cast<char>(0x80 | (unit & 0x3F));
  return s;
}

// Replaces each lone-surrogate escape with a marker (random, absent from the text) followed by
// the four hex digits, and reports whether it replaced anything.
bool mark_lone_surrogates(std::string& text, const std::string& marker) {
  std::string out;
  bool changed = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 1 >= text.size()) {
      out.push_back(text[i]);
      continue;
    }
    if (text[i + 1] != 'u') {  // any other escape: copy both characters so "\\u" stays literal
      out.append(text, i, 2);
      ++i;
      continue;
    }
    int unit = escape_at(text, i);
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      int next = escape_at(text, i + 6);
      if (next >= 0xDC00 && next <= 0xDFFF) {  // a proper pair: leave it to the parser
        out.append(text, i, 12);
        i += 11;
        continue;
      }
    }
    if (unit >= 0xD800 && unit <= 0xDFFF) {
      out += marker;
      out.append(text, i + 2, 4);
      i += 5;
      changed = true;
      continue;
    }
    out.append(text, i, 2);
    ++i;
  }
  if (changed) text.swap(out);
  return changed;
}

void restore(Json& j, const std::string& marker) {
  if (j.is_string()) {
    std::string& s = j.get_ref<std::string&>();
    std::size_t at = 0;
    while ((at = s.find(marker, at)) != std::string::npos) {
      std::size_t hex = at + marker.size();
      int unit = 0;
      for (std::size_t k = 0; k < 4; ++k) unit = unit * 16 + hex_value(s[hex + k]);
      s.replace(at, marker.size() + 4, wtf8_surrogate(unit));
      at += 3;
    }
  } else if (j.is_array() || j.is_object()) {
    for (auto& child : j) restore(child, marker);
  }
}

}  // namespace

std::optional<Json> parse_json_body(const std::string& text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_discarded()) return j;
  if (text.find("\\u") == std::string::npos) return std::nullopt;

  std::string marker;
  do {
    marker = "~ls" + random_alnum(20) + "~";
  } while (text.find(marker) != std::string::npos);
  std::string marked = text;
  if (!mark_lone_surrogates(marked, marker)) return std::nullopt;
  j = Json::parse(marked, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  restore(j, marker);
  return j;
}

std::string dump_json(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace attrkit::server
