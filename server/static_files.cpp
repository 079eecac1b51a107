#include "server/static_files.h"

#include <httplib.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "server/etag.h"
#include "server/static_paths.h"

namespace attrkit::server {
namespace {

const StaticMount* mount_for(const std::vector<StaticMount>& mounts, const std::string& path) {
  const StaticMount* best = nullptr;
  for (const StaticMount& m : mounts) {
    if (path.compare(0, m.prefix.size(), m.prefix) == 0 &&
        (!best || m.prefix.size() > best->prefix.size())) {
      best = &m;
    }
  }
  return best;
}

std::string weak_etag(const struct stat& st) {
  std::ostringstream os;
  os << "W/\"" << st.st_size << '-' << st.st_mtim.tv_sec << '.' << st.st_mtim.tv_nsec << '"';
  return os.str();
}

}  // namespace

void serve_static(const std::vector<StaticMount>& mounts, const httplib::Request& req,
                  httplib::Response& res) {
  res.status = 404;
  const StaticMount* m = mount_for(mounts, req.path);
  if (!m) return;
  StaticTarget t = resolve_static(m->dir, req.path.substr(m->prefix.size()));
  if (t.kind == StaticTarget::directory) {
    res.status = 301;
    res.set_header("Location", req.path + "/");
    return;
  }
  if (t.kind != StaticTarget::file) return;

  struct stat st {};
  std::ifstream in(t.path, std::ios::binary);
  if (!in || ::stat(t.path.c_str(), &st) != 0) return;
  std::string etag = weak_etag(st);
  std::string name = t.path.substr(t.path.rfind('/') + 1);
  res.set_header("ETag", etag);
  res.set_header("Cache-Control",
                 is_versioned_name(name) ? "public, max-age=31536000, immutable" : "no-cache");
  res.set_header("X-Content-Type-Options", "nosniff");
  if (if_none_match_hits(req.get_header_value("If-None-Match"), etag)) {
    res.status = 304;
    return;
  }
  std::ostringstream body;
  body << in.rdbuf();
  res.status = 200;
  res.set_content(body.str(), mime_type_for(t.path));
}

}  // namespace attrkit::server
