// Embind glue over core/validate.h and core/definitions.h. Every function takes plain JS values and
// returns {ok: true, value} | {ok: false, error: {code, status, message?}} (bindings/convert.h);
// the decisions are the core's. Stateless: a config is parsed on each call (the engine binding
// keeps a parsed one for the hot path).
#include <emscripten/bind.h>

#include "bindings/convert.h"
#include "core/definitions.h"
#include "core/validate.h"

namespace attrkit::bindings {
namespace {

using emscripten::val;

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

// distinct id -> the id unchanged
val validate_distinct_id_js(const val& id) {
  const Json j = to_json(id);
  std::string message;
  const Error e = validate_distinct_id(j, &message);
  return e == Error::ok ? ok_to_js(j) : error_to_js(e, message);
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

// any value -> to_js(to_json(value)): a detached plain-data copy, exactly what the core would see
val round_trip(const val& value) { return to_js(to_json(value)); }

}  // namespace
}  // namespace attrkit::bindings

EMSCRIPTEN_BINDINGS(attrkit_values) {
  using namespace attrkit::bindings;
  emscripten::function("validateValue", &validate_value);
  emscripten::function("validateWrite", &validate_write_js);
  emscripten::function("validateDistinctId", &validate_distinct_id_js);
  emscripten::function("parseConfig", &parse_config_js);
  emscripten::function("parseDefinition", &parse_definition_js);
  emscripten::function("roundTrip", &round_trip);
}
