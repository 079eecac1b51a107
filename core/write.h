// One attribute write as the Engine and the Outbox hold it, from the moment a set command accepts
// it until the server stores it (or it is rejected). Plain value type; the list that holds a Write
// owns it. Persisted field by field by snapshot.h.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "json.h"
#include "number_text.h"

namespace attrkit {

struct Write {
  std::string id;        // write_id(): the idempotency key, stable across retries and reloads
  std::int64_t seq = 0;  // this client's write counter (DESIGN §4, §7)
  std::string client_id;
  // The running engine (tab) that made it, "" for none; with client_id it names the writer, and
  // units are unique per writer.
  std::string instance;
  // The command this write came from, as the seq of its first write (unique per client, so it
  // survives reloads). A command is validated all-or-nothing by unit.
  std::int64_t unit = 0;
  // The distinct id the write is attached to; empty while held (made before any identify).
  std::string distinct_id;
  std::string attribute;
  Json value;                       // raw until validated, then normalised
  bool validated = false;           // false only before the workspace config is known
  bool remove_unspecified = false;  // sent as its own batch with removeUnspecified: true
  // A clear (DESIGN §2b clearAttribute): removes the stored value; `value` stays null. Ordered,
  // coalesced, retried and persisted like any write of the same person and attribute.
  bool clear = false;
  double created = 0;      // ms since epoch, when the command was made (24 h limit)
  double ready_at = 0;     // ms, when it became sendable (flush window); not persisted
  int tries = 0;           // requests made that carried it
  bool in_flight = false;  // part of the batch currently awaiting its outcome; not persisted
  // The identity epoch it was made in: results update "get user:attributes" only while the epoch
  // is unchanged (no reset, no switch of user). 0 = never part of the view.
  std::uint32_t epoch = 0;
  std::size_t bytes = 0;  // estimated size in a batch body (batch.h), once validated
  // Tickets of pending commands that settle with this write's outcome: its own command's, plus
  // those of older writes it replaced (coalescing). Page-local, not persisted.
  std::vector<std::uint64_t> tickets;
  // How many older writes this one replaced (coalescing); reported with its outcome. A count, not
  // their ids: a burst of one attribute must cost the same few bytes whatever its length.
  std::size_t superseded = 0;
};

// "<clientId>-<instance>-<seq>", or "<clientId>-<seq>" without an instance.
inline std::string write_id(const std::string& client_id, const std::string& instance,
                            std::int64_t seq) {
  return client_id + "-" + (instance.empty() ? std::string() : instance + "-") + integer_text(seq);
}

}  // namespace attrkit
