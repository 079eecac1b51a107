#include "server/seed.h"

#include <stdexcept>
#include <variant>

#include "server/definitions_admin.h"
#include "server/key_hash.h"
#include "server/random_id.h"
#include "server/workspace_admin.h"

namespace attrkit::server {
namespace {

// DESIGN §2 and §7 examples. Declared through the same path as PUT /definitions, so the core
// checks them like any other definition.
const char* const kDemoDefinitions = R"json([
  {"key": "plan", "type": "single_choice",
   "options": ["Free", "Starter", "Pro", "Growth", "Enterprise"]},
  {"key": "role", "type": "single_choice", "options": ["admin", "member", "viewer"]},
  {"key": "persona", "type": "single_choice", "options": ["teacher", "student"]},
  {"key": "topics", "type": "multi_choice", "options": ["history", "math", "science", "art"]},
  {"key": "signup_date", "type": "date"},
  {"key": "team_size", "type": "number", "min": 1, "max": 10000, "integer": true},
  {"key": "hasInstalled", "type": "boolean"},
  {"key": "feature_usage", "type": "string_array"},
  {"key": "subscription_status", "type": "single_choice",
   "options": ["free", "trial", "premium", "past_due", "cancelled"]},
  {"key": "legacy_segment", "type": "string", "archived": true}
])json";

// The demo's keys, when both are still recorded and neither was revoked.
std::optional<DemoWorkspace> find_in(Tx& tx) {
  auto ws = tx.demo_workspace();
  if (!ws) return std::nullopt;
  auto keys = tx.demo_keys(ws->id);
  if (!keys || !tx.find_key(key_hash(keys->public_key)) ||
      !tx.find_key(key_hash(keys->secret_key))) {
    return std::nullopt;
  }
  return DemoWorkspace{ws->id, keys->public_key, keys->secret_key};
}

}  // namespace

std::optional<DemoWorkspace> find_demo_workspace(Store& store) {
  return store.transact([](Tx& tx) { return find_in(tx); });
}

DemoWorkspace ensure_demo_workspace(Store& store) {
  return store.transact([](Tx& tx) {
    if (auto existing = find_in(tx)) return *existing;
    const double now = now_wall_ms();
    if (auto ws = tx.demo_workspace()) {
      // The demo exists but a key of it was revoked (or never recorded): issue a fresh pair.
      DemoWorkspace demo{ws->id, issue_key(tx, ws->id, KeyRole::publishable, now).key,
                         issue_key(tx, ws->id, KeyRole::secret, now).key};
      tx.put_demo_keys(ws->id, DemoKeys{demo.public_key, demo.secret_key});
      return demo;
    }
    WorkspaceRow ws;
    ws.id = new_workspace_id();
    ws.name = "Demo";
    ws.is_demo = true;
    ws.client_attribute_writes = true;
    tx.insert_workspace(ws);
    DemoWorkspace demo{ws.id, issue_key(tx, ws.id, KeyRole::publishable, now).key,
                       issue_key(tx, ws.id, KeyRole::secret, now).key};
    tx.put_demo_keys(ws.id, DemoKeys{demo.public_key, demo.secret_key});
    for (const Json& def : Json::parse(kDemoDefinitions)) {
      auto r = declare_definition(tx, ws, def["key"].get<std::string>(), def);
      if (auto* e = std::get_if<ApiError>(&r)) {
        throw std::runtime_error("demo definition " + def.dump() + " refused: " + e->code);
      }
    }
    return demo;
  });
}

}  // namespace attrkit::server
