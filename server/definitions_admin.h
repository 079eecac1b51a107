// Declaring and changing attribute definitions (PUT /api/v1/attributes/definitions/{key}), shared
// by the HTTP handler and the demo seed so both go through the core's parse_definition.
#pragma once
#include <string>
#include <variant>

#include "core/definitions.h"
#include "core/json.h"
#include "server/api_error.h"
#include "server/store.h"

namespace attrkit::server {

// `body` is a definition object; its "key", when present, must equal `key` (the path wins
// otherwise). Built-in keys and keys outside the core's is_valid_definition_key, and anything
// parse_definition refuses, are 400 invalid_request. Stores the core's serialised form and bumps
// the workspace's definitionsVersion when (and only when) the stored definition changes.
std::variant<Definition, ApiError> declare_definition(Tx& tx, const WorkspaceRow& ws,
                                                      const std::string& key, const Json& body);

}  // namespace attrkit::server
