// The one place the engine's typed boundary (engine_types.h) becomes JSON, and where the names of
// effects, call kinds, batch outcomes, events and listener events are written. The binding
// (bindings/engine.cpp) hands these documents to the JS runtime as they are, and the fixtures
// (tests/fixtures/scenarios, tests/fixtures/commands) match them; js/src/protocol.js mirrors the
// names on the JS side.
//
// ---- Response (command(), write(), clear())
// -------------------------------------------------------
//   {"ticket": n,
//    "kind": "init"|"identify"|"reset"|"set_name"|"set_email"|"set_language"|"set_attributes"|
//            "get_attributes"|"on"|"off"|"debug"|"consent"|"write"|"clear"   (absent: did not
//            parse)
//    "effect": "init"|"identify"|"reset"|"write"|"get"|"on"|"off"|"debug"|"consent"|"none",
//              what the runtime does (a clear's is "write")
//    "result"?: {"ok": true, "value": v} | {"ok": false, "error": ErrorObject}
//               present when settled now; absent: a "settled" event with this ticket comes later
//    "options"?: {"publicKey", "apiHost", "consent", "persistence", "debug"}   effect init
//    "enabled"?: bool                           effect debug: log (true) or stop logging
//    "consent"?: "granted"|"denied"             effect consent (engine_control.cpp)
//    "distinctId"?: s, "changed"?: bool          effect identify (changed: a different user)
//    "event"?: "error"|"ready"|"identified"|"delivered"   effect on/off
//    "callback"?: i,                             index in args of the function to call (identify,
//                                                 once resolved) or to add/remove (on/off)
//    "events"?: true,                            events are waiting (take_events has some);
//                                                 absent: it has none, no need to ask
//    "wake"?: ms}                                next_wake(now) after the call (the Wasm
//                                                 binding's responses carry it)
//   Values: init -> null; identify -> {"distinctId"}; reset, on, off -> null;
//   set_* -> {attribute: normalised value} when queued, or (refetchBoosted) {attribute: stored
//   value} once the server stored them; get_attributes -> the view object;
//   write -> {"distinctId", "personId", "attributes": {attribute: stored value}} once stored;
//   clear -> {"distinctId", "personId", "attribute", "value": null} once stored.
//   ErrorObject = {"code", "status", "message", "attribute"?}.
// ---- events (take_events)
// ------------------------------------------------------------------------
//   {"type": "error", "error": ErrorObject, "ticket"?: n, "writeIds"?: [...], "distinctId"?: s,
//    "superseded"?: n (older writes those replaced, when any)}
//   {"type": "delivered", "writeId", "distinctId", "attribute", "value" (as stored; null: cleared),
//    "personId"?, "superseded": n (how many older writes this one replaced; a count, not ids)}
//   {"type": "settled", "ticket": n, "result": {"ok": true, "value"} | {"ok": false, "error"}}
// ---- configure -> {"ok": true, "workspace", "clientAttributeWrites", "definitionsVersion"} |
//   {"ok": false, "error"}
// ---- take_batch -> null | {"batchId", "body", "writeIds", "attempt", "bytes",
// "removeUnspecified"?}
// ---- complete_batch -> {"ok": true, "outcome":
// "delivered"|"retry"|"offline"|"rejected"|"stopped",
//   "delivered"?, "rejected"? (delivered), "failed"? (retry), "retryAt"?: ms (retry, offline),
//   "code"? (stopped: the error code every write now fails with)} |
//   {"ok": false, "error"}
// ---- load_snapshot -> {"ok": true, "restored": n} | {"ok": false, "error"}; adopt -> the same
//   with "adopted".
// ---- constants -> {"requestTimeoutMs", "offlineRecheckMs", "maxTries", "maxWriteAgeMs",
//   "snapshotVersion", "maxStoredAgeMs", "maxSnapshotBytes", "keepaliveMaxBytes"}
// ---- retry advice (retry.h) -> {"class": "success"|"retry"|"offline"|"reject"|"stop",
//   "delayMs"? (retry, offline), "code"? (reject, stop)}
#pragma once
#include <optional>
#include <string>

#include "command.h"
#include "engine_types.h"
#include "json.h"
#include "outbox.h"
#include "retry.h"

namespace attrkit {

// A call's Response and the events are written by engine_docs.h; their as_json is that into a
// JsonWriter (doc_writer.h).
Json as_json(const ErrorObject& e);
Json as_json(const CallResult& r);
Json as_json(const Response& r);
Json as_json(const ConfigureResponse& r);
Json as_json(const std::optional<Batch>& b);
Json as_json(const CompleteResponse& r);
Json as_json(const Events& events);
Json as_json(const RetryAdvice& a);
Json loaded_as_json(const StoredResponse& r);
Json adopted_as_json(const StoredResponse& r);
Json constants_as_json();
// {"code", "message"?} as the runtime reports a failed config request (stop_delivery): a missing
// code reads as Error::ok, an unknown one as server_error (error_from_name), a missing message "".
ErrorObject error_from_json(const Json& j);

// "init", "identify", ..., "write": the names the fixtures and JS see.
const char* effect_name(Effect e);
const char* call_kind_name(CallKind k);
// Listener events of on/off: "error", "ready", "identified", "delivered".
const char* event_name(EventName e);
bool event_from_name(const std::string& name, EventName* out);

// The parsed command, for fixtures and debugging: {"kind", "options"?, "distinctId"?,
// "attributes"?, "refetchBoosted"?, "removeUnspecified"?, "event"?, "callback"?}. Function
// markers are not copied (only their index is).
Json command_to_json(const Command& c);

}  // namespace attrkit
