#include "server/etag.h"

namespace attrkit::server {
namespace {

std::string strip_weak(std::string t) {
  if (t.compare(0, 2, "W/") == 0) t.erase(0, 2);
  return t;
}

}  // namespace

bool if_none_match_hits(const std::string& if_none_match, const std::string& etag) {
  const std::string want = strip_weak(etag);
  std::size_t start = 0;
  while (start < if_none_match.size()) {
    std::size_t end = if_none_match.find(',', start);
    if (end == std::string::npos) end = if_none_match.size();
    std::size_t b = if_none_match.find_first_not_of(" \t", start);
    std::size_t e = if_none_match.find_last_not_of(" \t", end - 1);
    if (b != std::string::npos && b < end && e >= b) {
      std::string tag = if_none_match.substr(b, e - b + 1);
      if (tag == "*" || strip_weak(tag) == want) return true;
    }
    start = end + 1;
  }
  return false;
}

}  // namespace attrkit::server
