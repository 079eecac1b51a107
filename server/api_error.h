// The error half of every HTTP answer: {"error": {"code", "message", "status"}} (DESIGN §7).
// Codes and statuses come from core/error.h, so the server and the browser name a failure the
// same way (secret_key_required too, though only the server ever decides it).
#pragma once
#include <string>

#include "core/error.h"
#include "core/json.h"

namespace attrkit::server {

struct ApiError {
  int status = 500;
  std::string code;
  std::string message;

  // {"code", "message", "status"}: the inner object, as batch results embed it.
  Json to_json() const;
  // {"error": {...}}: a whole response body.
  Json body() const;
};

// status and code from the core's table; `message` is for humans.
ApiError api_error(Error e, std::string message);
// The server's default message for a code. Validation failures do not use it: they send the
// core's message (validate_write, validate_distinct_id), the same text the browser shows.
ApiError api_error_for(Error e);

// 403 for a publishable key on an endpoint that needs a secret key (reads, definitions,
// settings).
ApiError secret_key_required();

}  // namespace attrkit::server
