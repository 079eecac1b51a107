// The workspace config and definition parser (core/definitions.h). Input: one JSON document:
// a config (GET /api/v1/sdk/config body) or a single definition. Checks: never crashes or throws;
// what parses serialises back to a document that parses to the same thing (config_to_json and
// definition_to_json are what the server sends, so the SDK must read them back unchanged).
#include <cstdint>

#include "core/definitions.h"
#include "fuzz/support.h"

using namespace attrkit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Json input;
  if (!fuzz::read_json(data, size, &input)) return 0;

  Result<Config> config = parse_config(input);
  if (config.ok()) {
    const Json sent = config_to_json(config.value());
    Result<Config> again = parse_config(sent);
    fuzz::check(again.ok(), "config_to_json output does not parse", sent);
    fuzz::check(fuzz::dump(config_to_json(again.value())) == fuzz::dump(sent),
                "config does not round-trip", sent);
    fuzz::check(again.value().attributes.size() == config.value().attributes.size(),
                "config lost attributes", sent);
    for (const Definition& b : builtin_definitions())
      fuzz::check(config.value().attributes.count(b.key) == 1 &&
                      config.value().attributes.at(b.key).builtin,
                  "a built-in is missing or overridden", input);
  } else {
    fuzz::check(config.error() == Error::invalid_config, "parse_config failed with another code",
                input);
  }

  Result<Definition> def = parse_definition(input);
  if (def.ok()) {
    const Json sent = definition_to_json(def.value());
    Result<Definition> again = parse_definition(sent);
    fuzz::check(again.ok(), "definition_to_json output does not parse", sent);
    fuzz::check(fuzz::dump(definition_to_json(again.value())) == fuzz::dump(sent),
                "definition does not round-trip", sent);
    fuzz::check(is_valid_definition_key(def.value().key) || def.value().builtin,
                "parsed an invalid key", input);
  } else {
    fuzz::check(def.error() == Error::invalid_request, "parse_definition failed with another code",
                input);
  }
  return 0;
}
