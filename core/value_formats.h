// The built-in formats (DESIGN §3 "Built in"): e-mail addresses and BCP 47 language tags
// (internal to core/). Callers: normalize_value only.
#pragma once
#include <string>

namespace attrkit {

// Both return false for a value that is not of the format (attribute_value_invalid).

// `s` is already known to be well-formed UTF-8. *out: the address with its domain lowercased.
bool normalize_email(const std::string& s, std::string* out);

// *out: the tag with canonical case ("zh-hant-tw" -> "zh-Hant-TW") and '-' separators.
bool normalize_language(const std::string& s, std::string* out);

}  // namespace attrkit
