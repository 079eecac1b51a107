// Serving web/ at "/" and the built SDK at "/sdk/" (docs/server.md, "Static files").
#pragma once
#include <string>
#include <vector>

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace attrkit::server {

struct StaticMount {
  std::string prefix;  // "/" or "/sdk/": ends with '/'
  std::string dir;     // may not exist (the SDK before it is built): then every path is a 404
};

// Answers a GET or HEAD from the mount with the longest matching prefix: the file with its MIME
// type, a weak ETag (304 on If-None-Match) and either immutable caching (versioned names) or
// no-cache; a 301 to "path/" for a folder; otherwise status 404 with an empty body, which the
// server's error handler turns into the JSON not_found error.
void serve_static(const std::vector<StaticMount>& mounts, const httplib::Request& req,
                  httplib::Response& res);

}  // namespace attrkit::server
