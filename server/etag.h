// Conditional GETs (RFC 9110 §13.1.2): If-None-Match against an entity tag, weak comparison.
#pragma once
#include <string>

namespace attrkit::server {

// True when `if_none_match` is "*" or lists `etag` (a W/ prefix on either side is ignored).
bool if_none_match_hits(const std::string& if_none_match, const std::string& etag);

}  // namespace attrkit::server
