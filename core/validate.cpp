#include "validate.h"

#include <cmath>
#include <string>
#include <utility>

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

// Each normaliser returns Error::ok with the value in *out, or the error: normalize_value builds
// the one Result (a Result per return costs code in every branch).

Error normalize_string(const Definition& def, const Json& value, Json* out) {
  std::string text;
  if (!scalar_text(value, &text)) return Error::attribute_value_invalid;
  const Error e = check_text(text, def.max_length);
  if (e == Error::ok) *out = std::move(text);
  return e;
}

Error normalize_number(const Definition& def, const Json& value, Json* out) {
  double x;
  if (const std::string* s = value.get_ptr<const std::string*>()) {
    if (!parse_number_text(*s, &x)) return Error::attribute_value_invalid;
  } else if (!json_number(value, &x) || !std::isfinite(x)) {
    return Error::attribute_value_invalid;
  }
  if ((def.min && x < *def.min) || (def.max && x > *def.max) ||
      (def.integer && x != std::floor(x))) {
    return Error::attribute_value_invalid;
  }
  *out = number_json(x);
  return Error::ok;
}

Error normalize_boolean(const Json& value, Json* out) {
  if (const bool* b = value.get_ptr<const bool*>()) {
    *out = *b;
  } else if (const std::string* s = value.get_ptr<const std::string*>(); s && *s == "true") {
    *out = true;
  } else if (s && *s == "false") {
    *out = false;
  } else {
    return Error::attribute_value_invalid;
  }
  return Error::ok;
}

Error normalize_date(const Json& value, Json* out) {
  Result<std::string> iso = Error::attribute_value_invalid;
  double ms;
  if (const std::string* s = value.get_ptr<const std::string*>()) {
    iso = normalize_date_text(*s);
  } else if (json_number(value, &ms)) {
    iso = epoch_ms_to_iso(ms);
  }
  if (iso.ok()) *out = std::move(iso).value();
  return iso.error();
}

Error normalize_string_array(const Definition& def, const Json& value, Json* out) {
  const Json::array_t* items = value.get_ptr<const Json::array_t*>();
  if (items == nullptr || items->size() > def.max_items) return Error::attribute_value_invalid;
  Json texts = json_array();
  bool too_long = false;
  for (const Json& item : *items) {
    std::string text;
    // Strings and finite numbers only (NaN / Infinity items are refused by scalar_text).
    if (!(item.is_string() || item.is_number()) || !scalar_text(item, &text)) {
      return Error::attribute_value_invalid;
    }
    const Error e = check_text(text, def.max_length);
    if (e == Error::attribute_value_invalid) return e;
    too_long = too_long || e == Error::attribute_value_too_long;
    texts.push_back(std::move(text));
  }
  // Reported after the scan so a malformed item anywhere wins, whatever the order.
  if (too_long) return Error::attribute_value_too_long;
  *out = std::move(texts);
  return Error::ok;
}

// Email and language take strings only: a number is never an address or a tag.
Error normalize_format(const Definition& def, const Json& value, Json* out) {
  const std::string* s = value.get_ptr<const std::string*>();
  if (s == nullptr) return Error::attribute_value_invalid;
  const Error e = check_text(*s, def.max_length);
  if (e != Error::ok) return e;
  std::string text;
  const bool ok =
      def.type == AttrType::email ? normalize_email(*s, &text) : normalize_language(*s, &text);
  if (!ok) return Error::attribute_value_invalid;
  *out = std::move(text);
  return Error::ok;
}

Error normalize(const Definition& def, const Json& value, Json* out) {
  switch (def.type) {
    case AttrType::string:
      return normalize_string(def, value, out);
    case AttrType::number:
      return normalize_number(def, value, out);
    case AttrType::boolean:
      return normalize_boolean(value, out);
    case AttrType::date:
      return normalize_date(value, out);
    case AttrType::single_choice:
      return normalize_single_choice(def, value, out);
    case AttrType::multi_choice:
      return normalize_multi_choice(def, value, out);
    case AttrType::string_array:
      return normalize_string_array(def, value, out);
    case AttrType::email:
    case AttrType::language:
      return normalize_format(def, value, out);
  }
  return Error::attribute_value_invalid;
}

}  // namespace

Result<Json> normalize_value(const Definition& def, const Json& value) {
  Json out;
  const Error e = normalize(def, value, &out);
  if (e != Error::ok) return e;
  return out;
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
