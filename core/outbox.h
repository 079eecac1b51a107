// The outbox (DESIGN §5): writes that are validated and attached to a distinct id, in the order
// they became sendable, cut into batches. Owns its writes and the one batch in flight.
// Coalescing: per (distinct id, attribute) the last write wins among writes not yet in flight.
// Batching: one batch in flight at a time, strictly in order; a batch is cut when the oldest write
// waited the flush window, or when 50 writes or ~32 KB of body are waiting. A removeUnspecified
// command's writes always travel alone, as one batch. Time is passed in.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "batch.h"
#include "json.h"
#include "write.h"

namespace attrkit {

struct OutboxLimits {
  std::size_t batch_max_writes = 50;
  std::size_t batch_max_bytes = 32 * 1024;  // estimated body bytes (batch.h)
  double flush_window_ms = 1000;
};

// Appends `w` to `list`, first removing an older write of the same distinct id and attribute that
// is neither in flight nor part of a removeUnspecified command (nor is `w`). The newer write
// survives with its own id and seq and inherits the older one's tickets and superseded count (plus
// one for the older write itself) and the older one's ready_at when earlier (the flush window is
// counted from the first unsent write, DESIGN §5). Of one client's two writes the newer is the
// higher seq, also when `w` is the older (a write held before identify joining its person's writes
// made since). Used for the outbox and for writes held before the first identify. The same
// normalised value again (and no removeUnspecified command queued after the older write) updates
// the older write where it stands: it takes the newer id and seq, nothing is moved or added.
void append_coalesced(std::vector<Write>& list, Write w);

// `newer` replaces `older` (same person and attribute): it takes over the older write's tickets,
// counts it (and what it superseded) as superseded, and keeps its place in time. `older` is left
// to be removed.
void inherit(Write& newer, Write& older);

struct Batch {
  std::string id;                      // "b<n>", page-local
  Json body;                           // the POST .../batch body (batch.h)
  std::vector<std::string> write_ids;  // in body order
  bool remove_unspecified = false;
  std::size_t bytes = 0;  // estimated body size
  int attempt = 0;        // the highest try number among its writes (1 = first)
};

class Outbox {
 public:
  explicit Outbox(OutboxLimits limits = {});

  // `w` must be validated and attached; its ready_at marks the start of its flush window.
  void append(Write w);

  const std::vector<Write>& writes() const { return writes_; }
  std::size_t size() const { return writes_.size(); }
  bool in_flight() const { return !in_flight_id_.empty(); }
  const std::string& in_flight_id() const { return in_flight_id_; }
  double retry_at() const { return retry_at_; }  // 0 when not waiting for a retry
  // Restores a scheduled retry (its backoff) after remove_all() and re-appending, as the Engine
  // does when stored writes join the outbox.
  void set_retry_at(double retry_at) { retry_at_ = retry_at; }

  // Absolute time at which take() will have a batch: <= now means at once, -1 means never until
  // something changes (empty, or a batch in flight).
  double next_wake(double now) const;

  // Removes and returns the writes not in flight that were created kMaxWriteAgeMs ago or earlier.
  std::vector<Write> take_expired(double now);

  // Cuts the next batch when one is due (`flush` ignores the flush window, as on pagehide), marks
  // its writes in flight and counts the try. nullopt when nothing is due, a batch is in flight, or
  // a retry is scheduled later than `now`.
  std::optional<Batch> take(double now, bool flush);

  // Ends the batch in flight. Success or rejection: its writes leave the outbox (returned, in
  // order). Retry: they stay first in line until `retry_at`; those that reached kMaxTries leave
  // (returned). Offline: they stay, the try is given back.
  std::vector<Write> remove_in_flight();
  std::vector<Write> retry_in_flight(double retry_at);
  void offline_in_flight(double retry_at);
  int in_flight_tries() const;

  // Removes and returns every write (sending stopped for the page), or every write not in flight.
  std::vector<Write> remove_all(bool include_in_flight = true);

 private:
  // The run of writes the next batch would take from the front, and whether it is full.
  struct Run {
    std::size_t count = 0;
    std::size_t bytes = kBatchEnvelopeBytes;
    bool full = false;  // hit the count or byte limit, or is a removeUnspecified command
    double oldest = 0;
  };
  Run next_run() const;
  bool due(const Run& run, double now, bool flush) const;

  OutboxLimits limits_;
  std::vector<Write> writes_;
  std::string in_flight_id_;
  double retry_at_ = 0;
  std::uint64_t next_batch_ = 1;
};

}  // namespace attrkit
