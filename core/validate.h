// Value validation and normalisation (DESIGN §3), and distinct ids (DESIGN §3, §4).
// Pure functions: the same inputs give the same result natively and in Wasm.
//
// On failure each validator also writes, when `message` is given, the sentence that says why
// (DESIGN §2b), the same natively, in Wasm and on the server: "<where>: <why>", e.g.
// `team_size: 0 is below the minimum 1`, `tags[2]: expected a string or a number, got null`,
// `distinctId: "guest" is a placeholder, not a user id` (value_messages.h; every message is in
// docs/validation.md and pinned by tests/fixtures/values). Callers that only need the code pass
// nothing and no text is built.
#pragma once
#include <string>
#include <string_view>

#include "definitions.h"
#include "json.h"
#include "result.h"

namespace attrkit {

// Validates one value against one definition and returns its normalised form, or
// attribute_value_invalid / attribute_value_too_long. Ignores `archived`.
Result<Json> normalize_value(const Definition& def, const Json& value,
                             std::string* message = nullptr);

// Looks the key up exactly (no prototype, no case folding), then: attribute_not_defined,
// attribute_archived, or normalize_value.
Result<Json> validate_write(const Config& config, std::string_view key, const Json& value,
                            std::string* message = nullptr);

// Whether an attribute may be cleared (DELETE /api/v1/attributes/values): the key checks of
// validate_write. `publishable`: the caller holds a public key (the browser SDK always does), so a
// workspace with client-side writes off answers client_attribute_writes_disabled first, in the
// order the server checks (403 before 400).
// client_attribute_writes_disabled has no message (it is not about the attribute).
Error validate_clear(const Config& config, std::string_view key, bool publishable,
                     std::string* message = nullptr);

// Error::ok, or Error::distinct_id_invalid when the id is not a string of 1 to 200 code points,
// is blank, holds invalid UTF-8 / lone surrogates, or is a placeholder ("null", "undefined",
// "anonymous", "guest", "distinct_id", "[object Object]", ASCII case-insensitive).
Error validate_distinct_id(const Json& id, std::string* message = nullptr);

}  // namespace attrkit
