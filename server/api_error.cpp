#include "server/api_error.h"

#include <utility>

namespace attrkit::server {

Json ApiError::to_json() const {
  return Json{{"code", code}, {"message", message}, {"status", status}};
}

Json ApiError::body() const { return Json{{"error", to_json()}}; }

ApiError api_error(Error e, std::string message) {
  int status = error_status(e);
  // Codes the core never sends over HTTP have status 0; a server answer always needs one.
  if (status == 0) status = 500;
  return ApiError{status, error_name(e), std::move(message)};
}

ApiError api_error_for(Error e) {
  // The attribute and distinct id checks of a write carry the core's own message instead
  // (core/validate.h), so the browser and the server say the same thing.
  switch (e) {
    case Error::distinct_id_invalid:
      return api_error(e, "distinctId must be a string of 1 to 200 characters, not a placeholder");
    case Error::client_attribute_writes_disabled:
      return api_error(e,
                       "client-side attribute writes are off for this workspace: write with a "
                       "secret key, or turn clientAttributeWrites on");
    case Error::invalid_key:
      return api_error(e, "missing, malformed or unknown API key (Authorization: Bearer <key>)");
    case Error::payload_too_large:
      return api_error(e, "request body over 65536 bytes or over 100 writes");
    case Error::rate_limited:
      return api_error(e, "too many requests for this key: retry after Retry-After seconds");
    case Error::not_found: return api_error(e, "not found");
    case Error::invalid_request:
      return api_error(e, "the body is not JSON or not of the expected shape");
    default: return api_error(e, error_name(e));
  }
}

ApiError secret_key_required() {
  return api_error(Error::secret_key_required,
                   "this endpoint needs a secret key (sk_live_...): publishable keys can only "
                   "read the config and, when enabled, write attributes");
}

}  // namespace attrkit::server
