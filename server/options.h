// attrkit-server's command line (docs/server.md, "Running").
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace attrkit::server {

struct Options {
  std::string host = "127.0.0.1";
  int port = 8787;  // 0: any free port (the ready line prints the real one)
  std::string db = ".attrkit/dev.db";  // a SQLite path or a postgres:// URL; $ATTRKIT_DB
  std::string web_dir = "web";
  std::string sdk_dir = "js/dist";
  bool seed_demo = false;
  double rate_limit = 100;  // per key per second, burst twice that; 0: off
  bool verbose = false;
  bool help = false;
};

// Parses the arguments after the program name. Accepts "--name value" and "--name=value".
// On a bad argument returns nullopt and sets *error.
std::optional<Options> parse_options(const std::vector<std::string>& args, std::string* error);

const char* usage_text();

}  // namespace attrkit::server
