#include "keys.h"

#include "text_chars.h"

namespace attrkit {
namespace {

constexpr std::size_t kPrefixLength = 8;  // "pk_live_" / "sk_live_"
constexpr std::size_t kMinSecretChars = 24;
constexpr std::size_t kMaxKeyLength = 128;

}  // namespace

KeyKind classify_key(std::string_view key) {
  if (key.size() < kPrefixLength + kMinSecretChars || key.size() > kMaxKeyLength) {
    return KeyKind::invalid;
  }
  const std::string_view prefix = key.substr(0, kPrefixLength);
  KeyKind kind;
  if (prefix == "pk_live_") {
    kind = KeyKind::publishable;
  } else if (prefix == "sk_live_") {
    kind = KeyKind::secret;
  } else {
    return KeyKind::invalid;
  }
  for (std::size_t k = kPrefixLength; k < key.size(); ++k) {
    if (!is_ascii_alnum(key[k])) return KeyKind::invalid;
  }
  return kind;
}

}  // namespace attrkit
