// Embind glue over core/validate.h for the runtime: validateDistinctId (the Promise API checks a
// distinct id before it waits for anything). Returns {ok: true, value} | {ok: false, error: {code,
// status, message?}} (bindings/convert.h); the decision is the core's. The value and config checks
// the tests call are in bindings/testing.cpp.
#include <emscripten/bind.h>

#include "bindings/convert.h"
#include "core/validate.h"

namespace attrkit::bindings {
namespace {

using emscripten::val;

// distinct id -> the id unchanged
val validate_distinct_id_js(const val& id) {
  const Json j = to_json(id);
  std::string message;
  const Error e = validate_distinct_id(j, &message);
  return e == Error::ok ? ok_to_js(j) : error_to_js(e, message);
}

}  // namespace
}  // namespace attrkit::bindings

EMSCRIPTEN_BINDINGS(attrkit_values) {
  using namespace attrkit::bindings;
  emscripten::function("validateDistinctId", &validate_distinct_id_js);
}
