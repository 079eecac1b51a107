#include "value_choice.h"

#include <string>
#include <utility>
#include <vector>

#include "text_chars.h"
#include "value_messages.h"
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

Error not_an_option(const Definition& def, const Json& value, std::string* why) {
  return invalid(why, {shown_value(value), " is not one of ", options_text(def.options)});
}

}  // namespace

Error normalize_single_choice(const Definition& def, const Json& value, Json* out,
                              std::string* why) {
  std::string text;
  if (!scalar_text(value, &text)) return expected("a string", value, why);
  const Error e = check_text(text, def.max_length, why);
  if (e == Error::attribute_value_invalid) return e;
  if (const std::string* option = match_option(def, text)) {
    *out = *option;
    return Error::ok;
  }
  if (!def.allow_custom) return not_an_option(def, value, why);
  if (e == Error::ok) *out = std::move(text);
  return e;
}

Error normalize_multi_choice(const Definition& def, const Json& value, Json* out,
                             std::string* why) {
  std::vector<const std::string*> items;
  if (value.is_string()) {
    items.push_back(&value.get_ref<const std::string&>());
  } else if (value.is_array()) {
    for (std::size_t k = 0; k < value.size(); ++k) {
      if (!value[k].is_string()) {
        std::string item_why;
        const Error e = expected("a string", value[k], &item_why);
        return at_item(k, item_why, e, why);
      }
      items.push_back(&value[k].get_ref<const std::string&>());
    }
  } else {
    return expected("a string or an array of strings", value, why);
  }
  // Malformed text anywhere refuses the whole value before any length is looked at, so the code
  // does not depend on item order. `where`: an item's message names it, one string's does not.
  const auto where = [&](std::size_t k, const std::string& item_why, Error e, std::string* to) {
    return value.is_array() ? at_item(k, item_why, e, to) : (*to = item_why, e);
  };
  std::string too_long;  // the message of the first custom item over max_length
  for (std::size_t k = 0; k < items.size(); ++k) {
    std::string item_why;
    const Error e = check_text(*items[k], def.max_length, &item_why);
    if (e == Error::attribute_value_invalid) return where(k, item_why, e, why);
    if (e == Error::attribute_value_too_long && def.allow_custom && too_long.empty() &&
        match_option(def, *items[k]) == nullptr) {
      where(k, item_why, e, &too_long);
    }
  }
  if (!too_long.empty()) return *why = std::move(too_long), Error::attribute_value_too_long;

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
  if (items.empty()) return invalid(why, {"no items"});
  if (kept.empty()) {
    return value.is_string() ? not_an_option(def, value, why)
                             : invalid(why, {"no item is one of ", options_text(def.options)});
  }
  *out = std::move(chosen_items);
  return Error::ok;
}

}  // namespace attrkit
