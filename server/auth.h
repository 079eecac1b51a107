// Who is calling and what they may do (DESIGN §6, §7 "key" column).
//   any_key  config: a publishable or a secret key
//   write    attribute writes: a secret key, or a publishable key while the workspace's
//            clientAttributeWrites flag is on (else 403 client_attribute_writes_disabled)
//   secret   person reads, definitions, settings: a secret key only (else 403
//            secret_key_required)
// A missing, malformed (core classify_key) or unknown key is 401 invalid_key. Parsing is strict:
// "Bearer" (any case), spaces, then the key and nothing else; any other byte anywhere (a NUL and
// what follows it, a space, a control byte, non-ASCII) makes the key malformed. Only the key's
// SHA-256 is looked up, and the stored hash is compared in constant time.
#pragma once
#include <optional>
#include <string>
#include <variant>

#include "server/api_error.h"
#include "server/store.h"

namespace attrkit::server {

enum class Access { any_key, write, secret };

struct Principal {
  std::string key_id;  // the stored key's id (rate limits count per key)
  KeyRole role = KeyRole::publishable;
  WorkspaceRow workspace;
};

// The token of "Bearer <token>" (scheme case-insensitive, one or more spaces after it), or ""
// when the header is not that. Nothing is trimmed after the token.
std::string bearer_token(const std::string& authorization);

// Looks the key up: the caller, or 401 invalid_key. `authorization` is the whole header value
// (with any NUL bytes it holds).
std::variant<Principal, ApiError> authenticate(Tx& tx, const std::string& authorization);

// nullopt when `who` may use an endpoint of that access level, else the 403.
std::optional<ApiError> authorize(const Principal& who, Access access);

}  // namespace attrkit::server
