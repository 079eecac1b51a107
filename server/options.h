// attrkit-server's command line (docs/operations.md, "Flags and environment variables").
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace attrkit::server {

struct Options {
  std::string host = "127.0.0.1";
  int port = 8787;                     // 0: any free port (the ready line prints the real one)
  std::string db = ".attrkit/dev.db";  // a SQLite path or a postgres:// URL; $ATTRKIT_DB
  std::string web_dir = "web";
  std::string sdk_dir = "js/dist";
  bool seed_demo = false;   // also serves /demo/...; refused on a non-loopback --host
  double rate_limit = 100;  // per key per second, burst twice that; 0: off
  bool verbose = false;
  bool access_log = true;
  std::size_t max_connections = 512;
  double header_timeout_s = 10;
  double body_timeout_s = 10;
  double write_timeout_s = 10;
  double keep_alive_timeout_s = 5;
  double shutdown_grace_s = 10;
  bool help = false;
};

// Parses the arguments after the program name. Accepts "--name value" and "--name=value".
// Environment variables (ATTRKIT_HOST, ATTRKIT_PORT, ATTRKIT_DB, ...; see usage_text) are read
// first, from `env` (a getenv-like lookup, null: none); flags override them. On a bad argument or
// variable returns nullopt and sets *error.
std::optional<Options> parse_options(const std::vector<std::string>& args, std::string* error,
                                     const char* (*env)(const char*) = nullptr);

// 127.0.0.0/8, ::1, ::ffff:127.x.x.x or "localhost": only this machine can connect.
bool is_loopback_host(const std::string& host);

const char* usage_text();

}  // namespace attrkit::server
