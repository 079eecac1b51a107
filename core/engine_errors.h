// The error object the Engine reports in results and `error` events (engine_types.h ErrorObject;
// engine_json.h writes it as {"code", "status", "message", "attribute"?}). make_error is the one
// place one is built. The JS runtime turns it into an AttrkitError as is.
#pragma once
#include <string>

#include "engine_types.h"
#include "error.h"

namespace attrkit {

// A one-line English explanation of the code, used when no more specific message is known.
const char* default_error_message(Error e);

// `message` empty -> default_error_message(e); `attribute` empty -> none.
ErrorObject make_error(Error e, std::string message = std::string(),
                       std::string attribute = std::string());

}  // namespace attrkit
