// Bindings the tests need and the SDK does not: linked into build/wasm/testing/attrkit-core.
// testing.{mjs,wasm} (the shipped objects plus this file, cmake/wasm.cmake) and into the no-Wasm
// fallback, never into the shipped attrkit-core.wasm (bench/README.md). The node suites read the
// shared fixtures through them: values, writes, the grammar, configs, definitions, the converter's
// round trip, and an engine restored from a snapshot. Stateless but for the engine ones: a config
// is parsed on each call.
#include <emscripten/bind.h>

#include <string>
#include <utility>

#include "bindings/convert.h"
#include "bindings/engine_slot.h"
#include "core/command.h"
#include "core/definitions.h"
#include "core/engine.h"
#include "core/engine_json.h"
#include "core/init_options.h"
#include "core/validate.h"

namespace attrkit::bindings {
namespace {

using emscripten::val;

// snapshot, workspace, limits -> {ok: true, value: null} (the module's engine is now the
// restored one) | {ok: false, error: {code, status}} (the current engine is kept).
val engine_restore(const val& snapshot, const val& workspace, const val& limits) {
  Json snap = to_json(snapshot);
  std::string ws = string_arg(workspace);
  Result<Engine> r = Engine::restore(snap, ws, engine_limits(to_json(limits)));
  if (!r.ok()) return error_to_js(r.error());
  engine_slot().emplace(std::move(r).value());
  return ok_to_js(nullptr);
}

val engine_snapshot() { return to_js(engine_slot()->snapshot()); }

// command -> {ok: true, value: command_to_json} | {ok: false, error}: the grammar alone.
val parse_command_js(const val& cmd) {
  Result<Command> r = parse_command(to_json(cmd));
  return r.ok() ? ok_to_js(command_to_json(r.value())) : error_to_js(r.error());
}

// init options -> {ok: true, value: {publicKey, apiHost}} | {ok: false, error}
val parse_init_options_js(const val& options) {
  Result<InitOptions> r = parse_init_options(to_json(options));
  return r.ok() ? ok_to_js(init_options_to_json(r.value())) : error_to_js(r.error());
}

// sdk/config document -> its canonical form (config_to_json of the parsed config)
val parse_config_js(const val& config) {
  const Result<Config> cfg = parse_config(to_json(config));
  return cfg.ok() ? ok_to_js(config_to_json(cfg.value())) : error_to_js(cfg.error());
}

// definition object -> its canonical form (definition_to_json)
val parse_definition_js(const val& definition) {
  const Result<Definition> def = parse_definition(to_json(definition));
  return def.ok() ? ok_to_js(definition_to_json(def.value())) : error_to_js(def.error());
}

// A key that is not a string can never be declared: looking up "" gives attribute_not_defined
// from the core rather than a glue-made decision.
std::string key_of(const val& key) {
  const Json k = to_json(key);
  const std::string* name = k.get_ptr<const std::string*>();
  return name ? *name : std::string();
}

// definition object, value -> normalised value
val validate_value(const val& definition, const val& value) {
  const Result<Definition> def = parse_definition(to_json(definition));
  if (!def.ok()) return error_to_js(def.error());
  std::string message;
  const Result<Json> r = normalize_value(def.value(), to_json(value), &message);
  return result_to_js(r, message);
}

// sdk/config document, key, value -> normalised value
val validate_write_js(const val& config, const val& key, const val& value) {
  const Result<Config> cfg = parse_config(to_json(config));
  if (!cfg.ok()) return error_to_js(cfg.error());
  std::string message;
  const Result<Json> r = validate_write(cfg.value(), key_of(key), to_json(value), &message);
  return result_to_js(r, message);
}

// any value -> to_js(to_json(value)): a detached plain-data copy, exactly what the core would see
val round_trip(const val& value) { return to_js(to_json(value)); }

}  // namespace
}  // namespace attrkit::bindings

EMSCRIPTEN_BINDINGS(attrkit_testing) {
  using namespace attrkit::bindings;
  using emscripten::function;
  function("engineRestore", &engine_restore);
  function("engineSnapshot", &engine_snapshot);
  function("parseCommand", &parse_command_js);
  function("parseInitOptions", &parse_init_options_js);
  function("validateValue", &validate_value);
  function("validateWrite", &validate_write_js);
  function("parseConfig", &parse_config_js);
  function("parseDefinition", &parse_definition_js);
  function("roundTrip", &round_trip);
}
