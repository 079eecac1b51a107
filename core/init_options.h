// The options of ["do", "init", [options]] (DESIGN §2a, §6): the publishable key and the API host.
// Only these two fields of the given object are read; other fields are ignored, and no setting is
// ever taken from anywhere else (URL, DOM, inherited properties: the Json object has none).
#pragma once
#include <string>
#include <string_view>

#include "json.h"
#include "result.h"

namespace attrkit {

struct InitOptions {
  std::string public_key;
  std::string api_host;  // normalised: lower-case scheme and host, no trailing '/'
};

// secret_key_in_browser for any "sk_" key (checked first: such a key must never be used, even a
// malformed one); invalid_key for a missing, non-string or malformed publishable key;
// invalid_api_host unless apiHost is https://host[:port][/path] (http only for localhost,
// 127.0.0.0/8 and [::1]); invalid_command when `options` is not an object.
Result<InitOptions> parse_init_options(const Json& options);

// {"publicKey", "apiHost"}: what the runtime needs to fetch the config and send batches.
Json init_options_to_json(const InitOptions& o);

// The apiHost rule alone: the normalised host URL, or invalid_api_host.
Result<std::string> normalize_api_host(std::string_view url);

}  // namespace attrkit
