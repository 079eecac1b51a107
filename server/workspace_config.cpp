#include "server/workspace_config.h"

#include <stdexcept>
#include <string>

#include "server/json_body.h"

namespace attrkit::server {

Config load_config(Tx& tx, const WorkspaceRow& ws) {
  Config c;
  c.workspace = ws.id;
  c.client_attribute_writes = ws.client_attribute_writes;
  c.definitions_version = std::to_string(ws.definitions_version);
  for (const Definition& d : builtin_definitions()) c.attributes[d.key] = d;
  for (const std::string& body : tx.definition_bodies(ws.id)) {
    auto j = parse_json_body(body);
    if (!j) throw std::runtime_error("stored definition is not JSON: " + body);
    Result<Definition> d = parse_definition(*j);
    if (!d.ok()) throw std::runtime_error("stored definition no longer parses: " + body);
    c.attributes[d.value().key] = d.value();
  }
  return c;
}

}  // namespace attrkit::server
