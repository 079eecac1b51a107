#include "core/validate.h"
#include "server/handlers.h"
#include "server/json_body.h"

namespace attrkit::server {

Reply get_person(ApiCall& call) {
  const std::string& distinct_id = call.path_param;
  std::string message;
  if (validate_distinct_id(Json(distinct_id), &message) != Error::ok) {
    return Reply::error(api_error(Error::distinct_id_invalid, std::move(message)));
  }
  auto person = call.tx.find_person(call.who.workspace.id, distinct_id);
  if (!person) return Reply::error(api_error(Error::not_found, "no person with this distinctId"));
  Json attributes = Json::object();
  for (const auto& [key, text] : call.tx.values(*person)) {
    auto value = parse_json_body(text);
    attributes[key] = value ? *value : Json(nullptr);
  }
  return Reply::ok(Json{
      {"personId", *person}, {"distinctId", distinct_id}, {"attributes", std::move(attributes)}});
}

}  // namespace attrkit::server
