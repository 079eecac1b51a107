#include "server/options.h"

#include <arpa/inet.h>

#include <cstdlib>
#include <cstring>

namespace attrkit::server {
namespace {

bool parse_int(const std::string& s, long lo, long hi, long* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  long v = std::strtol(s.c_str(), &end, 10);
  if (*end != '\0' || v < lo || v > hi) return false;
  *out = v;
  return true;
}

bool parse_number(const std::string& s, double lo, double hi, double* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (*end != '\0' || !(v >= lo) || v > hi) return false;
  *out = v;
  return true;
}

bool parse_switch(const std::string& s, bool* out) {
  if (s == "1" || s == "on" || s == "true" || s == "yes") return *out = true, true;
  if (s == "0" || s == "off" || s == "false" || s == "no") return *out = false, true;
  return false;
}

// One setting from its flag name and text value; false (and *why) when the value is bad.
bool apply(Options& o, const std::string& name, const std::string& value, std::string* why) {
  long n = 0;
  auto bad = [&](const char* what) {
    *why = what;
    return false;
  };
  if (name == "--port") {
    if (!parse_int(value, 0, 65535, &n)) return bad("expects a port 0-65535");
    o.port = static_cast<int>(n);
  } else if (name == "--rate-limit") {
    if (!parse_number(value, 0, 1e9, &o.rate_limit)) return bad("expects a number >= 0");
  } else if (name == "--max-connections") {
    if (!parse_int(value, 1, 100000, &n)) return bad("expects a whole number 1-100000");
    o.max_connections = static_cast<std::size_t>(n);
  } else if (name == "--header-timeout" || name == "--body-timeout" || name == "--write-timeout" ||
             name == "--keep-alive-timeout" || name == "--shutdown-grace") {
    double* slot = name == "--header-timeout"       ? &o.header_timeout_s
                   : name == "--body-timeout"       ? &o.body_timeout_s
                   : name == "--write-timeout"      ? &o.write_timeout_s
                   : name == "--keep-alive-timeout" ? &o.keep_alive_timeout_s
                                                    : &o.shutdown_grace_s;
    if (!parse_number(value, 0.05, 3600, slot)) return bad("expects seconds (0.05-3600)");
  } else if (name == "--access-log") {
    if (!parse_switch(value, &o.access_log)) return bad("expects on or off");
  } else if (name == "--seed-demo") {
    if (!parse_switch(value, &o.seed_demo)) return bad("expects on or off");
  } else if (name == "--host" || name == "--db" || name == "--web" || name == "--sdk") {
    if (value.empty()) return bad("expects a value");
    if (name == "--host") o.host = value;
    if (name == "--db") o.db = value;
    if (name == "--web") o.web_dir = value;
    if (name == "--sdk") o.sdk_dir = value;
  } else {
    return bad("unknown");
  }
  return true;
}

// Environment variable -> the flag it stands for.
struct EnvFlag {
  const char* var;
  const char* flag;
};
constexpr EnvFlag kEnv[] = {
    {"ATTRKIT_HOST", "--host"},
    {"ATTRKIT_PORT", "--port"},
    {"ATTRKIT_DB", "--db"},
    {"ATTRKIT_WEB_DIR", "--web"},
    {"ATTRKIT_SDK_DIR", "--sdk"},
    {"ATTRKIT_RATE_LIMIT", "--rate-limit"},
    {"ATTRKIT_MAX_CONNECTIONS", "--max-connections"},
    {"ATTRKIT_HEADER_TIMEOUT", "--header-timeout"},
    {"ATTRKIT_BODY_TIMEOUT", "--body-timeout"},
    {"ATTRKIT_WRITE_TIMEOUT", "--write-timeout"},
    {"ATTRKIT_KEEP_ALIVE_TIMEOUT", "--keep-alive-timeout"},
    {"ATTRKIT_SHUTDOWN_GRACE", "--shutdown-grace"},
    {"ATTRKIT_ACCESS_LOG", "--access-log"},
};

}  // namespace

bool is_loopback_host(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  std::string bare = host.size() > 2 && host.front() == '[' && host.back() == ']'
                         ? host.substr(1, host.size() - 2)
                         : host;
  if (inet_pton(AF_INET6, bare.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

const char* usage_text() {
  return "usage: attrkit-server [flags]            run the API server\n"
         "       attrkit-server workspace|keys|definitions|settings ...   admin (see below)\n"
         "flags (each also read from the environment variable in brackets; flags win):\n"
         "  --port N                port to listen on (default 8787; 0 = any free port) "
         "[ATTRKIT_PORT]\n"
         "  --host ADDR             address to bind (default 127.0.0.1) [ATTRKIT_HOST]\n"
         "  --db PATH|URL           SQLite database file (default .attrkit/dev.db; created if\n"
         "                          missing), or postgres://user@host:port/dbname to run on\n"
         "                          PostgreSQL (many nodes may share one); migrated at start\n"
         "                          [ATTRKIT_DB]\n"
         "  --web DIR               folder served at / (default web) [ATTRKIT_WEB_DIR]\n"
         "  --sdk DIR               folder served at /sdk/ (default js/dist) [ATTRKIT_SDK_DIR]\n"
         "  --seed-demo             create the demo workspace if missing, print its keys and "
         "serve\n"
         "                          /demo/... (local development only: refused unless --host is a\n"
         "                          loopback address)\n"
         "  --rate-limit N          requests per second per API key, burst 2N (default 100;\n"
         "                          0 = off) [ATTRKIT_RATE_LIMIT]\n"
         "  --max-connections N     connections served at once; more get 503 server_busy\n"
         "                          (default 512) [ATTRKIT_MAX_CONNECTIONS]\n"
         "  --header-timeout S      request line and headers must arrive within S seconds of the\n"
         "                          request's first byte (default 10; else 408) "
         "[ATTRKIT_HEADER_TIMEOUT]\n"
         "  --body-timeout S        the body within S seconds after the headers (default 10)\n"
         "                          [ATTRKIT_BODY_TIMEOUT]\n"
         "  --write-timeout S       writing one answer takes at most S seconds (default 10)\n"
         "                          [ATTRKIT_WRITE_TIMEOUT]\n"
         "  --keep-alive-timeout S  an idle connection is closed after S seconds (default 5)\n"
         "                          [ATTRKIT_KEEP_ALIVE_TIMEOUT]\n"
         "  --shutdown-grace S      on SIGTERM/SIGINT, requests in flight get S seconds to finish\n"
         "                          (default 10) [ATTRKIT_SHUTDOWN_GRACE]\n"
         "  --access-log on|off     one JSON line per request on stderr (default on)\n"
         "                          [ATTRKIT_ACCESS_LOG]\n"
         "  --verbose               also a plain \"METHOD path status\" stderr line per request\n"
         "  --help                  this text\n";
}

std::optional<Options> parse_options(const std::vector<std::string>& args, std::string* error,
                                     const char* (*env)(const char*)) {
  Options o;
  std::string why;
  if (env) {
    for (const EnvFlag& e : kEnv) {
      const char* value = env(e.var);
      if (!value || !*value) continue;
      if (!apply(o, e.flag, value, &why)) {
        *error = std::string(e.var) + ": " + why;
        return std::nullopt;
      }
    }
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string original = args[i];
    std::string name = args[i];
    std::string value;
    bool inline_value = false;
    if (auto eq = name.find('='); name.compare(0, 2, "--") == 0 && eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    if (name == "--help" || name == "-h") {
      o.help = true;
      continue;
    }
    if (!inline_value && (name == "--seed-demo" || name == "--verbose")) {
      (name == "--seed-demo" ? o.seed_demo : o.verbose) = true;
      continue;
    }
    if (name == "--verbose") {
      *error = "--verbose takes no value";
      return std::nullopt;
    }
    if (!inline_value) {
      if (i + 1 >= args.size() || name.compare(0, 2, "--") != 0) {
        *error = name.compare(0, 2, "--") == 0 ? name + ": expects a value"
                                               : "unknown argument " + original;
        return std::nullopt;
      }
      value = args[++i];
    }
    if (!apply(o, name, value, &why)) {
      *error = why == "unknown" ? "unknown argument " + original : name + ": " + why;
      return std::nullopt;
    }
  }
  return o;
}

}  // namespace attrkit::server
