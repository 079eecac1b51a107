#include "server/auth.h"

#include <cctype>

#include "core/keys.h"
#include "server/key_hash.h"

namespace attrkit::server {

std::string bearer_token(const std::string& authorization) {
  constexpr std::size_t kScheme = 6;  // "Bearer"
  if (authorization.size() <= kScheme + 1) return {};
  static const char kBearer[] = "bearer";
  for (std::size_t i = 0; i < kScheme; ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kBearer[i]) return {};
  }
  std::size_t start = kScheme;
  if (authorization[start] != ' ') return {};
  while (start < authorization.size() && authorization[start] == ' ') ++start;
  return authorization.substr(start);
}

std::variant<Principal, ApiError> authenticate(Tx& tx, const std::string& authorization) {
  std::string key = bearer_token(authorization);
  KeyKind kind = classify_key(key);
  if (kind == KeyKind::invalid) return api_error_for(Error::invalid_key);
  const std::string hash = key_hash(key);
  auto row = tx.find_key(hash);
  KeyRole expected = kind == KeyKind::secret ? KeyRole::secret : KeyRole::publishable;
  if (!row || !same_secret(row->key_hash, hash) || row->role != expected) {
    return api_error_for(Error::invalid_key);
  }
  auto ws = tx.workspace(row->workspace_id);
  if (!ws) return api_error_for(Error::invalid_key);
  return Principal{row->id, row->role, *ws};
}

std::optional<ApiError> authorize(const Principal& who, Access access) {
  if (who.role == KeyRole::secret) return std::nullopt;
  switch (access) {
    case Access::any_key: return std::nullopt;
    case Access::write:
      if (who.workspace.client_attribute_writes) return std::nullopt;
      return api_error_for(Error::client_attribute_writes_disabled);
    case Access::secret: return secret_key_required();
  }
  return secret_key_required();
}

}  // namespace attrkit::server
