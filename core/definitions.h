// Attribute definitions and the workspace config (DESIGN §3, §7 "A definition").
// Plain values: whoever holds a Config owns it; nothing here keeps pointers into JSON documents.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "json.h"
#include "result.h"

namespace attrkit {

enum class AttrType : std::uint8_t {
  string,
  number,
  boolean,
  date,
  single_choice,
  multi_choice,
  string_array,
  // Built-in formats (DESIGN §3 "Built in"): a string that must also be an e-mail address / a
  // BCP 47 language tag. Only the built-ins `email` and `language` use them.
  email,
  language,
};

constexpr std::uint32_t kDefaultMaxLength = 700;  // code points
constexpr std::uint32_t kDefaultMaxItems = 100;

struct Definition {
  std::string key;
  AttrType type = AttrType::string;
  std::optional<double> min;                     // number only, inclusive
  std::optional<double> max;                     // number only, inclusive
  bool integer = false;                          // number only
  std::vector<std::string> options;              // single_choice, multi_choice
  bool allow_custom = false;                     // single_choice, multi_choice
  std::uint32_t max_length = kDefaultMaxLength;  // string, choice items, string_array items
  std::uint32_t max_items = kDefaultMaxItems;    // string_array
  bool archived = false;
  bool builtin = false;  // name, email, language: always defined, cannot be redeclared
};

struct Config {
  std::string workspace;
  bool client_attribute_writes = false;
  std::string definitions_version;
  // Every declared attribute by exact key, built-ins included.
  std::map<std::string, Definition> attributes;
};

// True for a key a workspace may declare: 1 to 64 of [A-Za-z0-9_], not starting with a digit,
// and not a built-in.
bool is_valid_definition_key(const std::string& key);

// Parses one definition object ({"key","type",...}). Unknown fields are ignored; a missing or
// wrong-typed field, an unknown type, min > max, or a choice type without options fails with
// Error::invalid_request.
Result<Definition> parse_definition(const Json& j);

// Serialises a definition back to its DESIGN §7 form (only the fields that apply to its type).
Json definition_to_json(const Definition& d);

// The three built-ins: name (string), email (email), language (language).
const std::vector<Definition>& builtin_definitions();

// Parses GET /api/v1/sdk/config. Fails with Error::invalid_config on anything malformed
// (including a malformed definition); built-ins are always added and cannot be overridden.
Result<Config> parse_config(const Json& j);

// The GET /api/v1/sdk/config body for a Config (built-ins are not listed; they are implicit).
Json config_to_json(const Config& c);

}  // namespace attrkit
