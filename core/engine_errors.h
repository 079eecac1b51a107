// The error object the Engine reports in results and `error` events:
// {"code", "status", "message", "attribute"?} (code = error_name, status = error_status: 0 when
// the code is never sent by a server). The JS runtime turns it into an AttrkitError as is.
#pragma once
#include <string>

#include "error.h"
#include "json.h"

namespace attrkit {

// A one-line English explanation of the code, used when no more specific message is known.
const char* default_error_message(Error e);

// `message` empty -> default_error_message(e); `attribute` empty -> no "attribute" field.
Json error_object(Error e, const std::string& message = std::string(),
                  const std::string& attribute = std::string());

// {"ok": false, "error": error}: the failed form of every engine result.
Json error_result(Json error);

}  // namespace attrkit
