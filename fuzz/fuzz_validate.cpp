// Value validation (core/validate.h). Input: {"definition": <definition object, or the name of a
// built-in: "name" | "email" | "language">, "value": v}; seeded from tests/fixtures/values.
// Checks: never crashes or throws; a failure has one of the two value codes; a normalised value
// is a fixed point (normalising it again gives it back: the server re-validates what the SDK
// sends); numbers follow attrkit's rule (integral and |x| <= 2^53 -> a JSON integer);
// validate_write agrees with normalize_value; validate_distinct_id never crashes.
#include <cmath>
#include <cstdint>

#include "core/definitions.h"
#include "core/validate.h"
#include "fuzz/support.h"

using namespace attrkit;

namespace {

bool find_definition(const Json& spec, Definition* out) {
  if (spec.is_string()) {
    for (const Definition& b : builtin_definitions())
      if (b.key == spec.get<std::string>()) return *out = b, true;
    return false;
  }
  Result<Definition> d = parse_definition(spec);
  if (!d.ok()) return false;
  *out = std::move(d).value();
  return true;
}

void check_numbers(const Json& v, const Json& input) {
  if (v.is_number_float()) {
    const double x = v.get<double>();
    fuzz::check(std::isfinite(x), "a non-finite number was accepted", input);
    fuzz::check(!(x == std::trunc(x) && std::fabs(x) <= 9007199254740992.0),
                "an integral double not made an integer", input);
  }
  if (v.is_array())
    for (const Json& item : v) check_numbers(item, input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Json input;
  if (!fuzz::read_json(data, size, &input)) return 0;
  if (!input.is_object()) return 0;
  const Json value = input.contains("value") ? input["value"] : Json();
  (void)validate_distinct_id(value);
  Definition def;
  if (!input.contains("definition") || !find_definition(input["definition"], &def)) return 0;

  Result<Json> r = normalize_value(def, value);
  if (!r.ok()) {
    fuzz::check(
        r.error() == Error::attribute_value_invalid || r.error() == Error::attribute_value_too_long,
        "normalize_value failed with another code", input);
  } else {
    check_numbers(r.value(), input);
    Result<Json> again = normalize_value(def, r.value());
    fuzz::check(again.ok(), "a normalised value does not validate again", input);
    fuzz::check(fuzz::dump(again.value()) == fuzz::dump(r.value()),
                "a normalised value is not a fixed point", input);
  }

  Config config;
  config.workspace = "fuzz";
  config.client_attribute_writes = true;
  config.attributes[def.key] = def;
  Result<Json> w = validate_write(config, def.key, value);
  fuzz::check(def.archived ? (!w.ok() && w.error() == Error::attribute_archived)
                           : (w.ok() == r.ok() &&
                              (w.ok() ? w.value() == r.value() : w.error() == r.error())),
              "validate_write disagrees with normalize_value", input);
  return 0;
}
