// Request bodies in, response bodies out.
// JSON.stringify in a browser writes a lone surrogate as an escape ("\ud800"), which nlohmann's
// parser refuses outright; that would turn a value the core answers attribute_value_invalid (or
// distinct_id_invalid) into a whole-request invalid_request. parse_json_body keeps such strings
// and hands them to the core as WTF-8 (core/unicode.h), so the core, not the parser, decides.
#pragma once
#include <optional>
#include <string>

#include "core/json.h"

namespace attrkit::server {

// The parsed body, or nullopt when the text is not one JSON value.
std::optional<Json> parse_json_body(const std::string& text);

// Serialises without throwing: invalid UTF-8 (a WTF-8 lone surrogate echoed back in an id, say)
// becomes U+FFFD instead of an exception.
std::string dump_json(const Json& j);

}  // namespace attrkit::server
