// The text of validation failures (DESIGN §2b: "team_size: 0 is below the minimum 1"). The core
// writes every message, so the browser (Wasm), the native tests and the server send the same
// sentence; docs/validation.md lists them all. Internal to core/ except not_json_message, which
// the engine uses before definitions are known.
//
// A message is "<where>: <why>", where is the attribute key (`bio`), an item of it (`tags[2]`) or
// `distinctId`; only an undeclared key is quoted inside the sentence (`"plan " is not a declared
// attribute`), as it is the caller's text. Input is echoed short: text is cut to kShownCodePoints
// code points and "…" marks the cut, malformed text (a lone surrogate) is never echoed, containers
// are named, not printed.
#pragma once
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"
#include "json.h"

namespace attrkit {

constexpr std::size_t kShownCodePoints = 40;

// The parts joined. Messages are built with it rather than chains of operator+, whose temporaries
// cost code at every call site in the Wasm.
std::string cat(std::initializer_list<std::string_view> parts);

// `s` cut to kShownCodePoints code points plus "…" when longer; a malformed sequence (lone
// surrogate) becomes U+FFFD, so a message is always valid UTF-8 (the server dumps it as JSON),
// and a control character is written \u00XX, so a message is always one line.
std::string shown_text(std::string_view s);

// A value as a message shows it: a string quoted ("Gold", shown_text), a number as JS writes it
// (NaN, Infinity included), true / false / null, "an array", "an object", "a function or other
// non-JSON value".
std::string shown_value(const Json& v);

// "812 characters, the maximum is 700"
std::string too_long_text(std::size_t count, std::uint32_t max);

// "Free, Pro, Enterprise": at most 5 options (each shown_text), then "and 7 more".
std::string options_text(const std::vector<std::string>& options);

// The validators' helpers. `why` is the end of a message, what follows the key: ": <detail>", or
// "[2]: <detail>" for an item. Each returns the error it stands for, so a validator can
// `return invalid(why, ...)`.

// *why = ": " + the detail's parts; attribute_value_invalid.
Error invalid(std::string* why, std::initializer_list<std::string_view> detail);
// *why = ": expected <what>, got <shown_value(value)>"; attribute_value_invalid.
Error expected(const char* what, const Json& value, std::string* why);
// *why = "[k]" + item_why, the message of item k of an array; returns e.
Error at_item(std::size_t k, const std::string& item_why, Error e, std::string* why);

// "<key>: expected JSON data, got a function or other non-JSON value": the engine refuses such a
// value before it has the definitions to validate it against.
std::string not_json_message(std::string_view key);

}  // namespace attrkit
