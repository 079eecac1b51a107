// POST /api/v1/attributes/values/batch (DESIGN §7), its wire format defined once for both ends:
// the SDK builds the request body from writes (build_batch_body) and reads the response; the
// server reads each entry with read_batch_entry. Sizes are estimated without serialising (no JSON
// text in the Wasm build).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "error.h"
#include "json.h"
#include "result.h"
#include "write.h"

namespace attrkit {

// {"writes": [entry...], "removeUnspecified"?: true}, an entry being
//   {"id", "distinctId", "attribute", "value", "clientId", "seq"}        a write, or
//   {"id", "distinctId", "attribute", "clear": true, "clientId", "seq"}  a clear (no "value").
// The server answers a clear like a write, with "value": null.
Json build_batch_body(const std::vector<const Write*>& writes, bool remove_unspecified);

// Ids and client ids on the wire: strings of 1 to 200 bytes.
constexpr std::size_t kMaxWireIdBytes = 200;
bool is_wire_id(const Json* j);

// One entry of a batch body as the server reads it. Points into the body it was read from.
struct BatchEntry {
  const Json* distinct_id = nullptr;  // as sent: validate_distinct_id judges it
  const std::string* attribute = nullptr;
  const Json* value = nullptr;  // null for a clear
  bool clear = false;
  const std::string* client_id = nullptr;  // null: sent without clientId and seq
  std::int64_t seq = 0;
};
// The entry's shape (its "id" is the envelope's to check): clientId and seq together, clientId a
// wire id, seq a whole number from 0 to 2^53, attribute a string, then a value, or "clear": true
// and no value. invalid_request with `*message` saying which, in that order.
Error read_batch_entry(const Json& entry, BatchEntry* out, std::string* message);

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
  std::string person_id;    // ok only, may be empty
  Json value;               // ok only: the value as stored
  Error error = Error::ok;  // !ok: the server's code (unknown names -> server_error)
  std::string message;      // !ok: the server's message, when given
};

// {"results": [{id, ok: true, personId, attribute, value} | {id, ok: false, error: {code,...}}]}.
// invalid_request when the body is not of that shape (an entry without a string id, a non-boolean
// ok, an error without a string code).
Result<std::vector<WriteResult>> parse_batch_response(const Json& body);

}  // namespace attrkit
