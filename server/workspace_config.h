// A workspace as the core sees it: its stored definitions and flag turned into a core Config
// (built-ins included), the same structure the browser builds from GET /api/v1/sdk/config.
#pragma once
#include "core/definitions.h"
#include "server/store.h"

namespace attrkit::server {

// Throws std::runtime_error if a stored definition no longer parses (a corrupt database).
Config load_config(Tx& tx, const WorkspaceRow& ws);

}  // namespace attrkit::server
