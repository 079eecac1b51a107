#include "error.h"

namespace attrkit {
namespace {

struct ErrorInfo {
  Error code;
  const char* name;
  int status;
};

// One row per enumerator, in enum order; error_name indexes it directly.
constexpr ErrorInfo kErrors[] = {
    {Error::ok, "ok", 0},
    {Error::attribute_not_defined, "attribute_not_defined", 400},
    {Error::attribute_value_invalid, "attribute_value_invalid", 400},
    {Error::attribute_value_too_long, "attribute_value_too_long", 400},
    {Error::attribute_archived, "attribute_archived", 400},
    {Error::distinct_id_invalid, "distinct_id_invalid", 400},
    {Error::client_attribute_writes_disabled, "client_attribute_writes_disabled", 403},
    {Error::invalid_key, "invalid_key", 401},
    {Error::secret_key_in_browser, "secret_key_in_browser", 0},
    {Error::invalid_command, "invalid_command", 0},
    {Error::queue_full, "queue_full", 0},
    {Error::consent_denied, "consent_denied", 0},
    {Error::payload_too_large, "payload_too_large", 413},
    {Error::rate_limited, "rate_limited", 429},
    {Error::invalid_request, "invalid_request", 400},
    {Error::invalid_config, "invalid_config", 400},
    {Error::invalid_api_host, "invalid_api_host", 0},
    {Error::snapshot_invalid, "snapshot_invalid", 0},
    {Error::snapshot_foreign, "snapshot_foreign", 0},
    {Error::snapshot_version, "snapshot_version", 0},
    {Error::delivery_failed, "delivery_failed", 0},
    {Error::secret_key_required, "secret_key_required", 403},
    {Error::not_found, "not_found", 404},
    {Error::server_error, "server_error", 500},
};
constexpr std::size_t kCount = sizeof(kErrors) / sizeof(kErrors[0]);
static_assert(static_cast<std::size_t>(Error::server_error) + 1 == kCount,
              "every Error enumerator needs a row in kErrors");

const ErrorInfo* find(Error e) {
  const auto k = static_cast<std::size_t>(e);
  return k < kCount ? &kErrors[k] : nullptr;
}

}  // namespace

const char* error_name(Error e) {
  const ErrorInfo* info = find(e);
  return info ? info->name : "server_error";
}

int error_status(Error e) {
  const ErrorInfo* info = find(e);
  return info ? info->status : 500;
}

Error error_from_name(std::string_view name) {
  for (const ErrorInfo& info : kErrors) {
    if (name == info.name) return info.code;
  }
  return Error::server_error;
}

}  // namespace attrkit
