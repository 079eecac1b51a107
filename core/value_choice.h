// single_choice and multi_choice normalisation (DESIGN §3), split out of validate.cpp (internal
// to core/). Callers: normalize_value only.
#pragma once
#include <string>

#include "definitions.h"
#include "error.h"
#include "json.h"

namespace attrkit {

// Error::ok with the normalised value in *out, or the error with the end of its message in *why
// (value_messages.h); normalize_value builds the Result and the message.
Error normalize_single_choice(const Definition& def, const Json& value, Json* out,
                              std::string* why);
Error normalize_multi_choice(const Definition& def, const Json& value, Json* out, std::string* why);

}  // namespace attrkit
