// The push-command grammar (DESIGN §2a): [verb, name, args] -> a typed Command.
// Pure parsing: the parser checks shapes only. What the values mean (is the distinct id valid, is
// the attribute declared, is the key well formed) is decided later by the Engine and the
// validators. A Command owns copies of the JSON it needs; nothing points into the input document.
#pragma once
#include <cstdint>

#include "json.h"
#include "result.h"

namespace attrkit {

enum class CommandKind : std::uint8_t {
  init,            // ["do", "init", [options]]
  identify,        // ["do", "identify", [distinctId, callback?]]
  reset,           // ["do", "reset", []]
  set_name,        // ["set", "user:name", [value]]
  set_email,       // ["set", "user:email", [value]]
  set_language,    // ["set", "user:language", [value]]
  set_attributes,  // ["set", "user:attributes", [object, options?]] (both option forms)
  get_attributes,  // ["get", "user:attributes", []]
  on,              // ["on", event, [callback]]
  off,             // ["off", event, [callback?]]
  debug,           // ["do", "debug", [true | false]]
  consent,         // ["do", "consent", ["granted" | "denied"]]
};

enum class EventName : std::uint8_t { error, ready, identified, delivered };

struct Command {
  CommandKind kind = CommandKind::reset;
  // init: the options object, unparsed (see init_options.h).
  Json options;
  // identify: the first argument as given; its validity is the Engine's job (distinct_id_invalid).
  Json distinct_id;
  // set_*: attribute key -> raw value. set_name/email/language use the built-in key.
  Json attributes = json_object();
  bool refetch_boosted = false;
  bool remove_unspecified = false;
  // on/off
  EventName event = EventName::error;
  // debug: logging on; consent: granted (false: denied).
  bool enabled = false;
  // Index into args of the JS function the runtime must keep (identify: 1, on/off: 0), or -1.
  int callback_index = -1;
};

// A JS function cannot cross into C++: the Wasm converter turns it into a binary value with
// subtype 1 (any other non-JSON JS value becomes binary subtype 0). Both sides use these two.
Json function_marker();
bool is_function_marker(const Json& j);
// True if `j` is, or holds at any depth, such a non-JSON value: it can never be an attribute
// value nor persisted state.
bool contains_non_json(const Json& j);

// Parses one command. Anything else, a wrong arity or a wrong argument type -> invalid_command.
// When `why` is given it receives a static, human-readable reason for the failure.
Result<Command> parse_command(const Json& cmd, const char** why = nullptr);

// Names (command kinds, listener events) and command_to_json: engine_json.h.

}  // namespace attrkit
