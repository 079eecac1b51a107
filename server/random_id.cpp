#include "server/random_id.h"

#include <sys/random.h>

#include <cerrno>
#include <stdexcept>

namespace attrkit::server {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr unsigned kAlphabetSize = sizeof(kAlphabet) - 1;  // 62

void fill_random(unsigned char* buf, std::size_t len) {
  while (len > 0) {
    ssize_t got = getrandom(buf, len, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("getrandom failed");
    }
    buf += got;
    len -= static_cast<std::size_t>(got);
  }
}

}  // namespace

std::string random_alnum(std::size_t n) {
  std::string out;
  out.reserve(n);
  unsigned char buf[64];
  while (out.size() < n) {
    fill_random(buf, sizeof buf);
    for (unsigned char b : buf) {
      // Rejection sampling keeps the 62 characters equally likely (a plain modulo would not).
      unsigned v = b & 63u;
      if (v < kAlphabetSize && out.size() < n) out.push_back(kAlphabet[v]);
    }
  }
  return out;
}

std::string new_public_key() { return "pk_live_" + random_alnum(32); }
std::string new_secret_key() { return "sk_live_" + random_alnum(32); }
std::string new_person_id() { return "p_" + random_alnum(16); }
std::string new_workspace_id() { return "ws_" + random_alnum(16); }

}  // namespace attrkit::server
