// The options of ["do", "init", [options]] (DESIGN §2a, §6): the publishable key, the API host, and
// the consent, persistence and debug settings. Only these fields of the given object are read;
// other fields are ignored, and no setting is ever taken from anywhere else (URL, DOM, inherited
// properties: the Json object has none).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "json.h"
#include "result.h"

namespace attrkit {

// Until consent is granted nothing is stored and nothing is sent (DESIGN §2a; docs/sdk.md).
enum class Consent : std::uint8_t { granted, pending, denied };

struct InitOptions {
  std::string public_key;
  std::string api_host;  // normalised: lower-case scheme and host, no trailing '/'
  Consent consent = Consent::granted;
  bool memory = false;  // persistence "memory": the runtime never touches localStorage
  bool debug = false;   // the runtime logs every decision to the console
};

// secret_key_in_browser for any "sk_" key (checked first: such a key must never be used, even a
// malformed one); invalid_key for a missing, non-string or malformed publishable key;
// invalid_api_host unless apiHost is https://host[:port][/path] (http only for localhost,
// 127.0.0.0/8 and [::1]); invalid_command when `options` is not an object, or when "consent"
// (granted, pending, denied), "persistence" (localStorage, memory) or "debug" (a boolean) is
// present with another value. When `why` is given it receives a static reason for an
// invalid_command.
Result<InitOptions> parse_init_options(const Json& options, const char** why = nullptr);

const char* consent_name(Consent c);

// {"publicKey", "apiHost", "consent", "persistence", "debug"}: what the runtime needs to fetch the
// config, send batches, and decide what it may store and log.
Json init_options_to_json(const InitOptions& o);

// The apiHost rule alone: the normalised host URL, or invalid_api_host.
Result<std::string> normalize_api_host(std::string_view url);

}  // namespace attrkit
