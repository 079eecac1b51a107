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
#include "value_messages.h"
#include "value_text.h"

namespace attrkit {
namespace {

constexpr std::size_t kMaxDistinctIdLength = 200;  // code points

// Each normaliser returns Error::ok with the value in *out, or the error with what follows the key
// in its message in *why (value_messages.h): normalize_value builds the one Result and the message
// (a Result per return costs code in every branch).

Error normalize_string(const Definition& def, const Json& value, Json* out, std::string* why) {
  std::string text;
  if (!scalar_text(value, &text)) return expected("a string", value, why);
  const Error e = check_text(text, def.max_length, why);
  if (e == Error::ok) *out = std::move(text);
  return e;
}

Error normalize_number(const Definition& def, const Json& value, Json* out, std::string* why) {
  double x;
  if (const std::string* s = value.get_ptr<const std::string*>()) {
    if (!parse_number_text(*s, &x)) return expected("a number", value, why);
  } else if (!json_number(value, &x)) {
    return expected("a number", value, why);
  } else if (!std::isfinite(x)) {
    return invalid(why, {shown_value(value), " is not a finite number"});
  }
  const bool below = def.min && x < *def.min;
  if (below || (def.max && x > *def.max)) {
    return invalid(why,
                   {number_to_text(x), below ? " is below the minimum " : " is above the maximum ",
                    number_to_text(below ? *def.min : *def.max)});
  }
  if (def.integer && x != std::floor(x))
    return invalid(why, {number_to_text(x), " is not a whole number"});
  *out = number_json(x);
  return Error::ok;
}

Error normalize_boolean(const Json& value, Json* out, std::string* why) {
  if (const bool* b = value.get_ptr<const bool*>()) {
    *out = *b;
  } else if (const std::string* s = value.get_ptr<const std::string*>(); s && *s == "true") {
    *out = true;
  } else if (s && *s == "false") {
    *out = false;
  } else {
    return expected("true or false", value, why);
  }
  return Error::ok;
}

Error normalize_date(const Json& value, Json* out, std::string* why) {
  const std::string* s = value.get_ptr<const std::string*>();
  double ms;
  if (!s && !json_number(value, &ms)) return expected("a date", value, why);
  const char* reason = "";
  Result<std::string> iso = s ? normalize_date_text(*s, &reason) : epoch_ms_to_iso(ms, &reason);
  if (!iso.ok()) return invalid(why, {shown_value(value), " ", reason});
  *out = std::move(iso).value();
  return Error::ok;
}

Error normalize_string_array(const Definition& def, const Json& value, Json* out,
                             std::string* why) {
  const Json::array_t* items = value.get_ptr<const Json::array_t*>();
  if (items == nullptr) return expected("an array", value, why);
  if (items->size() > def.max_items) {
    return invalid(why, {integer_text(static_cast<std::int64_t>(items->size())),
                         " items, the maximum is ", integer_text(def.max_items)});
  }
  Json texts = json_array();
  std::string too_long;  // the message of the first item over max_length
  for (std::size_t k = 0; k < items->size(); ++k) {
    const Json& item = (*items)[k];
    std::string text, item_why;
    // Strings and finite numbers only (NaN / Infinity items are refused by scalar_text).
    const Error e = (item.is_string() || item.is_number()) && scalar_text(item, &text)
                        ? check_text(text, def.max_length, &item_why)
                        : expected("a string or a number", item, &item_why);
    if (e == Error::attribute_value_invalid) return at_item(k, item_why, e, why);
    if (e == Error::attribute_value_too_long && too_long.empty())
      at_item(k, item_why, e, &too_long);
    texts.push_back(std::move(text));
  }
  // Reported after the scan so a malformed item anywhere wins, whatever the order.
  if (!too_long.empty()) return *why = std::move(too_long), Error::attribute_value_too_long;
  *out = std::move(texts);
  return Error::ok;
}

// Email and language take strings only: a number is never an address or a tag.
Error normalize_format(const Definition& def, const Json& value, Json* out, std::string* why) {
  const std::string* s = value.get_ptr<const std::string*>();
  if (s == nullptr) return expected("a string", value, why);
  const Error e = check_text(*s, def.max_length, why);
  if (e != Error::ok) return e;
  std::string text;
  const bool email = def.type == AttrType::email;
  if (!(email ? normalize_email(*s, &text) : normalize_language(*s, &text))) {
    return invalid(why, {shown_value(value),
                         email ? " is not an email address" : " is not a BCP 47 language tag"});
  }
  *out = std::move(text);
  return Error::ok;
}

Error normalize(const Definition& def, const Json& value, Json* out, std::string* why) {
  switch (def.type) {
    case AttrType::string: return normalize_string(def, value, out, why);
    case AttrType::number: return normalize_number(def, value, out, why);
    case AttrType::boolean: return normalize_boolean(value, out, why);
    case AttrType::date: return normalize_date(value, out, why);
    case AttrType::single_choice: return normalize_single_choice(def, value, out, why);
    case AttrType::multi_choice: return normalize_multi_choice(def, value, out, why);
    case AttrType::string_array: return normalize_string_array(def, value, out, why);
    case AttrType::email:
    case AttrType::language: return normalize_format(def, value, out, why);
  }
  return expected("a value", value, why);
}

}  // namespace

Result<Json> normalize_value(const Definition& def, const Json& value, std::string* message) {
  Json out;
  std::string why;
  const Error e = normalize(def, value, &out, &why);
  if (e == Error::ok) return out;
  if (message) *message = cat({shown_text(def.key), why});
  return e;
}

namespace {

// The declared, not archived definition of `key`, or the error that says why there is none.
const Definition* writable(const Config& config, std::string_view key, Error* error,
                           std::string* message) {
  const auto it = config.attributes.find(std::string(key));
  *error = it == config.attributes.end() ? Error::attribute_not_defined
           : it->second.archived         ? Error::attribute_archived
                                         : Error::ok;
  // An undeclared key is quoted: it is the caller's text ("", "plan ") rather than a known name.
  if (*error == Error::attribute_archived && message)
    *message = cat({shown_text(key), ": the attribute is archived"});
  if (*error == Error::attribute_not_defined && message) {
    *message = cat({"\"", shown_text(key), "\" is not a declared attribute"});
  }
  return *error == Error::ok ? &it->second : nullptr;
}

}  // namespace

Result<Json> validate_write(const Config& config, std::string_view key, const Json& value,
                            std::string* message) {
  Error e;
  const Definition* def = writable(config, key, &e, message);
  if (!def) return e;
  return normalize_value(*def, value, message);
}

Error validate_clear(const Config& config, std::string_view key, bool publishable,
                     std::string* message) {
  if (publishable && !config.client_attribute_writes)
    return Error::client_attribute_writes_disabled;
  Error e;
  writable(config, key, &e, message);
  return e;
}

namespace {

// The end of a distinct id's message (": empty", ...); empty when the id is valid.
std::string distinct_id_why(const Json& id) {
  std::string why;
  const std::string* s = id.get_ptr<const std::string*>();
  if (s == nullptr) return expected("a string", id, &why), why;
  if (check_text(*s, kMaxDistinctIdLength, &why) != Error::ok)
    return why;  // lone surrogate, over 200
  if (s->empty()) return ": empty";
  bool blank = true;
  std::size_t i = 0;
  char32_t cp;
  while (blank && next_code_point(*s, &i, &cp)) blank = is_js_whitespace(cp);
  if (blank) return ": only whitespace";
  // What String(x) gives for a missing or unset id in JS, and the usual stand-ins for "nobody".
  static constexpr const char* kPlaceholders[] = {"null",  "undefined",   "anonymous",
                                                  "guest", "distinct_id", "[object Object]"};
  for (const char* p : kPlaceholders) {
    if (ascii_iequal(*s, p))
      return cat({": ", shown_value(id), " is a placeholder, not a user id"});
  }
  return why;
}

}  // namespace

Error validate_distinct_id(const Json& id, std::string* message) {
  std::string why = distinct_id_why(id);
  if (why.empty()) return Error::ok;
  if (message) *message = cat({"distinctId", why});
  return Error::distinct_id_invalid;
}

}  // namespace attrkit
