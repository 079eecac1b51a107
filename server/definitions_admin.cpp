#include "server/definitions_admin.h"

#include "server/json_body.h"

namespace attrkit::server {
namespace {

bool is_builtin_key(const std::string& key) {
  for (const Definition& d : builtin_definitions()) {
    if (d.key == key) return true;
  }
  return false;
}

}  // namespace

std::variant<Definition, ApiError> declare_definition(Tx& tx, const WorkspaceRow& ws,
                                                      const std::string& key, const Json& body) {
  if (is_builtin_key(key)) {
    return api_error(Error::invalid_request,
                     "\"" + key + "\" is built in (name, email, language) and cannot be declared");
  }
  if (!is_valid_definition_key(key)) {
    return api_error(Error::invalid_request,
                     "a key is 1 to 64 of [A-Za-z0-9_] and does not start with a digit");
  }
  if (!body.is_object()) {
    return api_error(Error::invalid_request, "the body must be a definition object");
  }
  auto body_key = body.find("key");
  if (body_key != body.end() && !(body_key->is_string() && *body_key == key)) {
    return api_error(Error::invalid_request, "\"key\" in the body must match the path");
  }
  Json with_key = body;
  with_key["key"] = key;
  Result<Definition> parsed = parse_definition(with_key);
  if (!parsed.ok()) {
    return api_error(parsed.error(),
                     "not a valid definition: see DESIGN §3 for the types and their fields");
  }
  std::string stored = dump_json(definition_to_json(parsed.value()));
  auto previous = tx.definition_body(ws.id, key);
  if (!previous || *previous != stored) {
    tx.put_definition(ws.id, key, stored);
    tx.bump_definitions_version(ws.id);
  }
  return parsed.value();
}

}  // namespace attrkit::server
