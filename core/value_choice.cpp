#include "value_choice.h"

#include <string>
#include <utility>
#include <vector>

#include "text_chars.h"
#include "value_text.h"

namespace attrkit {
namespace {

// The declared spelling of the option `text` names: an exact match, else the one option equal
// ignoring ASCII case (parse_definition keeps options unique that way). Null when none matches.
const std::string* match_option(const Definition& def, const std::string& text) {
  for (const std::string& o : def.options) {
    if (o == text) return &o;
  }
  for (const std::string& o : def.options) {
    if (ascii_iequal(o, text)) return &o;
  }
  return nullptr;
}

}  // namespace

Error normalize_single_choice(const Definition& def, const Json& value, Json* out) {
  std::string text;
  if (!scalar_text(value, &text)) return Error::attribute_value_invalid;
  const Error e = check_text(text, def.max_length);
  if (e == Error::attribute_value_invalid) return e;
  if (const std::string* option = match_option(def, text)) {
    *out = *option;
    return Error::ok;
  }
  if (!def.allow_custom) return Error::attribute_value_invalid;
  if (e == Error::ok) *out = std::move(text);
  return e;
}

Error normalize_multi_choice(const Definition& def, const Json& value, Json* out) {
  std::vector<const std::string*> items;
  if (value.is_string()) {
    items.push_back(&value.get_ref<const std::string&>());
  } else if (value.is_array()) {
    for (const Json& item : value) {
      if (!item.is_string()) return Error::attribute_value_invalid;
      items.push_back(&item.get_ref<const std::string&>());
    }
  } else {
    return Error::attribute_value_invalid;
  }
  // Malformed text anywhere refuses the whole value before any length is looked at, so the code
  // does not depend on item order.
  bool too_long = false;
  for (const std::string* item : items) {
    const Error e = check_text(*item, def.max_length);
    if (e == Error::attribute_value_invalid) return e;
    if (e == Error::attribute_value_too_long && def.allow_custom &&
        match_option(def, *item) == nullptr) {
      too_long = true;
    }
  }
  if (too_long) return Error::attribute_value_too_long;

  Json chosen_items = json_array();
  std::vector<const std::string*> kept;
  for (const std::string* item : items) {
    const std::string* chosen = match_option(def, *item);
    if (chosen == nullptr) {
      if (!def.allow_custom) continue;  // items outside the options are dropped (DESIGN §3)
      chosen = item;
    }
    bool seen = false;
    for (const std::string* k : kept) seen = seen || *k == *chosen;
    if (seen) continue;
    kept.push_back(chosen);
    chosen_items.push_back(*chosen);
  }
  if (kept.empty()) return Error::attribute_value_invalid;
  *out = std::move(chosen_items);
  return Error::ok;
}

}  // namespace attrkit
