// The API route table (DESIGN §7): method, path pattern, who may call it, whether it takes a JSON
// body, and its handler. http_app registers each row; everything else is static files or 404.
#pragma once
#include <vector>

#include "server/auth.h"
#include "server/handlers.h"

namespace attrkit::server {

struct Route {
  const char* method;   // "GET", "POST", "PUT", "DELETE"
  const char* pattern;  // httplib regex over the decoded path; group 1 is ApiCall::path_param
  Access access;
  bool takes_body;  // a JSON body (POST, PUT, DELETE); GET routes take none
  Reply (*handle)(ApiCall&);
};

const std::vector<Route>& api_routes();

}  // namespace attrkit::server
