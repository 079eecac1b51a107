// The module's one Engine and how its bindings read a string argument (bindings/engine.cpp owns
// both), shared with the test-only bindings of bindings/testing.cpp.
#pragma once
#include <emscripten/val.h>

#include <optional>
#include <string>

#include "core/engine.h"

namespace attrkit::bindings {

std::optional<Engine>& engine_slot();
// A JS string through the converter (lone surrogates kept); anything else is "".
std::string string_arg(const emscripten::val& v);

}  // namespace attrkit::bindings
