// How API keys are kept: only the SHA-256 of a key is stored (DESIGN §7: "stored hashed and shown
// once"), so a copy of the database does not hand out working keys. Keys are 32 random characters
// from a 62-letter alphabet (190 bits): a plain fast hash is enough, no salt or stretching.
#pragma once
#include <string>
#include <string_view>

namespace attrkit::server {

// Lower-case hex SHA-256 of the key's bytes (64 characters).
std::string key_hash(std::string_view key);

// Equal-length strings compared without an early exit (CRYPTO_memcmp); false when lengths differ.
bool same_secret(std::string_view a, std::string_view b);

// What lists show of a key: its prefix and first 4 secret characters ("sk_live_AbCd").
std::string key_hint(std::string_view key);

// "key_" + 16 random characters: how lists and revoke name a key without showing it.
std::string new_key_id();

}  // namespace attrkit::server
