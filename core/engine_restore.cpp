// Engine: persistence (snapshot and its bounds, restore, merging stored state into a running
// page, adopting another tab's state), the page-hide flush, and inspection.
#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "batch.h"
#include "engine.h"
#include "engine_errors.h"
#include "number_text.h"

namespace attrkit {
namespace {

// "<clientId>-<instance>" of "<clientId>-<instance>-<seq>": which running engine made the write.
// Units (a command's first seq) are only unique per writer.
std::string writer_of(const Write& w) { return w.id.substr(0, w.id.rfind('-')); }

// One command of one writer, as a key. Keys and sets below are all std::map<std::string,
// std::int64_t>, the map the Engine already instantiates: other map types cost Wasm bytes.
std::string command_key(const std::string& writer, std::int64_t unit) { return writer + "@" + integer_text(unit); }
using Keys = std::map<std::string, std::int64_t>;

}  // namespace

Json Engine::snapshot() const {
  if (workspace_.empty()) return nullptr;
  SnapshotData s;
  s.workspace = workspace_;
  s.client_id = client_id_;
  s.next_seq = next_seq_;
  s.epoch = epoch_;
  s.identity = identity_;
  s.view = view_;
  s.view_floor = view_floor_;
  // Outbox first (in flight included: a reload resends them under the same ids), then held, then
  // pending-config: the order they were made in, per person and attribute. Listed in place, not
  // copied: this runs on every save.
  return snapshot_to_json(s, {&outbox_.writes(), &held_, &pending_});
}

Result<Engine> Engine::restore(const Json& snapshot, std::string_view workspace, EngineLimits limits) {
  Result<SnapshotData> s = snapshot_from_json(snapshot, workspace);
  if (!s.ok()) return s.error();
  Engine engine(s.value().client_id, limits);
  engine.workspace_ = std::string(workspace);
  engine.merge(std::move(s).value(), 0);
  return engine;
}

Json Engine::save(double now) {
  if (workspace_.empty()) return nullptr;
  drop_stale(pending_, now);
  drop_stale(held_, now);
  // Outbox writes are failed after 24 h (retry.h) when a batch is cut; a stored copy of one could
  // only ever be failed, so it is failed now rather than kept.
  fail_writes(outbox_.take_expired(now),
              error_object(Error::delivery_failed, "The write was not delivered within 24 hours"));
  enforce_size_cap();
  return snapshot();
}

void Engine::drop_stale(std::vector<Write>& writes, double now) {
  std::vector<Write> stale;
  std::vector<Write> kept;
  for (Write& w : writes) (now - w.created >= kMaxStoredAgeMs ? stale : kept).push_back(std::move(w));
  writes = std::move(kept);
  fail_writes(std::move(stale), error_object(Error::delivery_failed, "The write was kept 7 days without being delivered"));
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
    std::size_t n = estimate_snapshot_base_bytes(identity_, view_);
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
  // Oldest first. Insertion sort, as in merge(): each list is nearly in order already, and it
  // costs far less code than std::stable_sort.
  const auto older = [](const Write* a, const Write* b) {
    return a->created != b->created ? a->created < b->created : a->seq < b->seq;
  };
  for (std::size_t i = 1; i < candidates.size(); ++i)
    for (std::size_t j = i; j > 0 && older(candidates[j], candidates[j - 1]); --j) std::swap(candidates[j - 1], candidates[j]);
  Keys command_bytes;
  for (const Write* w : candidates)
    command_bytes[command_key(writer_of(*w), w->unit)] += static_cast<std::int64_t>(estimate_snapshot_write_bytes(*w));
  Keys doomed;
  for (const Write* w : candidates) {
    if (size <= kMaxSnapshotBytes) break;
    const std::string command = command_key(writer_of(*w), w->unit);
    if (doomed.emplace(command, 1).second)
      size -= std::min(size, static_cast<std::size_t>(command_bytes[command]));
  }
  std::vector<Write> dropped;
  const auto split = [&](std::vector<Write>& list) {
    std::vector<Write> kept;
    for (Write& w : list) {
      const bool drop = !w.in_flight && doomed.count(command_key(writer_of(w), w.unit));
      (drop ? dropped : kept).push_back(std::move(w));
    }
    list = std::move(kept);
  };
  outbox = take_outbox(&retry_at);
  split(outbox);
  refill_outbox(std::move(outbox), retry_at);
  split(held_);
  split(pending_);
  fail_writes(std::move(dropped),
              error_object(Error::queue_full, "Stored state over 256 KB: the oldest writes were dropped"));
}

Json Engine::take_flush(double now) {
  if (outbox_.in_flight() || front_batch_bytes() > kKeepaliveMaxBytes) return nullptr;
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

// A stored state this engine may take: well-formed, and of the workspace it already serves.
Result<SnapshotData> Engine::read_stored(const Json& snapshot, std::string_view workspace) const {
  Result<SnapshotData> s = snapshot_from_json(snapshot, workspace);
  if (s.ok() && !workspace_.empty() && workspace_ != workspace) return Error::snapshot_foreign;
  return s;
}

Json Engine::load_snapshot(const Json& snapshot, std::string_view workspace, double now) {
  Json out = json_object();
  Result<SnapshotData> s = read_stored(snapshot, workspace);
  Error error = s.ok() ? Error::ok : s.error();
  if (error == Error::ok && (batch_taken_ || loaded_)) {
    // Renumbering this page's writes is only safe while none of them was sent, and only for
    // writes this page made: a second stored state is adopted (adopt()), never merged.
    return error_result(error_object(Error::invalid_request, batch_taken_ ? "Load the snapshot before the first batch"
                                                                           : "Stored state was already loaded: adopt the rest"));
  }
  if (error != Error::ok) return error_result(error_object(error));
  workspace_ = std::string(workspace);
  SnapshotData data = std::move(s).value();
  drop_stale(data.writes, now);
  out["ok"] = true;
  out["restored"] = data.writes.size();
  merge(std::move(data), now);
  return out;
}

Json Engine::adopt(const Json& snapshot, std::string_view workspace, double now) {
  Json out = json_object();
  Result<SnapshotData> s = read_stored(snapshot, workspace);
  Error error = s.ok() ? Error::ok : s.error();
  // A stopped page can send nothing: the writes stay stored for a page that can.
  if (error == Error::ok && stopped_ != Error::ok) error = stopped_;
  if (error != Error::ok) return error_result(error_object(error));
  workspace_ = std::string(workspace);
  SnapshotData data = std::move(s).value();
  // New writes rank above the adopted ones on the server (same install, same seq rule).
  next_seq_ = std::max(next_seq_, data.next_seq);
  drop_stale(data.writes, now);

  Keys ids;
  Keys commands;  // command_key of every command held here
  Keys units;     // every unit held here (as text), whoever's
  const std::vector<Write>* lists[] = {&pending_, &held_, &outbox_.writes()};
  for (const auto* list : lists)
    for (const Write& w : *list) {
      ids.emplace(w.id, 0);
      commands.emplace(command_key(writer_of(w), w.unit), 0);
      units.emplace(integer_text(w.unit), 0);
    }
  // Another tab of the install numbers its commands from the same clock, so one of its units may
  // equal one of ours; units only keep a command's writes together, so a repeated one moves to a
  // free value below it (still <= every seq of the command, still below every future unit).
  Keys renamed;  // command_key as stored -> the unit it gets here
  std::vector<Write> incoming;
  for (Write& w : data.writes) {
    if (ids.count(w.id)) continue;  // adopted before, or this engine's own copy: sent once anyway
    const std::string writer = writer_of(w);
    const std::string command = command_key(writer, w.unit);
    auto it = renamed.find(command);
    if (it == renamed.end()) {
      std::int64_t unit = w.unit;
      if (!commands.count(command))  // part of a command already here keeps its unit
        while (unit > 1 && units.count(integer_text(unit))) --unit;
      it = renamed.emplace(command, unit).first;
      units.emplace(integer_text(unit), 0);
      commands.emplace(command_key(writer, unit), 0);
    }
    w.unit = it->second;
    w.epoch = 0;  // another tab's identity history: never part of this page's view
    w.ready_at = w.created;
    if (w.distinct_id.empty() && !identity_.empty()) {
      // Held writes go to the identity this page has (or, below, gets next), as on a reload.
      w.distinct_id = identity_;
      w.ready_at = now;
    }
    incoming.push_back(std::move(w));
  }
  out["ok"] = true;
  out["adopted"] = incoming.size();
  if (config_ && !config_->client_attribute_writes) {
    // As configure() does for queued writes: they would only be refused.
    fail_writes(std::move(incoming), error_object(Error::client_attribute_writes_disabled));
    return out;
  }

  double retry_at = 0;
  std::vector<Write> outbox = take_outbox(&retry_at);
  // Appending coalesces the older value away, so an adopted write must not displace a newer one
  // of the same client (same install): the newer one carries it as superseded instead.
  const auto place = [&](std::vector<Write>& list, Write w) {
    for (Write& e : list) {
      if (e.in_flight || e.remove_unspecified || w.remove_unspecified || e.attribute != w.attribute ||
          e.distinct_id != w.distinct_id || e.client_id != w.client_id || e.seq < w.seq)
        continue;
      e.superseded += w.superseded + 1;  // as append_coalesced
      return;
    }
    if (&list == &held_) append_coalesced(held_, std::move(w));
    else list.push_back(std::move(w));
  };
  for (Write& w : incoming) {
    std::vector<Write>& list = !w.validated ? pending_ : w.distinct_id.empty() ? held_ : outbox;
    if (&list == &pending_) pending_.push_back(std::move(w));
    else place(list, std::move(w));
  }
  refill_outbox(std::move(outbox), retry_at);
  process_pending(now);
  return out;
}

void Engine::merge(SnapshotData s, double now) {
  loaded_ = true;
  std::vector<Write> page_outbox = outbox_.remove_all(true);  // none in flight: no batch taken yet
  std::vector<Write> page_held = std::move(held_);
  std::vector<Write> page_pending = std::move(pending_);
  held_.clear();
  pending_.clear();

  // This page's writes were numbered before the persisted counter was known. If any could collide
  // with (or rank below) a restored write of the same client, renumber them after it, in order.
  std::vector<Write*> mine;
  for (auto* list : {&page_outbox, &page_held, &page_pending})
    for (Write& w : *list) mine.push_back(&w);
  const bool collide = std::any_of(mine.begin(), mine.end(), [&](const Write* w) {
    return w->client_id == s.client_id && w->seq < s.next_seq;
  });
  if (collide) {
    // Insertion sort: a page rarely has more than a few writes before its storage is read, and it
    // costs far less code than std::sort.
    for (std::size_t i = 1; i < mine.size(); ++i)
      for (std::size_t j = i; j > 0 && mine[j - 1]->seq > mine[j]->seq; --j) std::swap(mine[j - 1], mine[j]);
    std::vector<std::int64_t> old_seqs;
    for (const Write* w : mine) old_seqs.push_back(w->seq);
    next_seq_ = std::max(next_seq_, s.next_seq);
    const std::int64_t first = next_seq_;
    next_seq_ += static_cast<std::int64_t>(mine.size());
    // The new seq of the first write at or after `old` (or the next free one): keeps every
    // "before/after this write" relation of gets and the view.
    const auto map_seq = [&](std::int64_t old) {
      const auto it = std::lower_bound(old_seqs.begin(), old_seqs.end(), old);
      return it == old_seqs.end() ? next_seq_ : first + (it - old_seqs.begin());
    };
    for (Write* w : mine) {
      const bool unit_kept = std::binary_search(old_seqs.begin(), old_seqs.end(), w->unit);
      w->seq = map_seq(w->seq);
      w->unit = unit_kept ? map_seq(w->unit) : w->seq;
      w->id = write_id(w->seq);
    }
    for (PendingGet& g : pending_gets_) g.after_seq = map_seq(g.after_seq);
    for (auto& entry : view_seq_) entry.second = map_seq(entry.second);
    if (view_floor_ > 0) view_floor_ = map_seq(view_floor_);
  }
  next_seq_ = std::max(next_seq_, s.next_seq);

  if (!identity_touched_) {
    // Nothing on this page said who the user is: the persisted identity and view carry on, and
    // this page's writes so far belong to them. (Untouched means epoch_ is still the first one.)
    const std::uint32_t page_epoch = epoch_;
    epoch_ = s.epoch;
    for (Write* w : mine)
      if (w->epoch == page_epoch) w->epoch = epoch_;
    for (PendingGet& g : pending_gets_) {
      if (g.epoch != page_epoch) continue;
      g.epoch = epoch_;
      Json merged = s.view;
      for (const auto& [key, value] : members(g.view)) merged[key] = value;
      g.view = std::move(merged);
    }
    identity_ = s.identity;
    if (view_floor_ == 0) {
      Json merged = s.view;
      for (const auto& [key, value] : members(view_)) merged[key] = value;
      view_ = std::move(merged);
      view_floor_ = s.view_floor;
    }
    for (const Write& w : s.writes) {
      if (w.epoch != epoch_ || !w.validated) continue;
      auto it = view_seq_.find(w.attribute);
      if (it == view_seq_.end()) view_seq_[w.attribute] = w.seq;
      else it->second = std::max(it->second, w.seq);
    }
  } else {
    for (Write& w : s.writes) w.epoch = 0;  // made under an identity this page already replaced
  }

  // Rebuild the lists oldest first: restored writes, then this page's.
  for (Write& w : s.writes) {
    w.ready_at = w.created;  // it has waited since it was made
    if (w.distinct_id.empty() && !identity_.empty()) w.distinct_id = identity_;
    if (!w.validated) pending_.push_back(std::move(w));
    else if (w.distinct_id.empty()) append_coalesced(held_, std::move(w));
    else outbox_.append(std::move(w));
  }
  for (Write& w : page_outbox) outbox_.append(std::move(w));
  for (Write& w : page_held) {
    if (identity_.empty()) {
      append_coalesced(held_, std::move(w));
    } else {
      w.distinct_id = identity_;
      w.ready_at = now;
      outbox_.append(std::move(w));
    }
  }
  for (Write& w : page_pending) {
    if (w.distinct_id.empty()) w.distinct_id = identity_;
    pending_.push_back(std::move(w));
  }
  process_pending(now);
}

Json Engine::inspect() const {
  Json j = json_object();
  j["clientId"] = client_id_;
  if (!workspace_.empty()) j["workspace"] = workspace_;
  j["configured"] = config_.has_value();
  if (!identity_.empty()) j["identity"] = identity_;
  if (stopped_ != Error::ok) j["stopped"] = error_name(stopped_);
  j["nextSeq"] = next_seq_;
  j["view"] = view_;
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
  j["openTickets"] = tickets_.size() + pending_gets_.size();
  return j;
}

}  // namespace attrkit
