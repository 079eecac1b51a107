// Engine: reading stored state back. A new engine from a snapshot (restore), the stored state
// of the page this one replaces merged in (load_snapshot), the writes of tabs that are gone
// taken over (adopt). docs/engine.md "The snapshot".
#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "engine.h"
#include "engine_errors.h"
#include "number_text.h"

namespace attrkit {
namespace {

// One command of one writer (units are unique per writer).
using CommandKey = std::tuple<std::string, std::string, std::int64_t>;
CommandKey command_of(const Write& w) { return {w.client_id, w.instance, w.unit}; }

}  // namespace

Result<Engine> Engine::restore(const Json& snapshot, std::string_view workspace,
                               EngineLimits limits) {
  Result<SnapshotData> s = snapshot_from_json(snapshot, workspace);
  if (!s.ok()) return s.error();
  Engine engine(s.value().client_id, limits);
  engine.workspace_ = std::string(workspace);
  engine.merge(std::move(s).value(), 0);
  return engine;
}

// A stored state this engine may take: well-formed, and of the workspace it already serves.
Result<SnapshotData> Engine::read_stored(const Json& snapshot, std::string_view workspace) const {
  Result<SnapshotData> s = snapshot_from_json(snapshot, workspace);
  if (s.ok() && !workspace_.empty() && workspace_ != workspace) return Error::snapshot_foreign;
  return s;
}

StoredResponse Engine::load_snapshot(const Json& snapshot, std::string_view workspace, double now) {
  StoredResponse out;
  Result<SnapshotData> s = read_stored(snapshot, workspace);
  if (s.ok() && (batch_taken_ || loaded_)) {
    // Renumbering this page's writes is only safe while none of them was sent, and only for
    // writes this page made: a second stored state is adopted (adopt()), never merged.
    out.error = make_error(Error::invalid_request,
                           batch_taken_ ? "Load the snapshot before the first batch"
                                        : "Stored state was already loaded: adopt the rest");
    return out;
  }
  if (!s.ok()) {
    out.error = make_error(s.error());
    return out;
  }
  workspace_ = std::string(workspace);
  SnapshotData data = std::move(s).value();
  drop_stale(data.writes, now);
  out.writes = data.writes.size();
  merge(std::move(data), now);
  return out;
}

StoredResponse Engine::adopt(const Json& snapshot, std::string_view workspace, double now) {
  StoredResponse out;
  Result<SnapshotData> s = read_stored(snapshot, workspace);
  Error error = s.ok() ? Error::ok : s.error();
  // A stopped page can send nothing: the writes stay stored for a page that can.
  if (error == Error::ok && stopped_ != Error::ok) error = stopped_;
  if (error != Error::ok) {
    out.error = make_error(error);
    return out;
  }
  workspace_ = std::string(workspace);
  SnapshotData data = std::move(s).value();
  // New writes rank above the adopted ones on the server (same install, same seq rule).
  next_seq_ = std::max(next_seq_, data.next_seq);
  drop_stale(data.writes, now);

  std::set<std::string> ids;
  std::set<CommandKey> commands;  // every command held here
  std::set<std::int64_t> units;   // every unit held here, whoever's
  const std::vector<Write>* lists[] = {&pending_, &held_, &outbox_.writes()};
  for (const auto* list : lists)
    for (const Write& w : *list) {
      ids.insert(w.id);
      commands.insert(command_of(w));
      units.insert(w.unit);
    }
  // Another tab of the install numbers its commands from the same clock, so one of its units may
  // equal one of ours; units only keep a command's writes together, so a repeated one moves to a
  // free value below it (still <= every seq of the command, still below every future unit).
  std::map<CommandKey, std::int64_t> renamed;  // command as stored -> the unit it gets here
  std::vector<Write> incoming;
  for (Write& w : data.writes) {
    if (ids.count(w.id)) continue;  // adopted before, or this engine's own copy: sent once anyway
    const CommandKey command = command_of(w);
    auto it = renamed.find(command);
    if (it == renamed.end()) {
      std::int64_t unit = w.unit;
      if (!commands.count(command))  // part of a command already here keeps its unit
        while (unit > 1 && units.count(unit)) --unit;
      it = renamed.emplace(command, unit).first;
      units.insert(unit);
      commands.insert(CommandKey{w.client_id, w.instance, unit});
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
  out.writes = incoming.size();
  if (config_ && !config_->client_attribute_writes) {
    // As configure() does for queued writes: they would only be refused.
    fail_writes(std::move(incoming), make_error(Error::client_attribute_writes_disabled));
    return out;
  }

  double retry_at = 0;
  std::vector<Write> outbox = take_outbox(&retry_at);
  // Appending coalesces the older value away, so an adopted write must not displace a newer one
  // of the same client (same install): the newer one carries it as superseded instead.
  const auto place = [&](std::vector<Write>& list, Write w) {
    for (Write& e : list) {
      if (e.in_flight || e.remove_unspecified || w.remove_unspecified ||
          e.attribute != w.attribute || e.distinct_id != w.distinct_id ||
          e.client_id != w.client_id || e.seq < w.seq)
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
    std::set<std::int64_t> old_seqs;
    for (const Write* w : mine) old_seqs.insert(w->seq);
    next_seq_ = std::max(next_seq_, s.next_seq);
    const std::int64_t first = next_seq_;
    next_seq_ += static_cast<std::int64_t>(mine.size());
    // The new seq of the first write at or after `old` (or the next free one): keeps every
    // "before/after this write" relation of gets and the view.
    const auto map_seq = [&](std::int64_t old) {
      const auto it = old_seqs.lower_bound(old);
      return it == old_seqs.end() ? next_seq_ : first + std::distance(old_seqs.begin(), it);
    };
    for (Write* w : mine) {
      const bool unit_kept = old_seqs.count(w->unit) > 0;
      w->seq = map_seq(w->seq);
      w->unit = unit_kept ? map_seq(w->unit) : w->seq;
      w->id = write_id(client_id_, instance_, w->seq);
    }
    for (Tickets::PendingGet& g : tickets_.gets()) g.after_seq = map_seq(g.after_seq);
    view_.renumber(map_seq);
  }
  next_seq_ = std::max(next_seq_, s.next_seq);

  if (!identity_touched_) {
    // Nothing on this page said who the user is: the persisted identity and view carry on, and
    // this page's writes so far belong to them. (Untouched means the view is still in its first
    // epoch.)
    const std::uint32_t page_epoch = view_.epoch();
    for (Write* w : mine)
      if (w->epoch == page_epoch) w->epoch = s.epoch;
    for (Tickets::PendingGet& g : tickets_.gets())
      if (g.view.epoch() == page_epoch) g.view.carry_on(s.epoch, s.view, s.view_floor);
    view_.carry_on(s.epoch, s.view, s.view_floor);
    identity_ = s.identity;
    for (const Write& w : s.writes)
      if (w.epoch == view_.epoch() && w.validated) view_.note_write(w.attribute, w.seq);
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

}  // namespace attrkit
