#include "server/workspace_admin.h"

#include <chrono>

#include "server/key_hash.h"
#include "server/random_id.h"

namespace attrkit::server {

IssuedKey issue_key(Tx& tx, const std::string& workspace_id, KeyRole role, double now_ms) {
  IssuedKey out;
  out.key = role == KeyRole::secret ? new_secret_key() : new_public_key();
  out.row.id = new_key_id();
  out.row.key_hash = key_hash(out.key);
  out.row.workspace_id = workspace_id;
  out.row.role = role;
  out.row.hint = key_hint(out.key);
  out.row.created_ms = now_ms;
  tx.insert_key(out.row);
  return out;
}

WorkspaceRow create_workspace(Tx& tx, const std::string& name) {
  WorkspaceRow ws;
  ws.id = new_workspace_id();
  ws.name = name;
  tx.insert_workspace(ws);
  return ws;
}

bool set_client_writes(Tx& tx, const WorkspaceRow& ws, bool on) {
  if (on == ws.client_attribute_writes) return false;
  tx.set_client_attribute_writes(ws.id, on);
  tx.bump_definitions_version(ws.id);
  return true;
}

double now_wall_ms() {
  using namespace std::chrono;
  return static_cast<double>(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

const char* key_role_name(KeyRole role) {
  return role == KeyRole::secret ? "secret" : "publishable";
}

}  // namespace attrkit::server
