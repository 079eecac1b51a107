#include "server/admin_cli.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <variant>

#include "core/json.h"
#include "server/definitions_admin.h"
#include "server/json_body.h"
#include "server/store.h"
#include "server/workspace_admin.h"

namespace attrkit::server {
namespace {

// Positional words and --name value / --name=value flags, in any order.
struct Args {
  std::vector<std::string> words;
  std::map<std::string, std::string> flags;
};

std::optional<Args> split(const std::vector<std::string>& args, std::string* error) {
  Args a;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& s = args[i];
    if (s.compare(0, 2, "--") != 0) {
      a.words.push_back(s);
      continue;
    }
    if (auto eq = s.find('='); eq != std::string::npos) {
      a.flags[s.substr(0, eq)] = s.substr(eq + 1);
    } else if (i + 1 < args.size()) {
      a.flags[s] = args[++i];
    } else {
      *error = s + " expects a value";
      return std::nullopt;
    }
  }
  return a;
}

std::string db_path(const Args& a) {
  if (auto it = a.flags.find("--db"); it != a.flags.end()) return it->second;
  if (const char* env = std::getenv("ATTRKIT_DB"); env && *env) return env;
  return ".attrkit/dev.db";
}

// Refused: the command ran but the store said no (unknown workspace, bad file).
struct Refused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

WorkspaceRow need_workspace(Tx& tx, const Args& a) {
  auto it = a.flags.find("--workspace");
  if (it == a.flags.end()) throw Refused("--workspace ID is required");
  auto ws = tx.workspace(it->second);
  if (!ws) throw Refused("no workspace " + it->second + " (attrkit-server workspace list)");
  return *ws;
}

Json key_json(const KeyRow& k) {
  return Json{{"id", k.id},
              {"workspace", k.workspace_id},
              {"role", key_role_name(k.role)},
              {"hint", k.hint},
              {"createdMs", k.created_ms},
              {"revokedMs", k.revoked_ms ? Json(*k.revoked_ms) : Json(nullptr)}};
}

Json settings_json(const WorkspaceRow& ws) {
  return Json{{"workspace", ws.id},
              {"name", ws.name},
              {"clientAttributeWrites", ws.client_attribute_writes},
              {"definitionsVersion", std::to_string(ws.definitions_version)}};
}

// The definitions file: an array of definitions, or {"attributes": [...]} as
// GET /api/v1/attributes/definitions answers (so one workspace's export applies to another).
std::vector<Json> read_definitions(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Refused("cannot read " + file);
  std::stringstream text;
  text << in.rdbuf();
  auto doc = parse_json_body(text.str());
  if (!doc) throw Refused(file + " is not JSON");
  const Json* list = &*doc;
  if (doc->is_object() && doc->contains("attributes")) list = &(*doc)["attributes"];
  if (!list->is_array()) throw Refused(file + ": expected an array of definitions");
  std::vector<Json> out;
  for (const Json& d : *list) {
    if (!d.is_object() || !d.contains("key") || !d["key"].is_string()) {
      throw Refused(file + ": every definition needs a string \"key\"");
    }
    out.push_back(d);
  }
  return out;
}

Json run_in(Store& store, const std::string& cmd, const std::string& sub, const Args& a,
            std::ostream& out) {
  return store.transact([&](Tx& tx) -> Json {
    if (cmd == "workspace" && sub == "create") {
      if (a.words.size() < 3 || a.words[2].empty()) throw Refused("workspace create NAME");
      WorkspaceRow ws = create_workspace(tx, a.words[2]);
      const double now = now_wall_ms();
      IssuedKey pk = issue_key(tx, ws.id, KeyRole::publishable, now);
      IssuedKey sk = issue_key(tx, ws.id, KeyRole::secret, now);
      Json j = settings_json(ws);
      j["publicKey"] = pk.key;
      j["secretKey"] = sk.key;
      return j;
    }
    if (cmd == "workspace" && sub == "list") {
      for (const WorkspaceRow& ws : tx.workspaces()) {
        Json j = settings_json(ws);
        j["demo"] = ws.is_demo;
        out << j.dump() << "\n";
      }
      return nullptr;
    }
    if (cmd == "keys" && sub == "create") {
      WorkspaceRow ws = need_workspace(tx, a);
      auto role = a.flags.find("--role");
      if (role == a.flags.end()) throw Refused("--role public|secret is required");
      KeyRole r;
      if (role->second == "public" || role->second == "publishable" || role->second == "pk") {
        r = KeyRole::publishable;
      } else if (role->second == "secret" || role->second == "sk") {
        r = KeyRole::secret;
      } else {
        throw Refused("--role is public or secret");
      }
      IssuedKey k = issue_key(tx, ws.id, r, now_wall_ms());
      Json j = key_json(k.row);
      j["key"] = k.key;
      return j;
    }
    if (cmd == "keys" && sub == "list") {
      std::string ws_id;
      if (a.flags.count("--workspace")) ws_id = need_workspace(tx, a).id;
      for (const KeyRow& k : tx.keys(ws_id)) out << key_json(k).dump() << "\n";
      return nullptr;
    }
    if (cmd == "keys" && sub == "revoke") {
      if (a.words.size() < 3) throw Refused("keys revoke KEY_ID (attrkit-server keys list)");
      auto k = tx.key_by_id(a.words[2]);
      if (!k) throw Refused("no key " + a.words[2]);
      tx.revoke_key(k->id, now_wall_ms());  // revoking twice keeps the first time
      return key_json(*tx.key_by_id(k->id));
    }
    if (cmd == "definitions" && sub == "apply") {
      if (a.words.size() < 3) throw Refused("definitions apply FILE --workspace ID");
      std::vector<Json> defs = read_definitions(a.words[2]);
      WorkspaceRow ws = need_workspace(tx, a);
      Json changed = Json::array(), unchanged = Json::array();
      for (const Json& d : defs) {
        const std::string key = d["key"].get<std::string>();
        auto before = tx.definition_body(ws.id, key);
        auto r = declare_definition(tx, *tx.workspace(ws.id), key, d);
        if (auto* e = std::get_if<ApiError>(&r)) throw Refused(key + ": " + e->message);
        (before == tx.definition_body(ws.id, key) ? unchanged : changed).push_back(key);
      }
      Json j = settings_json(*tx.workspace(ws.id));
      j["changed"] = changed;
      j["unchanged"] = unchanged;
      return j;
    }
    if (cmd == "settings") {
      WorkspaceRow ws = need_workspace(tx, a);
      if (auto it = a.flags.find("--client-writes"); it != a.flags.end()) {
        if (it->second != "on" && it->second != "off") throw Refused("--client-writes on|off");
        set_client_writes(tx, ws, it->second == "on");
      }
      return settings_json(*tx.workspace(ws.id));
    }
    throw std::invalid_argument("unknown command");
  });
}

}  // namespace

bool is_admin_command(const std::string& word) {
  return word == "workspace" || word == "keys" || word == "definitions" || word == "settings";
}

const char* admin_usage_text() {
  return "admin commands (JSON out, one object per line; [--db PATH], else $ATTRKIT_DB):\n"
         "  attrkit-server workspace create NAME      new workspace + a public and a secret key\n"
         "  attrkit-server workspace list\n"
         "  attrkit-server keys create --workspace ID --role public|secret\n"
         "  attrkit-server keys list [--workspace ID]\n"
         "  attrkit-server keys revoke KEY_ID         refused from the next request on\n"
         "  attrkit-server definitions apply FILE --workspace ID\n"
         "                                           declare or change definitions (idempotent)\n"
         "  attrkit-server settings --workspace ID [--client-writes on|off]\n"
         "Keys are shown once, by the command that creates them; only their SHA-256 is stored.\n";
}

int run_admin(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string error;
  auto a = split(args, &error);
  if (!a) {
    err << "attrkit-server: " << error << "\n" << admin_usage_text();
    return 2;
  }
  const std::string cmd = a->words.empty() ? "" : a->words[0];
  const std::string sub = cmd == "settings" || a->words.size() < 2 ? "" : a->words[1];
  static const std::vector<std::string> kKnown = {
      "workspace create", "workspace list",    "keys create", "keys list",
      "keys revoke",      "definitions apply", "settings "};
  bool known = false;
  for (const std::string& k : kKnown) known = known || k == cmd + " " + sub;
  if (!known) {
    err << "attrkit-server: unknown admin command\n" << admin_usage_text();
    return 2;
  }
  for (const auto& [name, value] : a->flags) {
    if (name != "--db" && name != "--workspace" && name != "--role" && name != "--client-writes") {
      err << "attrkit-server: unknown option " << name << "\n" << admin_usage_text();
      return 2;
    }
  }
  try {
    const std::string path = db_path(*a);
    if (!is_postgres_url(path)) {
      std::filesystem::path p(path);
      if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
    }
    std::unique_ptr<Store> store = open_store(path);
    Json answer = run_in(*store, cmd, sub, *a, out);
    if (!answer.is_null()) out << answer.dump() << "\n";
    if (answer.is_object() && (answer.contains("key") || answer.contains("secretKey"))) {
      err << "attrkit-server: the key is shown once: store it now (only its hash is kept)\n";
    }
    return 0;
  } catch (const Refused& e) {
    err << "attrkit-server: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    err << "attrkit-server: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace attrkit::server
