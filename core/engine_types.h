// The engine's boundary as types: what a call returns and what the engine reports later. The
// Engine (engine.h) produces these; engine_json.h is the one place they become the JSON the
// binding hands to the JS runtime (and the fixtures match). Attribute values, the view and the
// Promise API's result stay Json: they are documents.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "command.h"
#include "error.h"
#include "init_options.h"
#include "json.h"

namespace attrkit {

// What the runtime does after a call (engine.h, docs/engine.md "Driving the engine").
enum class Effect : std::uint8_t {
  none,
  init,
  identify,
  reset,
  write,
  get,
  on,
  off,
  debug,
  consent
};

// Which call a response answers: the command kinds of command.h, then the Promise API's write.
enum class CallKind : std::uint8_t {
  init,
  identify,
  reset,
  set_name,
  set_email,
  set_language,
  set_attributes,
  get_attributes,
  on,
  off,
  debug,
  consent,
  write,  // Engine::write (DESIGN §2b)
  clear,  // Engine::clear (DESIGN §2b clearAttribute)
};
inline CallKind call_kind(CommandKind k) { return static_cast<CallKind>(k); }
static_assert(static_cast<int>(CommandKind::consent) == static_cast<int>(CallKind::consent),
              "CallKind starts with the command kinds, in their order");

// What complete_batch made of a request's outcome.
enum class BatchOutcome : std::uint8_t { delivered, retry, offline, rejected, stopped };

// The error object of results and error events: {"code", "status", "message", "attribute"?}.
// make_error (engine_errors.h) is the one place one is built.
struct ErrorObject {
  Error code = Error::ok;
  std::string message;
  std::string attribute;  // empty: none
};

// A settled call: {"ok": true, "value"} or {"ok": false, "error"}.
struct CallResult {
  bool ok = true;
  Json value;
  ErrorObject error;
  static CallResult success(Json v) { return CallResult{true, std::move(v), {}}; }
  static CallResult failure(ErrorObject e) { return CallResult{false, nullptr, std::move(e)}; }
};

inline bool operator==(const ErrorObject& a, const ErrorObject& b) {
  return a.code == b.code && a.message == b.message && a.attribute == b.attribute;
}
inline bool operator==(const CallResult& a, const CallResult& b) {
  return a.ok == b.ok && a.value == b.value && a.error == b.error;
}

// command(), write(), clear(): every call gets a ticket; `result` is absent while the call waits
// (a SettledEvent with the ticket follows). The fields after it belong to one effect each.
struct Response {
  std::uint64_t ticket = 0;
  std::optional<CallKind> kind;  // absent when the command did not parse
  Effect effect = Effect::none;
  std::optional<CallResult> result;
  InitOptions options;                 // init: fetch the config with these
  std::string distinct_id;             // identify
  bool changed = false;                // identify: a different user
  EventName event = EventName::error;  // on, off
  int callback = -1;                   // identify, on, off: index in args of the function, or -1
  bool enabled = false;  // debug: log (true) or stop; consent: granted (false: denied)
  // Set by command, write and clear as they return: events are waiting (without it,
  // take_events() would return none, so the runtime skips that crossing), and next_wake(now)
  // after the call (the runtime sets its timer from it instead of asking again).
  bool events = false;
  std::optional<double> wake;
  // command_encoded ran the last set again and everything but ticket, events and wake is what
  // that set answered last time (the binding then sends those three only: engine_docs.h).
  bool repeated = false;
};

struct ConfigureResponse {
  std::optional<ErrorObject> error;
  std::string workspace;
  bool client_attribute_writes = false;
  std::string definitions_version;
};

struct CompleteResponse {
  std::optional<ErrorObject> error;  // unknown batch id, malformed outcome
  BatchOutcome outcome = BatchOutcome::delivered;
  int delivered = 0;          // delivered
  int rejected = 0;           // delivered
  std::size_t failed = 0;     // retry: writes out of tries
  double retry_at = -1;       // retry, offline
  Error stopped = Error::ok;  // stopped: the code delivery stopped with
};

// load_snapshot() (restored) and adopt() (adopted): how many stored writes were taken.
struct StoredResponse {
  std::optional<ErrorObject> error;
  std::size_t writes = 0;
};

// Events, in the order take_events() returns them.
struct ErrorEvent {
  ErrorObject error;
  std::uint64_t ticket = 0;            // 0: ends no call
  std::vector<std::string> write_ids;  // the failed writes
  std::size_t superseded = 0;          // how many older writes they had replaced (coalescing)
  std::string distinct_id;             // when they share one
};
struct DeliveredEvent {
  std::string write_id;
  std::string distinct_id;
  std::string attribute;
  Json value;             // as stored (null: cleared)
  std::string person_id;  // empty: not told
  // How many older writes this one replaced (a count, not their ids: a burst of one attribute
  // must cost the same few bytes whatever its length).
  std::size_t superseded = 0;
};
struct SettledEvent {
  std::uint64_t ticket = 0;
  CallResult result;
};
using EngineEvent = std::variant<ErrorEvent, DeliveredEvent, SettledEvent>;
using Events = std::vector<EngineEvent>;

}  // namespace attrkit
