// The one place the core includes nlohmann_json, so every core file sees the same configuration.
// In the Wasm build JSON_NOEXCEPTION is defined (see CMakeLists.txt): a throwing nlohmann call
// would abort, so core code only uses non-throwing accessors after checking the type.
#pragma once
#include <nlohmann/json.hpp>

namespace attrkit {
using Json = nlohmann::json;
}  // namespace attrkit
