// What a handler answers: status, JSON body, extra headers. http_app turns it into the response.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "core/json.h"
#include "server/api_error.h"

namespace attrkit::server {

struct Reply {
  int status = 200;
  Json body;  // null: no body (204, 304)
  std::vector<std::pair<std::string, std::string>> headers;

  static Reply ok(Json body) { return Reply{200, std::move(body), {}}; }
  static Reply error(const ApiError& e) { return Reply{e.status, e.body(), {}}; }
};

}  // namespace attrkit::server
