#include "engine_errors.h"

#include <utility>

namespace attrkit {

const char* default_error_message(Error e) {
  switch (e) {
    case Error::ok: return "ok";
    case Error::attribute_not_defined: return "The attribute is not declared in this workspace";
    case Error::attribute_value_invalid: return "The value does not fit the attribute's type";
    case Error::attribute_value_too_long: return "The value is longer than the attribute allows";
    case Error::attribute_archived: return "The attribute is archived";
    case Error::distinct_id_invalid:
      return "The distinct id must be a string of 1 to 200 characters and not a placeholder";
    case Error::client_attribute_writes_disabled:
      return "Client-side attribute writes are disabled for this workspace";
    case Error::invalid_key: return "The key is unknown or malformed";
    case Error::secret_key_in_browser: return "A secret key (sk_) must never be used in a browser";
    case Error::invalid_command: return "The command does not parse";
    case Error::queue_full: return "Too many writes are waiting; this one was not queued";
    case Error::consent_denied: return "Consent was denied: the write was discarded";
    case Error::payload_too_large: return "The request is larger than the server accepts";
    case Error::rate_limited: return "Too many requests";
    case Error::invalid_request: return "The request is not of the expected shape";
    case Error::invalid_config: return "The workspace config does not parse";
    case Error::invalid_api_host:
      return "apiHost must be https (http only for localhost and loopback)";
    case Error::snapshot_invalid: return "The saved state is corrupt";
    case Error::snapshot_foreign: return "The saved state belongs to another workspace";
    case Error::snapshot_version: return "The saved state was written by a newer version";
    case Error::delivery_failed: return "The write could not be delivered (10 tries or 24 hours)";
    case Error::secret_key_required: return "This endpoint needs a secret key";
    case Error::not_found: return "Not found";
    case Error::server_error: return "The server failed";
  }
  return "error";
}

ErrorObject make_error(Error e, std::string message, std::string attribute) {
  ErrorObject o;
  o.code = e;
  o.message = message.empty() ? std::string(default_error_message(e)) : std::move(message);
  o.attribute = std::move(attribute);
  return o;
}

}  // namespace attrkit
