// Engine: batches out, outcomes in, and what they mean for writes, tickets, the view and events.
#include <algorithm>
#include <cstdint>

#include "batch.h"
#include "engine.h"
#include "engine_errors.h"
#include "retry.h"

namespace attrkit {
namespace {

std::string server_message(const Outcome& o) {
  if (!o.body.is_object()) return std::string();
  const auto err = o.body.find("error");
  if (err == o.body.end() || !err->is_object()) return std::string();
  const auto message = err->find("message");
  return message != err->end() && message->is_string() ? message->get<std::string>() : std::string();
}

// A batch holds at most a few dozen writes: a linear search costs less code than a map.
const WriteResult* find_result(const std::vector<WriteResult>& results, const std::string& id) {
  for (const WriteResult& r : results)
    if (r.id == id) return &r;
  return nullptr;
}

// The error for writes that fail together after leaving the outbox (tries or age exhausted, a
// batch refused whole): it names the attribute when they all share one, as a per-write rejection
// does, so a single failed setAttribute says which attribute was lost.
Json shared_failure(Error code, const std::string& message, const std::vector<Write>& writes) {
  const bool one_attribute = !writes.empty() && std::all_of(writes.begin(), writes.end(), [&](const Write& w) {
    return w.attribute == writes.front().attribute;
  });
  return one_attribute ? error_object(code, message, writes.front().attribute) : error_object(code, message);
}

}  // namespace

Json Engine::take_batch(double now, bool flush) {
  if (!config_ || stopped_ != Error::ok) return nullptr;
  std::vector<Write> expired = outbox_.take_expired(now);
  const Json expired_error = shared_failure(Error::delivery_failed, "The write was not delivered within 24 hours", expired);
  fail_writes(std::move(expired), expired_error);
  std::optional<Batch> batch = outbox_.take(now, flush);
  if (!batch) return nullptr;
  batch_taken_ = true;
  Json out = json_object();
  out["batchId"] = batch->id;
  out["body"] = std::move(batch->body);
  out["writeIds"] = batch->write_ids;
  out["attempt"] = batch->attempt;
  out["bytes"] = batch->bytes;
  if (batch->remove_unspecified) out["removeUnspecified"] = true;
  return out;
}

Json Engine::complete_batch(const Json& outcome, double now) {
  Json out = json_object();
  Result<Outcome> parsed = parse_outcome(outcome);
  if (!parsed.ok() || !outbox_.in_flight() || parsed.value().batch_id != outbox_.in_flight_id()) {
    return error_result(error_object(Error::invalid_request,
                                     parsed.ok() ? "No batch with this id is in flight" : "Malformed outcome"));
  }
  const Outcome& o = parsed.value();
  OutcomeClass kind = classify_outcome(o);
  std::vector<WriteResult> results;
  if (kind == OutcomeClass::success) {
    Result<std::vector<WriteResult>> parsed_results = parse_batch_response(o.body);
    bool complete = parsed_results.ok();
    if (complete) results = std::move(parsed_results).value();
    for (const Write& w : outbox_.writes())
      if (w.in_flight && !find_result(results, w.id)) complete = false;
    // A 2xx that does not account for every write proves nothing about the missing ones; sending
    // them again is safe because the server applies each id once.
    if (!complete) kind = OutcomeClass::retry;
  }
  out["ok"] = true;
  switch (kind) {
    case OutcomeClass::success: {
      int delivered = 0;
      int rejected = 0;
      for (Write& w : outbox_.remove_in_flight()) {
        const WriteResult& r = *find_result(results, w.id);
        if (r.ok) {
          deliver(w, r.value, r.person_id);
          ++delivered;
        } else {
          const Json error = error_object(r.error, r.message, w.attribute);
          std::vector<Write> one;
          one.push_back(std::move(w));
          fail_writes(std::move(one), error);
          ++rejected;
        }
      }
      out["outcome"] = "delivered";
      out["delivered"] = delivered;
      out["rejected"] = rejected;
      break;
    }
    case OutcomeClass::retry: {
      const double at = now + retry_delay_ms(o, outbox_.in_flight_tries());
      std::vector<Write> exhausted = outbox_.retry_in_flight(at);
      out["failed"] = exhausted.size();
      const Json error = shared_failure(Error::delivery_failed, "", exhausted);
      fail_writes(std::move(exhausted), error);
      out["outcome"] = "retry";
      out["retryAt"] = at;
      break;
    }
    case OutcomeClass::offline: {
      const double at = now + kOfflineRecheckMs;
      outbox_.offline_in_flight(at);
      out["outcome"] = "offline";
      out["retryAt"] = at;
      break;
    }
    case OutcomeClass::reject: {
      std::vector<Write> refused = outbox_.remove_in_flight();
      const Json error = shared_failure(rejection_code(o), server_message(o), refused);
      fail_writes(std::move(refused), error);
      out["outcome"] = "rejected";
      break;
    }
    case OutcomeClass::stop:
      stop(rejection_code(o), server_message(o));
      out["outcome"] = "stopped";
      break;
  }
  return out;
}

double Engine::next_wake(double now) const {
  if (!config_ || stopped_ != Error::ok) return -1;
  return outbox_.next_wake(now);
}

Json Engine::take_events() {
  Json out = std::move(events_);
  events_ = json_array();
  return out;
}

void Engine::stop(Error code, const std::string& message) {
  stopped_ = code;
  std::vector<Write> all = outbox_.remove_all(true);
  for (Write& w : held_) all.push_back(std::move(w));
  for (Write& w : pending_) all.push_back(std::move(w));
  held_.clear();
  pending_.clear();
  fail_writes(std::move(all), error_object(code, message));
  settle_gets_before(INT64_MAX);
}

void Engine::fail_writes(std::vector<Write> writes, const Json& error, std::uint64_t ticket) {
  if (writes.empty()) return;
  Json event = json_object();
  event["type"] = "error";
  event["error"] = error;
  if (ticket) event["ticket"] = ticket;
  Json ids = json_array();
  std::size_t superseded = 0;
  bool one_person = !writes.front().distinct_id.empty();
  for (const Write& w : writes) {
    ids.push_back(w.id);
    superseded += w.superseded;
    one_person = one_person && w.distinct_id == writes.front().distinct_id;
  }
  event["writeIds"] = std::move(ids);
  if (superseded) event["superseded"] = superseded;
  if (one_person) event["distinctId"] = writes.front().distinct_id;
  events_.push_back(std::move(event));
  for (const Write& w : writes)
    for (std::uint64_t t : w.tickets) resolve_ticket(t, w.attribute, nullptr, std::string(), &error);
}

void Engine::deliver(const Write& w, const Json& value, const std::string& person_id) {
  Json event = json_object();
  event["type"] = "delivered";
  event["writeId"] = w.id;
  event["distinctId"] = w.distinct_id;
  event["attribute"] = w.attribute;
  event["value"] = value;
  if (!person_id.empty()) event["personId"] = person_id;
  event["superseded"] = w.superseded;
  events_.push_back(std::move(event));
  // The stored value replaces this client's view only if nothing newer was accepted since: a newer
  // write of the attribute, a removeUnspecified, a reset or a switch of user.
  if (w.epoch != 0 && w.epoch == epoch_ && w.seq >= view_floor_) {
    const auto it = view_seq_.find(w.attribute);
    if (it == view_seq_.end() || w.seq >= it->second) {
      view_[w.attribute] = value;
      view_seq_[w.attribute] = w.seq;
    }
  }
  for (std::uint64_t t : w.tickets) resolve_ticket(t, w.attribute, &value, person_id, nullptr);
}

void Engine::resolve_ticket(std::uint64_t ticket, const std::string& attribute, const Json* value,
                            const std::string& person_id, const Json* error) {
  const auto it = tickets_.find(ticket);
  if (it == tickets_.end()) return;
  Ticket& t = it->second;
  if (error) {
    if (t.error.is_null()) t.error = *error;
  } else {
    t.values[attribute] = *value;
    if (!person_id.empty()) t.person_id = person_id;
  }
  if (t.remaining > 0) --t.remaining;
  if (t.remaining > 0) return;
  Json result = json_object();
  if (!t.error.is_null()) {
    result["ok"] = false;
    result["error"] = t.error;
  } else if (t.write_api) {
    Json v = json_object();
    v["distinctId"] = t.distinct_id;
    v["personId"] = t.person_id.empty() ? Json(nullptr) : Json(t.person_id);
    v["attributes"] = t.values;
    result["ok"] = true;
    result["value"] = std::move(v);
  } else {
    result["ok"] = true;
    result["value"] = t.values;
  }
  settle(ticket, std::move(result));
}

void Engine::settle(std::uint64_t ticket, Json result) {
  Json event = json_object();
  event["type"] = "settled";
  event["ticket"] = ticket;
  event["result"] = std::move(result);
  events_.push_back(std::move(event));
  tickets_.erase(ticket);
}

}  // namespace attrkit
