#include "fuzz/support.h"

#include <cstdio>
#include <cstdlib>

#include "core/command.h"
#include "core/unicode.h"

namespace attrkit::fuzz {
namespace {

constexpr std::size_t kMaxRepeat = 4096;  // a long string or array without a long input

bool is_macro(const Json& j, const char* name) {
  return j.is_object() && j.size() == 1 && j.contains(name);
}

std::size_t count_of(const Json& n) {
  if (!n.is_number_unsigned() && !n.is_number_integer()) return 0;
  if (n.is_number_integer() && n.get<std::int64_t>() < 0) return 0;
  std::uint64_t v = n.get<std::uint64_t>();
  return v > kMaxRepeat ? kMaxRepeat : static_cast<std::size_t>(v);
}

std::string text_of(const Json& j) {
  Json e = expand(j);
  return e.is_string() ? e.get<std::string>() : std::string();
}

}  // namespace

Json expand(const Json& j) {
  if (j.is_array()) {
    Json out = json_array();
    for (const Json& item : j) out.push_back(expand(item));
    return out;
  }
  if (!j.is_object()) return j;
  if (is_macro(j, "$fn")) return function_marker();
  if (is_macro(j, "$symbol")) return Json::binary(Json::binary_t::container_type{}, 0);
  if (is_macro(j, "$utf16") && j["$utf16"].is_array()) {
    std::u16string units;
    for (const Json& u : j["$utf16"])
      if (u.is_number_unsigned())
        units.push_back(static_cast<char16_t>(u.get<std::uint64_t>() & 0xFFFF));
    return utf16_to_wtf8(units);
  }
  if (is_macro(j, "$repeat") && j["$repeat"].is_array() && j["$repeat"].size() == 2) {
    const std::string s = text_of(j["$repeat"][0]);
    std::size_t n = count_of(j["$repeat"][1]);
    if (!s.empty() && n > kMaxRepeat / s.size()) n = kMaxRepeat / s.size();
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += s;
    return out;
  }
  if (is_macro(j, "$concat") && j["$concat"].is_array()) {
    std::string out;
    for (const Json& part : j["$concat"]) out += text_of(part);
    return out;
  }
  if (is_macro(j, "$array") && j["$array"].is_array() && j["$array"].size() == 2) {
    const Json item = expand(j["$array"][0]);
    Json out = json_array();
    for (std::size_t i = 0, n = count_of(j["$array"][1]); i < n; ++i) out.push_back(item);
    return out;
  }
  Json out = json_object();
  for (const auto& [key, value] : members(j)) out[key] = expand(value);
  return out;
}

bool read_json(const std::uint8_t* data, std::size_t size, Json* out) {
  Json j = Json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return false;
  *out = expand(j);
  return true;
}

std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

void fail(const char* what, const Json& context) {
  std::fprintf(stderr, "invariant broken: %s\n", what);
  if (!context.is_null()) std::fprintf(stderr, "%.4000s\n", dump(context).c_str());
  std::abort();
}

}  // namespace attrkit::fuzz
