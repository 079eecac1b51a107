// Random identifiers from the operating system's CSPRNG (getrandom): API keys, person ids,
// workspace ids. Thread-safe; throws std::runtime_error if the kernel refuses randomness.
#pragma once
#include <cstddef>
#include <string>

namespace attrkit::server {

// `n` characters drawn uniformly from [A-Za-z0-9].
std::string random_alnum(std::size_t n);

// "pk_live_" / "sk_live_" + 32 random characters (DESIGN §7 asks for at least 24).
std::string new_public_key();
std::string new_secret_key();
// "p_" + 16 random characters: stable per (workspace, distinct id) once stored.
std::string new_person_id();
// "ws_" + 16 random characters.
std::string new_workspace_id();

}  // namespace attrkit::server
