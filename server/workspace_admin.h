// Creating workspaces and issuing keys, shared by the admin command line (admin_cli.h) and the
// demo seed. A key is returned in full exactly once, here; the store keeps only its hash.
#pragma once
#include <string>

#include "server/store.h"

namespace attrkit::server {

struct IssuedKey {
  KeyRow row;
  std::string key;  // the key itself: show it once, never store it
};

// A new key of that role for an existing workspace.
IssuedKey issue_key(Tx& tx, const std::string& workspace_id, KeyRole role, double now_ms);

// A new workspace ("ws_" + 16 random characters), client-side writes off (DESIGN §3 default).
WorkspaceRow create_workspace(Tx& tx, const std::string& name);

// Turns the workspace's client-side writes flag on or off; a change bumps definitionsVersion (so
// config ETags change). Returns whether it changed.
bool set_client_writes(Tx& tx, const WorkspaceRow& ws, bool on);

// Wall-clock milliseconds since the epoch (key creation and revocation times).
double now_wall_ms();

const char* key_role_name(KeyRole role);  // "publishable" / "secret"

}  // namespace attrkit::server
