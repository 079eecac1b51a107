#include "core/definitions.h"
#include "server/definitions_admin.h"
#include "server/handlers.h"
#include "server/workspace_admin.h"
#include "server/workspace_config.h"

namespace attrkit::server {
namespace {

Json settings_json(Tx& tx, const std::string& workspace_id) {
  auto ws = tx.workspace(workspace_id);
  Json config = config_to_json(load_config(tx, *ws));
  return Json{{"workspace", config["workspace"]},
              {"clientAttributeWrites", config["clientAttributeWrites"]},
              {"definitionsVersion", config["definitionsVersion"]}};
}

}  // namespace

Reply get_definitions(ApiCall& call) {
  Json config = config_to_json(load_config(call.tx, call.who.workspace));
  return Reply::ok(Json{{"attributes", config["attributes"]}});
}

Reply put_definition(ApiCall& call) {
  auto result = declare_definition(call.tx, call.who.workspace, call.path_param, call.body);
  if (auto* e = std::get_if<ApiError>(&result)) return Reply::error(*e);
  return Reply::ok(definition_to_json(std::get<Definition>(result)));
}

Reply get_settings(ApiCall& call) {
  return Reply::ok(settings_json(call.tx, call.who.workspace.id));
}

Reply put_settings(ApiCall& call) {
  const Json* flag = nullptr;
  if (call.body.is_object()) {
    auto it = call.body.find("clientAttributeWrites");
    if (it != call.body.end()) flag = &*it;
  }
  if (!flag || !flag->is_boolean()) {
    return Reply::error(
        api_error(Error::invalid_request, "expected {\"clientAttributeWrites\": true|false}"));
  }
  set_client_writes(call.tx, call.who.workspace, flag->get<bool>());
  return Reply::ok(settings_json(call.tx, call.who.workspace.id));
}

}  // namespace attrkit::server
