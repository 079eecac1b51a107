// Date normalisation (DESIGN §3 `date` row).
#pragma once
#include <string>
#include <string_view>

#include "result.h"

namespace attrkit {

// "YYYY-MM-DD" -> itself (checked: month, day, leap years). A date-time with 'T', seconds and
// fraction optional, and 'Z' or a +HH:MM / +HHMM offset -> UTC "YYYY-MM-DDTHH:MM:SS.sssZ"
// (fraction truncated to milliseconds). Anything else: attribute_value_invalid, and *why (when
// given) says why as the end of a message: "is not a real date", "has no time zone (Z or +HH:MM)".
Result<std::string> normalize_date_text(std::string_view s, const char** why = nullptr);

// Integer epoch milliseconds in years 0000..9999 -> UTC "YYYY-MM-DDTHH:MM:SS.sssZ"; *why as above.
Result<std::string> epoch_ms_to_iso(double ms, const char** why = nullptr);

}  // namespace attrkit
