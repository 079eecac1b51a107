// The client side of POST /api/v1/attributes/values/batch (DESIGN §7): building the request body
// from writes, estimating its size without serialising it (no JSON text in the Wasm build), and
// reading the response.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "error.h"
#include "json.h"
#include "result.h"
#include "write.h"

namespace attrkit {

// {"writes": [{id, distinctId, attribute, value, clientId, seq}...], "removeUnspecified"?: true}
Json build_batch_body(const std::vector<const Write*>& writes, bool remove_unspecified);

// An upper bound of the bytes `v` takes in JSON.stringify's output (UTF-8): escapes and non-ASCII
// are counted at their longest, numbers at 24 characters.
std::size_t estimate_json_bytes(const Json& v);

// Upper bound of one write's entry in a batch body, separators included.
std::size_t estimate_write_bytes(const Write& w);

// Bytes of the body around its writes ({"writes":[]} and ,"removeUnspecified":true).
constexpr std::size_t kBatchEnvelopeBytes = 40;

struct WriteResult {
  std::string id;
  bool ok = false;
  std::string person_id;  // ok only, may be empty
  Json value;             // ok only: the value as stored
  Error error = Error::ok;  // !ok: the server's code (unknown names -> server_error)
  std::string message;      // !ok: the server's message, when given
};

// {"results": [{id, ok: true, personId, attribute, value} | {id, ok: false, error: {code,...}}]}.
// invalid_request when the body is not of that shape (an entry without a string id, a non-boolean
// ok, an error without a string code).
Result<std::vector<WriteResult>> parse_batch_response(const Json& body);

}  // namespace attrkit
