// Value validation and normalisation (DESIGN §3), and distinct ids (DESIGN §3, §4).
// Pure functions: the same inputs give the same result natively and in Wasm.
#pragma once
#include <string_view>

#include "definitions.h"
#include "json.h"
#include "result.h"

namespace attrkit {

// Validates one value against one definition and returns its normalised form, or
// attribute_value_invalid / attribute_value_too_long. Ignores `archived`.
Result<Json> normalize_value(const Definition& def, const Json& value);

// Looks the key up exactly (no prototype, no case folding), then: attribute_not_defined,
// attribute_archived, or normalize_value.
Result<Json> validate_write(const Config& config, std::string_view key, const Json& value);

// Whether an attribute may be cleared (DELETE /api/v1/attributes/values): the key checks of
// validate_write. `publishable`: the caller holds a public key (the browser SDK always does), so a
// workspace with client-side writes off answers client_attribute_writes_disabled first, in the
// order the server checks (403 before 400).
Error validate_clear(const Config& config, std::string_view key, bool publishable);

// Error::ok, or Error::distinct_id_invalid when the id is not a string of 1 to 200 code points,
// is blank, holds invalid UTF-8 / lone surrogates, or is a placeholder ("null", "undefined",
// "anonymous", "guest", "distinct_id", "[object Object]", ASCII case-insensitive).
Error validate_distinct_id(const Json& id);

}  // namespace attrkit
