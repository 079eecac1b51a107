// single_choice and multi_choice normalisation (DESIGN §3), split out of validate.cpp (owned by
// the "values" engineer; internal to core/). Callers: normalize_value only.
#pragma once
#include "definitions.h"
#include "json.h"
#include "result.h"

namespace attrkit {

Result<Json> normalize_single_choice(const Definition& def, const Json& value);
Result<Json> normalize_multi_choice(const Definition& def, const Json& value);

}  // namespace attrkit
