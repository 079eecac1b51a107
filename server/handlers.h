// The endpoint handlers of DESIGN §7. http_app has already authenticated the caller, applied the
// rate limit, checked the access level and parsed the JSON body; a handler runs inside that
// request's transaction and only decides its answer.
#pragma once
#include <map>
#include <string>

#include "core/json.h"
#include "server/auth.h"
#include "server/reply.h"
#include "server/store.h"

namespace attrkit::server {

struct ApiCall {
  Tx& tx;
  const Principal& who;
  const Json& body;               // null for endpoints without a body
  const std::string& path_param;  // the (decoded) {distinctId} or {key} of the path, or ""
  const std::string& if_none_match;
  double now_ms;
  const std::map<std::string, std::string>& query;  // first value of each query parameter
};

// handlers_config.cpp
Reply get_config(ApiCall& call);
// handlers_values.cpp
Reply post_value(ApiCall& call);
Reply delete_value(ApiCall& call);
Reply post_batch(ApiCall& call);
// handlers_persons.cpp
Reply get_person(ApiCall& call);
// handlers_workspace.cpp
Reply get_definitions(ApiCall& call);
Reply put_definition(ApiCall& call);
Reply get_settings(ApiCall& call);
Reply put_settings(ApiCall& call);
// handlers_debug.cpp
Reply get_debug_writes(ApiCall& call);

}  // namespace attrkit::server
