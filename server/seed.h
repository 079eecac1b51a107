// The demo workspace `npm start` serves (docs/server.md, "Demo workspace"): the attributes of the
// DESIGN examples, client-side writes on, one archived attribute. Created once; its keys are
// stored, so later starts print the same keys.
#pragma once
#include <optional>
#include <string>

#include "server/store.h"

namespace attrkit::server {

struct DemoWorkspace {
  std::string workspace_id;
  std::string public_key;
  std::string secret_key;
};

// The demo workspace and its keys, if the database has one.
std::optional<DemoWorkspace> find_demo_workspace(Store& store);

// Creates the demo workspace unless the database already has one; returns it either way.
DemoWorkspace ensure_demo_workspace(Store& store);

}  // namespace attrkit::server
