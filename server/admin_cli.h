// The admin command line (DESIGN §7; docs/operations.md, "Workspaces and keys"):
//   attrkit-server workspace create NAME | workspace list
//   attrkit-server keys create --workspace ID --role public|secret | keys list [--workspace ID]
//                  | keys revoke KEY_ID
//   attrkit-server definitions apply FILE --workspace ID
//   attrkit-server settings --workspace ID [--client-writes on|off]
// each with [--db PATH] (else $ATTRKIT_DB, else .attrkit/dev.db). Answers are JSON, one object per
// line, on `out`; a key appears in full only in the answer of the command that created it.
#pragma once
#include <ostream>
#include <string>
#include <vector>

namespace attrkit::server {

// True when `word` (the first argument) names an admin command rather than a server flag.
bool is_admin_command(const std::string& word);

// Runs one admin command; `args` starts with the command word. Returns the exit status: 0 done,
// 1 refused (unknown workspace or key, invalid definitions file), 2 bad usage.
int run_admin(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

const char* admin_usage_text();

}  // namespace attrkit::server
