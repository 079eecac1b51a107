// The built-in formats (DESIGN §3 "Built in"): e-mail addresses and BCP 47 language tags (owned by
// the "values" engineer; internal to core/). Callers: normalize_value only.
#pragma once
#include <string>

#include "result.h"

namespace attrkit {

// `s` is already known to be well-formed UTF-8. Returns the address with its domain lowercased.
Result<std::string> normalize_email(const std::string& s);

// Returns the tag with canonical case ("zh-hant-tw" -> "zh-Hant-TW") and '-' separators.
Result<std::string> normalize_language(const std::string& s);

}  // namespace attrkit
