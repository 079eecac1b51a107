#include "server/routes.h"

namespace attrkit::server {

const std::vector<Route>& api_routes() {
  // Path parameters match "(.+)", not "([^/]+)": httplib decodes %2F before matching, and a
  // distinct id may contain a slash.
  static const std::vector<Route> kRoutes = {
      {"GET", "/api/v1/sdk/config", Access::any_key, false, get_config},
      {"POST", "/api/v1/attributes/values", Access::write, true, post_value},
      {"DELETE", "/api/v1/attributes/values", Access::write, true, delete_value},
      {"POST", "/api/v1/attributes/values/batch", Access::write, true, post_batch},
      {"GET", "/api/v1/persons/(.+)/attributes", Access::secret, false, get_person},
      {"GET", "/api/v1/attributes/definitions", Access::secret, false, get_definitions},
      {"PUT", "/api/v1/attributes/definitions/(.+)", Access::secret, true, put_definition},
      {"GET", "/api/v1/workspace/settings", Access::secret, false, get_settings},
      {"PUT", "/api/v1/workspace/settings", Access::secret, true, put_settings},
      {"GET", "/api/v1/debug/writes", Access::secret, false, get_debug_writes},
  };
  return kRoutes;
}

}  // namespace attrkit::server
