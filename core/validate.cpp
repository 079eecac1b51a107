#include "validate.h"

#include <cmath>
#include <string>

#include "date.h"
#include "number_text.h"
#include "text_chars.h"
#include "unicode.h"
#include "value_choice.h"
#include "value_formats.h"
#include "value_text.h"

namespace attrkit {
namespace {

constexpr std::size_t kMaxDistinctIdLength = 200;  // code points

Result<Json> normalize_string(const Definition& def, const Json& value) {
  Result<std::string> text = scalar_text(value);
  if (!text.ok()) return text.error();
  const Error e = check_text(text.value(), def.max_length);
  if (e != Error::ok) return e;
  return Json(std::move(text).value());
}

Result<Json> normalize_number(const Definition& def, const Json& value) {
  double x;
  if (value.is_string()) {
    if (!parse_number_text(value.get_ref<const std::string&>(), &x)) {
      return Error::attribute_value_invalid;
    }
  } else if (!json_number(value, &x) || !std::isfinite(x)) {
    return Error::attribute_value_invalid;
  }
  if ((def.min && x < *def.min) || (def.max && x > *def.max) ||
      (def.integer && x != std::floor(x))) {
    return Error::attribute_value_invalid;
  }
  return number_json(x);
}

Result<Json> normalize_boolean(const Json& value) {
  if (value.is_boolean()) return value.get<bool>() ? Json(true) : Json(false);
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    if (s == "true") return Json(true);
    if (s == "false") return Json(false);
  }
  return Error::attribute_value_invalid;
}

Result<Json> normalize_date(const Json& value) {
  Result<std::string> iso = Error::attribute_value_invalid;
  double ms;
  if (value.is_string()) {
    iso = normalize_date_text(value.get_ref<const std::string&>());
  } else if (json_number(value, &ms)) {
    iso = epoch_ms_to_iso(ms);
  }
  if (!iso.ok()) return iso.error();
  return Json(std::move(iso).value());
}

Result<Json> normalize_string_array(const Definition& def, const Json& value) {
  if (!value.is_array()) return Error::attribute_value_invalid;
  if (value.size() > def.max_items) return Error::attribute_value_invalid;
  Json out = Json::array();
  bool too_long = false;
  for (const Json& item : value) {
    if (!item.is_string() && !item.is_number()) return Error::attribute_value_invalid;
    Result<std::string> text = scalar_text(item);
    if (!text.ok()) return text.error();  // NaN / Infinity items
    const Error e = check_text(text.value(), def.max_length);
    if (e == Error::attribute_value_invalid) return e;
    too_long = too_long || e == Error::attribute_value_too_long;
    out.push_back(std::move(text).value());
  }
  // Reported after the scan so a malformed item anywhere wins, whatever the order.
  if (too_long) return Error::attribute_value_too_long;
  return out;
}

// Email and language take strings only: a number is never an address or a tag.
Result<Json> normalize_format(const Definition& def, const Json& value) {
  if (!value.is_string()) return Error::attribute_value_invalid;
  const std::string& s = value.get_ref<const std::string&>();
  const Error e = check_text(s, def.max_length);
  if (e != Error::ok) return e;
  Result<std::string> out =
      def.type == AttrType::email ? normalize_email(s) : normalize_language(s);
  if (!out.ok()) return out.error();
  return Json(std::move(out).value());
}

}  // namespace

Result<Json> normalize_value(const Definition& def, const Json& value) {
  switch (def.type) {
    case AttrType::string:
      return normalize_string(def, value);
    case AttrType::number:
      return normalize_number(def, value);
    case AttrType::boolean:
      return normalize_boolean(value);
    case AttrType::date:
      return normalize_date(value);
    case AttrType::single_choice:
      return normalize_single_choice(def, value);
    case AttrType::multi_choice:
      return normalize_multi_choice(def, value);
    case AttrType::string_array:
      return normalize_string_array(def, value);
    case AttrType::email:
    case AttrType::language:
      return normalize_format(def, value);
  }
  return Error::attribute_value_invalid;
}

namespace {

// The declared, not archived definition of `key`, or the error that says why there is none.
const Definition* writable(const Config& config, std::string_view key, Error* error) {
  const auto it = config.attributes.find(std::string(key));
  *error = it == config.attributes.end() ? Error::attribute_not_defined
           : it->second.archived         ? Error::attribute_archived
                                         : Error::ok;
  return *error == Error::ok ? &it->second : nullptr;
}

}  // namespace

Result<Json> validate_write(const Config& config, std::string_view key, const Json& value) {
  Error e;
  const Definition* def = writable(config, key, &e);
  if (!def) return e;
  return normalize_value(*def, value);
}

Error validate_clear(const Config& config, std::string_view key, bool publishable) {
  if (publishable && !config.client_attribute_writes) return Error::client_attribute_writes_disabled;
  Error e;
  writable(config, key, &e);
  return e;
}

Error validate_distinct_id(const Json& id) {
  if (!id.is_string()) return Error::distinct_id_invalid;
  const std::string& s = id.get_ref<const std::string&>();
  std::size_t i = 0, count = 0;
  bool blank = true;
  char32_t cp;
  while (i < s.size()) {
    if (!next_code_point(s, &i, &cp)) return Error::distinct_id_invalid;
    blank = blank && is_js_whitespace(cp);
    ++count;
  }
  if (count == 0 || count > kMaxDistinctIdLength || blank) return Error::distinct_id_invalid;
  // What String(x) gives for a missing or unset id in JS, and the usual stand-ins for "nobody".
  static constexpr const char* kPlaceholders[] = {"null",  "undefined",   "anonymous",
                                                  "guest", "distinct_id", "[object Object]"};
  for (const char* p : kPlaceholders) {
    if (ascii_iequal(s, p)) return Error::distinct_id_invalid;
  }
  return Error::ok;
}

}  // namespace attrkit
