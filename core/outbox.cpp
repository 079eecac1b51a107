#include "outbox.h"

#include <algorithm>
#include <iterator>

#include "number_text.h"
#include "retry.h"

namespace attrkit {

namespace {
// Whether a removeUnspecified write follows `it`: a write queued before such a command must not
// stand for one made after it (the command would clear it).
bool remove_unspecified_after(const std::vector<Write>& list,
                              std::vector<Write>::const_iterator it) {
  return std::any_of(it + 1, list.end(), [](const Write& w) { return w.remove_unspecified; });
}
}  // namespace

void inherit(Write& newer, Write& older) {
  std::vector<std::uint64_t> tickets = std::move(older.tickets);
  tickets.insert(tickets.end(), newer.tickets.begin(), newer.tickets.end());
  newer.tickets = std::move(tickets);
  newer.superseded += older.superseded + 1;
  // The survivor keeps the older write's place in time: the flush window counts from the
  // oldest unsent write, so a steady trickle of one attribute still leaves within it.
  newer.ready_at = std::min(newer.ready_at, older.ready_at);
}

void append_coalesced(std::vector<Write>& list, Write w) {
  if (!w.remove_unspecified) {
    // The newest unsent write of the person and attribute is the one a new write joins. There is
    // usually one at most, but a batch that comes back for a retry puts its write beside a newer
    // one made while it was in flight: joining the older would send the two out of seq order.
    const auto newest = std::find_if(list.rbegin(), list.rend(), [&](const Write& q) {
      return !q.in_flight && !q.remove_unspecified && q.attribute == w.attribute &&
             q.distinct_id == w.distinct_id;
    });
    if (newest != list.rend()) {
      const auto it = std::prev(newest.base());
      // The newer write of one client survives, whichever comes last: a write held before
      // identify joins its person's writes made since, which are newer.
      if (it->client_id == w.client_id && it->seq > w.seq) std::swap(*it, w);
      inherit(w, *it);
      if (it->clear == w.clear && it->value == w.value && !remove_unspecified_after(list, it)) {
        // The same value again: the newer write (its id and seq: last write wins against other
        // tabs) takes the older one's place; nothing moves, the wire carries one write.
        *it = std::move(w);
        return;
      }
      list.erase(it);
    }
  }
  list.push_back(std::move(w));
}

Outbox::Outbox(OutboxLimits limits) : limits_(limits) {}

void Outbox::append(Write w) { append_coalesced(writes_, std::move(w)); }

Outbox::Run Outbox::next_run() const {
  Run run;
  if (writes_.empty()) return run;
  const Write& front = writes_.front();
  run.oldest = front.ready_at;
  if (front.remove_unspecified) {
    // A removeUnspecified command goes alone and whole, whatever its size: splitting it would
    // clear the attributes of its own second half.
    for (const Write& w : writes_) {
      if (!w.remove_unspecified || w.unit != front.unit) break;
      ++run.count;
      run.bytes += w.bytes;
    }
    run.full = true;
    return run;
  }
  for (const Write& w : writes_) {
    if (w.remove_unspecified) break;  // later writes wait behind it, in order
    if (run.count == limits_.batch_max_writes) {
      run.full = true;
      break;
    }
    if (run.count > 0 && run.bytes + w.bytes > limits_.batch_max_bytes) {
      run.full = true;
      break;
    }
    ++run.count;
    run.bytes += w.bytes;
    run.oldest = std::min(run.oldest, w.ready_at);
  }
  if (run.count == limits_.batch_max_writes || run.bytes >= limits_.batch_max_bytes)
    run.full = true;
  return run;
}

bool Outbox::due(const Run& run, double now, bool flush) const {
  if (run.count == 0) return false;
  // A retried batch goes as soon as its delay is over; the window only groups fresh writes.
  return flush || run.full || writes_.front().tries > 0 ||
         now - run.oldest >= limits_.flush_window_ms;
}

double Outbox::next_wake(double now) const {
  if (in_flight() || writes_.empty()) return -1;
  if (retry_at_ > now) return retry_at_;
  const Run run = next_run();
  if (due(run, now, false)) return now;
  return run.oldest + limits_.flush_window_ms;
}

std::vector<Write> Outbox::take_expired(double now) {
  std::vector<Write> expired;
  std::vector<Write> kept;
  for (Write& w : writes_) {
    if (!w.in_flight && now - w.created >= kMaxWriteAgeMs) expired.push_back(std::move(w));
    else kept.push_back(std::move(w));
  }
  writes_ = std::move(kept);
  return expired;
}

std::optional<Batch> Outbox::take(double now, bool flush) {
  if (in_flight() || now < retry_at_) return std::nullopt;
  const Run run = next_run();
  if (!due(run, now, flush)) return std::nullopt;
  Batch batch;
  batch.id = "b" + integer_text(next_batch_++);
  batch.remove_unspecified = writes_.front().remove_unspecified;
  batch.bytes = run.bytes;
  std::vector<const Write*> sent;
  for (std::size_t k = 0; k < run.count; ++k) {
    Write& w = writes_[k];
    w.in_flight = true;
    ++w.tries;
    batch.attempt = std::max(batch.attempt, w.tries);
    batch.write_ids.push_back(w.id);
    sent.push_back(&w);
  }
  batch.body = build_batch_body(sent, batch.remove_unspecified);
  in_flight_id_ = batch.id;
  retry_at_ = 0;
  return batch;
}

std::vector<Write> Outbox::remove_in_flight() {
  std::vector<Write> done;
  std::vector<Write> kept;
  for (Write& w : writes_) {
    if (w.in_flight) {
      w.in_flight = false;
      done.push_back(std::move(w));
    } else {
      kept.push_back(std::move(w));
    }
  }
  writes_ = std::move(kept);
  in_flight_id_.clear();
  return done;
}

std::vector<Write> Outbox::retry_in_flight(double retry_at) {
  std::vector<Write> exhausted;
  std::vector<Write> kept;
  for (Write& w : writes_) {
    const bool was_in_flight = w.in_flight;
    w.in_flight = false;
    if (was_in_flight && w.tries >= kMaxTries) exhausted.push_back(std::move(w));
    else kept.push_back(std::move(w));
  }
  writes_ = std::move(kept);
  in_flight_id_.clear();
  retry_at_ = retry_at;
  return exhausted;
}

void Outbox::offline_in_flight(double retry_at) {
  for (Write& w : writes_) {
    if (!w.in_flight) continue;
    w.in_flight = false;
    if (w.tries > 0) --w.tries;
  }
  in_flight_id_.clear();
  retry_at_ = retry_at;
}

int Outbox::in_flight_tries() const {
  int tries = 0;
  for (const Write& w : writes_)
    if (w.in_flight) tries = std::max(tries, w.tries);
  return tries;
}

std::vector<Write> Outbox::remove_all(bool include_in_flight) {
  std::vector<Write> removed;
  std::vector<Write> kept;
  for (Write& w : writes_) {
    if (w.in_flight && !include_in_flight) {
      kept.push_back(std::move(w));
    } else {
      w.in_flight = false;
      removed.push_back(std::move(w));
    }
  }
  writes_ = std::move(kept);
  if (include_in_flight) in_flight_id_.clear();
  retry_at_ = 0;
  return removed;
}

}  // namespace attrkit
