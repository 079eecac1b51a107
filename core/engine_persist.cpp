// Engine: what is stored (the snapshot and its bounds), the page-hide flush, and inspection.
// Reading stored state back (restore, load, adopt) is engine_restore.cpp.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "batch.h"
#include "engine.h"
#include "engine_errors.h"

namespace attrkit {
namespace {

// One command of one writer (units are unique per writer).
using CommandKey = std::tuple<std::string, std::string, std::int64_t>;
CommandKey command_of(const Write& w) { return {w.client_id, w.instance, w.unit}; }

}  // namespace

Json Engine::snapshot() const {
  if (workspace_.empty()) return nullptr;
  SnapshotData s;
  s.workspace = workspace_;
  s.client_id = client_id_;
  s.next_seq = next_seq_;
  s.identity = identity_;
  s.epoch = view_.epoch();
  s.view = view_.values();
  s.view_floor = view_.floor();
  // Outbox first (in flight included: a reload resends them under the same ids), then held, then
  // pending-config: the order they were made in, per person and attribute. Listed in place, not
  // copied: this runs on every save.
  return snapshot_to_json(s, {&outbox_.writes(), &held_, &pending_});
}

Json Engine::save(double now) {
  if (workspace_.empty()) return nullptr;
  drop_stale(pending_, now);
  drop_stale(held_, now);
  // Outbox writes are failed after 24 h (retry.h) when a batch is cut; a stored copy of one could
  // only ever be failed, so it is failed now rather than kept.
  fail_writes(outbox_.take_expired(now),
              make_error(Error::delivery_failed, "The write was not delivered within 24 hours"));
  enforce_size_cap();
  return snapshot();
}

void Engine::drop_stale(std::vector<Write>& writes, double now) {
  std::vector<Write> stale;
  std::vector<Write> kept;
  for (Write& w : writes)
    (now - w.created >= kMaxStoredAgeMs ? stale : kept).push_back(std::move(w));
  writes = std::move(kept);
  fail_writes(std::move(stale), make_error(Error::delivery_failed,
                                           "The write was kept 7 days without being delivered"));
}

std::vector<Write> Engine::take_outbox(double* retry_at) {
  *retry_at = outbox_.retry_at();
  return outbox_.remove_all(false);
}

void Engine::refill_outbox(std::vector<Write> writes, double retry_at) {
  // append() coalesces: an older value of a person and attribute gives way to a newer one.
  for (Write& w : writes) outbox_.append(std::move(w));
  // remove_all() forgot a scheduled retry; a batch in flight decides the next one itself.
  if (retry_at > 0 && !outbox_.in_flight()) outbox_.set_retry_at(retry_at);
}

void Engine::enforce_size_cap() {
  const auto total = [&] {
    std::size_t n = estimate_snapshot_base_bytes(identity_, view_.values());
    for (const Write& w : outbox_.writes()) n += estimate_snapshot_write_bytes(w);
    for (const Write& w : held_) n += estimate_snapshot_write_bytes(w);
    for (const Write& w : pending_) n += estimate_snapshot_write_bytes(w);
    return n;
  };
  std::size_t size = total();
  if (size <= kMaxSnapshotBytes) return;

  // 1. Collapse older values of one person and attribute (a write made while the older one was
  //    in flight, then retried; adopted writes): re-appending in order keeps only the newest.
  double retry_at = 0;
  std::vector<Write> outbox = take_outbox(&retry_at);
  refill_outbox(std::move(outbox), retry_at);
  std::vector<Write> held = std::move(held_);
  held_.clear();
  for (Write& w : held) append_coalesced(held_, std::move(w));
  size = total();
  if (size <= kMaxSnapshotBytes) return;

  // 2. Drop whole commands, oldest first (a removeUnspecified command or a pending all-or-nothing
  //    one must not lose part of itself). In-flight writes stay: their outcome is on its way.
  std::vector<const Write*> candidates;
  const std::vector<Write>* lists[] = {&outbox_.writes(), &held_, &pending_};
  for (const auto* list : lists)
    for (const Write& w : *list)
      if (!w.in_flight) candidates.push_back(&w);
  // Oldest first (made at the same time: by seq, then id, so the order is total).
  std::sort(candidates.begin(), candidates.end(), [](const Write* a, const Write* b) {
    return std::tie(a->created, a->seq, a->id) < std::tie(b->created, b->seq, b->id);
  });
  std::map<CommandKey, std::size_t> command_bytes;
  for (const Write* w : candidates)
    command_bytes[command_of(*w)] += estimate_snapshot_write_bytes(*w);
  std::set<CommandKey> doomed;
  for (const Write* w : candidates) {
    if (size <= kMaxSnapshotBytes) break;
    const CommandKey command = command_of(*w);
    if (doomed.insert(command).second) size -= std::min(size, command_bytes[command]);
  }
  std::vector<Write> dropped;
  const auto split = [&](std::vector<Write>& list) {
    std::vector<Write> kept;
    for (Write& w : list) {
      const bool drop = !w.in_flight && doomed.count(command_of(w)) > 0;
      (drop ? dropped : kept).push_back(std::move(w));
    }
    list = std::move(kept);
  };
  outbox = take_outbox(&retry_at);
  split(outbox);
  refill_outbox(std::move(outbox), retry_at);
  split(held_);
  split(pending_);
  fail_writes(
      std::move(dropped),
      make_error(Error::queue_full, "Stored state over 256 KB: the oldest writes were dropped"));
}

std::optional<Batch> Engine::take_flush(double now) {
  if (outbox_.in_flight() || front_batch_bytes() > kKeepaliveMaxBytes) return std::nullopt;
  return take_batch(now, true);
}

std::size_t Engine::front_batch_bytes() const {
  // The run Outbox::take cuts (outbox.h): a removeUnspecified command whole, else up to
  // batch_max_writes writes and batch_max_bytes, a single larger write alone.
  const std::vector<Write>& writes = outbox_.writes();
  std::size_t bytes = kBatchEnvelopeBytes;
  std::size_t count = 0;
  for (const Write& w : writes) {
    const Write& front = writes.front();
    if (front.remove_unspecified) {
      if (!w.remove_unspecified || w.unit != front.unit) break;
    } else if (w.remove_unspecified || count == limits_.outbox.batch_max_writes ||
               (count > 0 && bytes + w.bytes > limits_.outbox.batch_max_bytes)) {
      break;
    }
    bytes += w.bytes;
    ++count;
  }
  return bytes;
}

Json Engine::inspect() const {
  Json j = json_object();
  j["clientId"] = client_id_;
  if (!workspace_.empty()) j["workspace"] = workspace_;
  j["configured"] = config_.has_value();
  if (provisional_) j["provisional"] = true;
  if (!identity_.empty()) j["identity"] = identity_;
  if (stopped_ != Error::ok) j["stopped"] = error_name(stopped_);
  j["nextSeq"] = next_seq_;
  j["view"] = view_.values();
  const auto list = [&](const std::vector<Write>& writes) {
    Json out = json_array();
    for (const Write& w : writes) {
      Json item = write_to_json(w, client_id_);
      item["inFlight"] = w.in_flight;
      out.push_back(std::move(item));
    }
    return out;
  };
  j["pending"] = list(pending_);
  j["held"] = list(held_);
  j["outbox"] = list(outbox_.writes());
  if (outbox_.in_flight()) j["inFlight"] = outbox_.in_flight_id();
  if (outbox_.retry_at() > 0) j["retryAt"] = outbox_.retry_at();
  j["openTickets"] = tickets_.size();
  return j;
}

}  // namespace attrkit
