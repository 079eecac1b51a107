// Embind glue over core/engine.h, core/command.h and core/init_options.h. One binding per Engine
// operation, coarse-grained: JS values go through bindings/convert.h, the JSON shapes and every
// decision are the core's (engine.h documents them).
//
//   const engine = new core.Engine("c-123", {maxHeld: 500});   // JS owns it: call .delete()
//   engine.command(["set", "user:name", ["Sam"]], Date.now());
//   const r = core.restoreEngine(snapshot, "acme", {});        // {ok, value: Engine} | {ok, error}
#include <emscripten/bind.h>

#include <string>

#include "bindings/convert.h"
#include "core/command.h"
#include "core/engine.h"
#include "core/init_options.h"

namespace attrkit::bindings {
namespace {

using emscripten::val;

class EngineBinding {
 public:
  EngineBinding(const std::string& client_id, const val& limits)
      : engine_(client_id, engine_limits(to_json(limits))) {}
  explicit EngineBinding(Engine engine) : engine_(std::move(engine)) {}

  val command(const val& cmd, double now) { return to_js(engine_.command(to_json(cmd), now)); }
  val write(const val& request, double now) { return to_js(engine_.write(to_json(request), now)); }
  val configure(const val& config, double now) { return to_js(engine_.configure(to_json(config), now)); }
  val take_batch(double now, bool flush) { return to_js(engine_.take_batch(now, flush)); }
  val complete_batch(const val& outcome, double now) { return to_js(engine_.complete_batch(to_json(outcome), now)); }
  double next_wake(double now) const { return engine_.next_wake(now); }
  val take_events() { return to_js(engine_.take_events()); }
  val snapshot() const { return to_js(engine_.snapshot()); }
  val load_snapshot(const val& snapshot, const std::string& workspace, double now) {
    return to_js(engine_.load_snapshot(to_json(snapshot), workspace, now));
  }
  val inspect() const { return to_js(engine_.inspect()); }
  std::string client_id() const { return engine_.client_id(); }

 private:
  Engine engine_;
};

// snapshot, workspace, limits -> {ok: true, value: Engine} | {ok: false, error: {code, status}}
val restore_engine(const val& snapshot, const std::string& workspace, const val& limits) {
  Result<Engine> r = Engine::restore(to_json(snapshot), workspace, engine_limits(to_json(limits)));
  if (!r.ok()) return error_to_js(r.error());
  val out = val::object();
  out.set("ok", true);
  out.set("value", val(EngineBinding(std::move(r).value())));
  return out;
}

// command -> {ok: true, value: command_to_json} | {ok: false, error}: the grammar alone, for tests
// and for the runtime's own checks.
val parse_command_js(const val& cmd) {
  Result<Command> r = parse_command(to_json(cmd));
  return r.ok() ? ok_to_js(command_to_json(r.value())) : error_to_js(r.error());
}

// init options -> {ok: true, value: {publicKey, apiHost}} | {ok: false, error}
val parse_init_options_js(const val& options) {
  Result<InitOptions> r = parse_init_options(to_json(options));
  return r.ok() ? ok_to_js(init_options_to_json(r.value())) : error_to_js(r.error());
}

val engine_constants_js() { return to_js(engine_constants()); }

}  // namespace
}  // namespace attrkit::bindings

EMSCRIPTEN_BINDINGS(attrkit_engine) {
  using namespace attrkit::bindings;
  emscripten::class_<EngineBinding>("Engine")
      .constructor<const std::string&, const emscripten::val&>()
      .function("command", &EngineBinding::command)
      .function("write", &EngineBinding::write)
      .function("configure", &EngineBinding::configure)
      .function("takeBatch", &EngineBinding::take_batch)
      .function("completeBatch", &EngineBinding::complete_batch)
      .function("nextWake", &EngineBinding::next_wake)
      .function("takeEvents", &EngineBinding::take_events)
      .function("snapshot", &EngineBinding::snapshot)
      .function("loadSnapshot", &EngineBinding::load_snapshot)
      .function("inspect", &EngineBinding::inspect)
      .function("clientId", &EngineBinding::client_id);
  emscripten::function("restoreEngine", &restore_engine);
  emscripten::function("parseCommand", &parse_command_js);
  emscripten::function("parseInitOptions", &parse_init_options_js);
  emscripten::function("engineConstants", &engine_constants_js);
}
