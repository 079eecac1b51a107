// Engine: persistence (snapshot, restore, merging a snapshot into a running page) and inspection.
#include <algorithm>

#include "engine.h"
#include "engine_errors.h"

namespace attrkit {

SnapshotData Engine::to_snapshot() const {
  SnapshotData s;
  s.workspace = workspace_;
  s.client_id = client_id_;
  s.next_seq = next_seq_;
  s.epoch = epoch_;
  s.identity = identity_;
  s.view = view_;
  s.view_floor = view_floor_;
  // Outbox first (in flight included: a reload resends them under the same ids), then held, then
  // pending-config: the order they were made in, per person and attribute.
  s.writes = outbox_.writes();
  s.writes.insert(s.writes.end(), held_.begin(), held_.end());
  s.writes.insert(s.writes.end(), pending_.begin(), pending_.end());
  return s;
}

Json Engine::snapshot() const {
  if (workspace_.empty()) return nullptr;
  return snapshot_to_json(to_snapshot());
}

Result<Engine> Engine::restore(const Json& snapshot, std::string_view workspace, EngineLimits limits) {
  Result<SnapshotData> s = snapshot_from_json(snapshot, workspace);
  if (!s.ok()) return s.error();
  Engine engine(s.value().client_id, limits);
  engine.workspace_ = std::string(workspace);
  engine.merge(std::move(s).value(), 0);
  return engine;
}

Json Engine::load_snapshot(const Json& snapshot, std::string_view workspace, double now) {
  Json out = Json::object();
  Result<SnapshotData> s = snapshot_from_json(snapshot, workspace);
  Error error = s.ok() ? Error::ok : s.error();
  if (error == Error::ok && !workspace_.empty() && workspace_ != workspace) error = Error::snapshot_foreign;
  if (error == Error::ok && batch_taken_) {
    // Renumbering this page's writes is only safe while none of them was sent.
    out["ok"] = false;
    out["error"] = error_object(Error::invalid_request, "Load the snapshot before the first batch");
    return out;
  }
  if (error != Error::ok) {
    out["ok"] = false;
    out["error"] = error_object(error);
    return out;
  }
  workspace_ = std::string(workspace);
  out["ok"] = true;
  out["restored"] = s.value().writes.size();
  merge(std::move(s).value(), now);
  return out;
}

void Engine::merge(SnapshotData s, double now) {
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
      w->id = w->client_id + "-" + std::to_string(w->seq);
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
      for (const auto& item : g.view.items()) merged[item.key()] = item.value();
      g.view = std::move(merged);
    }
    identity_ = s.identity;
    if (view_floor_ == 0) {
      Json merged = s.view;
      for (const auto& item : view_.items()) merged[item.key()] = item.value();
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
  Json j = Json::object();
  j["clientId"] = client_id_;
  if (!workspace_.empty()) j["workspace"] = workspace_;
  j["configured"] = config_.has_value();
  if (!identity_.empty()) j["identity"] = identity_;
  if (stopped_ != Error::ok) j["stopped"] = error_name(stopped_);
  j["nextSeq"] = next_seq_;
  j["view"] = view_;
  const auto list = [&](const std::vector<Write>& writes) {
    Json out = Json::array();
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
