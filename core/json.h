// The one place the core includes nlohmann_json, so every core file sees the same configuration.
// In the Wasm build JSON_NOEXCEPTION is defined (see CMakeLists.txt): a throwing nlohmann call
// would abort, so core code only uses non-throwing accessors after checking the type.
#pragma once
#include <nlohmann/json.hpp>

namespace attrkit {
using Json = nlohmann::json;

// Empty containers from the type tag alone. Json::object() and Json::array() build them through
// nlohmann's initializer-list constructor, 0.7 KB of Wasm code the core does not otherwise need.
inline Json json_object() { return Json(Json::value_t::object); }
inline Json json_array() { return Json(Json::value_t::array); }

// The members of an object (none for any other value), as the map nlohmann keeps them in. Its
// items() wraps each member in an iteration proxy whose key() can also print array indices:
// 0.5 KB of Wasm code the core does not need.
inline const Json::object_t& members(const Json& j) {
  static const Json::object_t none;
  const Json::object_t* object = j.get_ptr<const Json::object_t*>();
  return object ? *object : none;
}
}  // namespace attrkit
