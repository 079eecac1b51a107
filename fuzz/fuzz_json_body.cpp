// The server's request-body parsing (server/json_body.h). Input: the raw body text. Checks: never
// crashes or throws; whatever nlohmann parses, parse_json_body parses to the same document;
// dump_json never throws and what it prints parses again (lone surrogates come back as U+FFFD).
#include <cstdint>
#include <string>

#include "fuzz/support.h"
#include "server/json_body.h"

using namespace attrkit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = fuzz::as_text(data, size);
  std::optional<Json> body = server::parse_json_body(text);
  const Json plain = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!plain.is_discarded()) {
    fuzz::check(body.has_value(), "parse_json_body refused what nlohmann parses", text);
    fuzz::check(*body == plain, "parse_json_body read ordinary JSON differently", text);
  }
  if (!body) return 0;
  const std::string out = server::dump_json(*body);
  fuzz::check(server::parse_json_body(out).has_value(), "dump_json output does not parse", out);
  return 0;
}
