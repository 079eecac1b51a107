#include "server/key_hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <stdexcept>

#include "server/random_id.h"

namespace attrkit::server {

std::string key_hash(std::string_view key) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(key.data(), key.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

bool same_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string key_hint(std::string_view key) { return std::string(key.substr(0, 12)); }

std::string new_key_id() { return "key_" + random_alnum(16); }

}  // namespace attrkit::server
