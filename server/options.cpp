#include "server/options.h"

#include <cstdlib>

namespace attrkit::server {
namespace {

bool parse_int(const std::string& s, int lo, int hi, int* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  long v = std::strtol(s.c_str(), &end, 10);
  if (*end != '\0' || v < lo || v > hi) return false;
  *out = static_cast<int>(v);
  return true;
}

bool parse_rate(const std::string& s, double* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (*end != '\0' || !(v >= 0) || v > 1e9) return false;
  *out = v;
  return true;
}

}  // namespace

const char* usage_text() {
  return "usage: attrkit-server [--port N] [--host ADDR] [--db PATH] [--web DIR] [--sdk DIR]\n"
         "                      [--seed-demo] [--rate-limit N] [--verbose]\n"
         "  --port N        port to listen on (default 8787; 0 = any free port)\n"
         "  --host ADDR     address to bind (default 127.0.0.1)\n"
         "  --db PATH|URL   SQLite database file (default .attrkit/dev.db; created if missing), or\n"
         "                  postgres://user@host:port/dbname to run on PostgreSQL (many nodes\n"
         "                  may share one); default from $ATTRKIT_DB when set\n"
         "  --web DIR       folder served at / (default web)\n"
         "  --sdk DIR       folder served at /sdk/ (default js/dist)\n"
         "  --seed-demo     create the demo workspace if the database has none\n"
         "  --rate-limit N  requests per second per API key, burst 2N (default 100; 0 = off)\n"
         "  --verbose       log every request to stderr\n";
}

std::optional<Options> parse_options(const std::vector<std::string>& args, std::string* error) {
  Options o;
  // The database may come from the environment (12-factor style: a URL with a password stays
  // out of `ps`); --db wins.
  if (const char* env = std::getenv("ATTRKIT_DB"); env && *env) o.db = env;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i];
    std::string value;
    bool inline_value = false;
    if (auto eq = name.find('='); name.compare(0, 2, "--") == 0 && eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    auto take = [&]() -> bool {
      if (inline_value) return true;
      if (i + 1 >= args.size()) return false;
      value = args[++i];
      return true;
    };
    auto bad = [&](const std::string& why) {
      *error = name + ": " + why;
      return std::nullopt;
    };

    if (name == "--help" || name == "-h") {
      o.help = true;
    } else if (name == "--seed-demo") {
      o.seed_demo = true;
    } else if (name == "--verbose") {
      o.verbose = true;
    } else if (name == "--port") {
      if (!take() || !parse_int(value, 0, 65535, &o.port)) return bad("expects a port 0-65535");
    } else if (name == "--rate-limit") {
      if (!take() || !parse_rate(value, &o.rate_limit)) return bad("expects a number >= 0");
    } else if (name == "--host" || name == "--db" || name == "--web" || name == "--sdk") {
      if (!take() || value.empty()) return bad("expects a value");
      if (name == "--host") o.host = value;
      if (name == "--db") o.db = value;
      if (name == "--web") o.web_dir = value;
      if (name == "--sdk") o.sdk_dir = value;
    } else {
      *error = "unknown argument " + args[i];
      return std::nullopt;
    }
  }
  return o;
}

}  // namespace attrkit::server
