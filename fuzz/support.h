// Shared by the fuzz targets (fuzz/fuzz_*.cpp): reading a fuzzer input as a JSON document the way
// the fixtures write one, and stopping a run on a broken invariant.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/json.h"

namespace attrkit::fuzz {

// Parses `data` as JSON text (nlohmann, no exceptions), then expands the fixture macros
// (tests/fixtures/README.md): {"$fn": true} (a JS function), {"$symbol": true} (another non-JSON
// JS value), {"$utf16": [units...]} (lone surrogates allowed, as WTF-8), {"$repeat": [s, n]},
// {"$concat": [...]}, {"$array": [item, n]}. Repeat counts are capped so one input stays small.
// Returns false when the text is not JSON.
bool read_json(const std::uint8_t* data, std::size_t size, Json* out);

// Expands the macros of an already parsed document.
Json expand(const Json& j);

// The input as a plain string (for the targets that read text).
inline std::string as_text(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// Prints "invariant broken: <what>" with the document, then aborts: libFuzzer keeps the input.
[[noreturn]] void fail(const char* what, const Json& context = Json());
inline void check(bool ok, const char* what, const Json& context = Json()) {
  if (!ok) fail(what, context);
}

// dump() that never throws (invalid UTF-8 is replaced), for messages and byte comparisons.
std::string dump(const Json& j);

}  // namespace attrkit::fuzz
