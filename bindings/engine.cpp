// Embind glue over core/engine.h, core/command.h and core/init_options.h: one plain function per
// Engine operation, coarse-grained. JS values (strings included) go through bindings/convert.h;
// the JSON shapes are core/engine_json.h's and every decision is the core's.
//
// One Engine per module instance: each loadCore() is an independent module, so the module's
// state IS the engine (a `class_` binding would cost 2.8 KB brotli of handle bookkeeping and a
// delete() the caller could forget; bench/README.md). A module therefore drives one client.
//
//   core.engineCreate("c-123", {maxHeld: 500, instance: "k3v9x0q2ab"});   // replaces the engine
//   core.engineCommand(["set", "user:name", ["Sam"]], Date.now());
//   core.engineRestore(snapshot, "acme", {});      // {ok, value: null} | {ok, error}; on
//                                                  // failure the current engine stays
//
// Owns: the module's one Engine (created empty, with client id "", until engineCreate).
#include "core/engine.h"

#include <emscripten/bind.h>

#include <optional>
#include <string>
#include <utility>

#include "bindings/convert.h"
#include "bindings/engine_slot.h"
#include "core/command.h"
#include "core/engine_docs.h"
#include "core/engine_json.h"
#include "core/init_options.h"
#include "core/retry.h"

namespace attrkit::bindings {

// Replaced by emplace (the old engine destroyed, the new one built in place), never assigned:
// Engine's move assignment would be 0.7 KB of Wasm code.
std::optional<Engine>& engine_slot() {
  static std::optional<Engine> instance{std::in_place};
  return instance;
}

// Through the converter, not Embind's std::string (which merges a lone surrogate with the next
// code unit). Client ids and workspaces are strings by contract; anything else is taken as "",
// which no snapshot matches, as values.cpp does for a non-string key.
std::string string_arg(const emscripten::val& v) {
  Json j = to_json(v);
  const std::string* s = j.get_ptr<const std::string*>();
  return s ? *s : std::string();
}

namespace {

using emscripten::val;

std::optional<Engine>& slot() { return engine_slot(); }
Engine& engine() { return *slot(); }

// options: the limits of engine_limits() plus "instance" (this running SDK's part of its write
// ids, core/engine.h).
void engine_create(const val& client_id, const val& options) {
  std::string id = string_arg(client_id);
  const Json o = to_json(options);
  slot().emplace(std::move(id), engine_limits(o), engine_instance(o));
}

// The documents of every push go straight into the converter's stream (no Json per call).
template <class T>
val written(const T& doc) {
  StreamWriter w;
  write_doc(w, doc);
  return w.take();
}

// A call's response says whether it left events to take and when the engine next wants a batch
// taken (core/engine_types.h), so a push needs no engineTakeEvents nor engineNextWake after it.
// A set pushed again as the same bytes is not read again (Engine::command_encoded) and answered
// short (write_answer).
val engine_command(const val& cmd, double now) {
  const Encoded encoded(cmd);
  StreamWriter w;
  write_answer(w, engine().command_encoded(encoded.bytes(), [&] { return encoded.json(); }, now));
  return w.take();
}
val engine_write(const val& request, double now) {
  return written(engine().write(to_json(request), now));
}
val engine_clear(const val& request, double now) {
  return written(engine().clear(to_json(request), now));
}
val engine_configure(const val& config, double now, bool provisional) {
  return to_js(as_json(engine().configure(to_json(config), now, provisional)));
}
// flush: the page is going away; the batch is sent with keepalive, so it must fit its budget.
val engine_take_batch(double now, bool flush) {
  return to_js(as_json(flush ? engine().take_flush(now) : engine().take_batch(now, false)));
}
val engine_complete_batch(const val& outcome, double now) {
  return to_js(as_json(engine().complete_batch(to_json(outcome), now)));
}
double engine_next_wake(double now) { return engine().next_wake(now); }
val engine_take_events() { return written(engine().take_events()); }
val engine_save(double now) { return to_js(engine().save(now)); }
val engine_load_snapshot(const val& snapshot, const val& workspace, double now) {
  Json snap = to_json(snapshot);
  return to_js(loaded_as_json(engine().load_snapshot(snap, string_arg(workspace), now)));
}
val engine_adopt(const val& snapshot, const val& workspace, double now) {
  Json snap = to_json(snapshot);
  return to_js(adopted_as_json(engine().adopt(snap, string_arg(workspace), now)));
}
val engine_inspect() { return to_js(engine().inspect()); }
// Small queries, so the runtime never parses the inspect() dump: "" for no identity.
val engine_identity() { return to_js(Json(engine().identity())); }
val engine_client_id() { return to_js(Json(engine().client_id())); }
val engine_believed(const val& distinct_id) {
  return to_js(engine().believed(string_arg(distinct_id)));
}
void engine_stop_delivery(const val& error, bool for_good) {
  engine().stop_delivery(error_from_json(to_json(error)), for_good);
}
void engine_set_client_id(const val& id) { engine().set_client_id(string_arg(id)); }
val engine_constants_js() { return to_js(constants_as_json()); }

// core/retry.h retry_advice: the outbox's retry policy for a request outside it (the config fetch)
val retry_advice_js(const val& outcome, int tries) {
  return to_js(as_json(retry_advice(to_json(outcome), tries)));
}

}  // namespace
}  // namespace attrkit::bindings

EMSCRIPTEN_BINDINGS(attrkit_engine) {
  using namespace attrkit::bindings;
  using emscripten::function;
  function("engineCreate", &engine_create);
  function("engineCommand", &engine_command);
  function("engineStopDelivery", &engine_stop_delivery);
  function("engineSetClientId", &engine_set_client_id);
  function("engineWrite", &engine_write);
  function("engineClear", &engine_clear);
  function("engineConfigure", &engine_configure);
  function("engineTakeBatch", &engine_take_batch);
  function("engineCompleteBatch", &engine_complete_batch);
  function("engineNextWake", &engine_next_wake);
  function("engineTakeEvents", &engine_take_events);
  function("engineSave", &engine_save);
  function("engineLoadSnapshot", &engine_load_snapshot);
  function("engineAdopt", &engine_adopt);
  function("engineInspect", &engine_inspect);
  function("engineIdentity", &engine_identity);
  function("engineClientId", &engine_client_id);
  function("engineBelieved", &engine_believed);
  function("engineConstants", &engine_constants_js);
  function("retryAdvice", &retry_advice_js);
}
