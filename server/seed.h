// The demo workspace `npm start` serves (docs/server.md, "Demo workspace"): the attributes of the
// DESIGN examples, client-side writes on, one archived attribute. Created once. Its two keys are
// hashed like every key, and also kept readable (demo_keys) so later starts print the same ones:
// the demo is a development fixture, served only with --seed-demo on a loopback address.
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
