// Error codes shared by the browser core and the reference server (DESIGN §3 table).
// The enum is the only representation inside C++; the snake_case name is what crosses into JSON,
// HTTP bodies and JS (`AttrkitError.code`).
#pragma once
#include <cstdint>
#include <string_view>

namespace attrkit {

enum class Error : std::uint8_t {
  ok = 0,
  // DESIGN §3
  attribute_not_defined,
  attribute_value_invalid,
  attribute_value_too_long,
  attribute_archived,
  distinct_id_invalid,
  client_attribute_writes_disabled,
  invalid_key,
  secret_key_in_browser,
  invalid_command,
  queue_full,
  consent_denied,
  payload_too_large,
  rate_limited,
  // DESIGN §7: a body that is not JSON or not of the expected shape
  invalid_request,
  // Not in the DESIGN table; decided here (docs/decisions.md):
  invalid_config,       // a workspace config document that does not parse
  invalid_api_host,     // apiHost not https (http only for loopback)
  snapshot_invalid,     // persisted state that is corrupt or truncated
  snapshot_foreign,     // persisted state of another workspace
  snapshot_version,     // persisted state written by a newer schema
  delivery_failed,      // retries exhausted (10 tries or 24 h)
  secret_key_required,  // server: a publishable key on a read, definitions or settings endpoint
  not_found,            // server: unknown path or person
  server_error,         // server: a 5xx without a known code
};

// "attribute_value_invalid" etc. Never null.
const char* error_name(Error e);
// The HTTP status DESIGN §3 gives the code, or 0 when it is never sent by the server.
int error_status(Error e);
// Inverse of error_name; unknown names map to Error::server_error.
Error error_from_name(std::string_view name);

}  // namespace attrkit
