// The push-command parser (core/command.h) and the init options it hands on (core/init_options.h).
// Input: one JSON document (fixture macros allowed, fuzz/support.h), as the runtime would pass a
// pushed command. Checks: never crashes or throws; a parsed command serialises; a failure gives
// invalid_command with a reason; init options either parse to a normalised host that parses again
// to itself, or fail with one of their three codes.
#include <cstdint>

#include "core/command.h"
#include "core/engine_json.h"
#include "core/init_options.h"
#include "fuzz/support.h"

using namespace attrkit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Json input;
  if (!fuzz::read_json(data, size, &input)) return 0;
  (void)contains_non_json(input);

  const char* why = nullptr;
  Result<Command> parsed = parse_command(input, &why);
  if (!parsed.ok()) {
    fuzz::check(parsed.error() == Error::invalid_command, "parse_command failed with another code",
                input);
    fuzz::check(why != nullptr && *why != '\0', "parse_command failed without a reason", input);
    return 0;
  }
  const Command& c = parsed.value();
  const Json shown = command_to_json(c);
  fuzz::check(shown.is_object() && shown.contains("kind"), "command_to_json without a kind", input);
  fuzz::check(call_kind_name(call_kind(c.kind)) != nullptr && event_name(c.event) != nullptr,
              "unnamed kind", input);
  fuzz::check(c.callback_index >= -1 && c.callback_index <= 1, "callback index out of range",
              input);
  fuzz::check(c.attributes.is_object(), "attributes is not an object", input);

  if (c.kind == CommandKind::init) {
    Result<InitOptions> o = parse_init_options(c.options);
    if (o.ok()) {
      const Json back = init_options_to_json(o.value());
      Result<std::string> again = normalize_api_host(o.value().api_host);
      fuzz::check(again.ok() && again.value() == o.value().api_host,
                  "normalised apiHost is not a fixed point", back);
      Result<InitOptions> reparsed = parse_init_options(back);
      fuzz::check(reparsed.ok() && reparsed.value().public_key == o.value().public_key,
                  "init options do not round-trip", back);
    } else {
      const Error e = o.error();
      fuzz::check(e == Error::invalid_key || e == Error::secret_key_in_browser ||
                      e == Error::invalid_api_host || e == Error::invalid_command,
                  "init options failed with an unexpected code", input);
    }
  }
  return 0;
}
