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
  return message != err->end() && message->is_string() ? message->get<std::string>()
                                                       : std::string();
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
ErrorObject shared_failure(Error code, const std::string& message,
                           const std::vector<Write>& writes) {
  const bool one_attribute =
      !writes.empty() && std::all_of(writes.begin(), writes.end(), [&](const Write& w) {
        return w.attribute == writes.front().attribute;
      });
  return make_error(code, message, one_attribute ? writes.front().attribute : std::string());
}

}  // namespace

std::optional<Batch> Engine::take_batch(double now, bool flush) {
  // A provisional config holds delivery until the server confirms it; a pagehide flush still
  // sends what it validated (the server judges it, and the page will not see the answer).
  if (!config_ || (provisional_ && !flush) || stopped_ != Error::ok) return std::nullopt;
  std::vector<Write> expired = outbox_.take_expired(now);
  const ErrorObject expired_error = shared_failure(
      Error::delivery_failed, "The write was not delivered within 24 hours", expired);
  fail_writes(std::move(expired), expired_error);
  std::optional<Batch> batch = outbox_.take(now, flush);
  if (batch) batch_taken_ = true;
  return batch;
}

CompleteResponse Engine::complete_batch(const Json& outcome, double now) {
  CompleteResponse out;
  Result<Outcome> parsed = parse_outcome(outcome);
  if (!parsed.ok() || !outbox_.in_flight() || parsed.value().batch_id != outbox_.in_flight_id()) {
    out.error =
        make_error(Error::invalid_request,
                   parsed.ok() ? "No batch with this id is in flight" : "Malformed outcome");
    return out;
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
  switch (kind) {
    case OutcomeClass::success:
      out.outcome = BatchOutcome::delivered;
      for (Write& w : outbox_.remove_in_flight()) {
        const WriteResult& r = *find_result(results, w.id);
        if (r.ok) {
          deliver(w, r.value, r.person_id);
          ++out.delivered;
        } else {
          const ErrorObject error = make_error(r.error, r.message, w.attribute);
          std::vector<Write> one;
          one.push_back(std::move(w));
          fail_writes(std::move(one), error);
          ++out.rejected;
        }
      }
      break;
    case OutcomeClass::retry: {
      out.outcome = BatchOutcome::retry;
      out.retry_at = now + retry_delay_ms(o, outbox_.in_flight_tries());
      std::vector<Write> exhausted = outbox_.retry_in_flight(out.retry_at);
      out.failed = exhausted.size();
      const ErrorObject error = shared_failure(Error::delivery_failed, "", exhausted);
      fail_writes(std::move(exhausted), error);
      break;
    }
    case OutcomeClass::offline:
      out.outcome = BatchOutcome::offline;
      out.retry_at = now + kOfflineRecheckMs;
      outbox_.offline_in_flight(out.retry_at);
      break;
    case OutcomeClass::reject: {
      out.outcome = BatchOutcome::rejected;
      std::vector<Write> refused = outbox_.remove_in_flight();
      const ErrorObject error = shared_failure(rejection_code(o), server_message(o), refused);
      fail_writes(std::move(refused), error);
      break;
    }
    case OutcomeClass::stop:
      out.outcome = BatchOutcome::stopped;
      out.stopped = rejection_code(o);
      stop(out.stopped, server_message(o));
      break;
  }
  return out;
}

double Engine::next_wake(double now) const {
  if (!config_ || provisional_ || stopped_ != Error::ok) return -1;
  return outbox_.next_wake(now);
}

void Engine::stop(Error code, const std::string& message) {
  stopped_ = code;
  std::vector<Write> all = outbox_.remove_all(true);
  for (Write& w : held_) all.push_back(std::move(w));
  for (Write& w : pending_) all.push_back(std::move(w));
  held_.clear();
  pending_.clear();
  fail_writes(std::move(all), make_error(code, message));
  tickets_.settle_gets_before(INT64_MAX, events_);
}

void Engine::fail_writes(std::vector<Write> writes, const ErrorObject& error,
                         std::uint64_t ticket) {
  if (writes.empty()) return;
  ErrorEvent event;
  event.error = error;
  event.ticket = ticket;
  bool one_person = !writes.front().distinct_id.empty();
  for (const Write& w : writes) {
    event.write_ids.push_back(w.id);
    event.superseded += w.superseded;
    one_person = one_person && w.distinct_id == writes.front().distinct_id;
  }
  if (one_person) event.distinct_id = writes.front().distinct_id;
  events_.push_back(std::move(event));
  for (const Write& w : writes)
    for (std::uint64_t t : w.tickets) tickets_.failed(t, error, events_);
}

void Engine::deliver(const Write& w, const Json& value, const std::string& person_id) {
  DeliveredEvent event;
  event.write_id = w.id;
  event.distinct_id = w.distinct_id;
  event.attribute = w.attribute;
  event.value = value;
  event.person_id = person_id;
  event.superseded = w.superseded;
  events_.push_back(std::move(event));
  view_.stored(w.epoch, w.seq, w.attribute, value);
  Json& known = acknowledged_.try_emplace(w.distinct_id, json_object()).first->second;
  if (value.is_null()) known.erase(w.attribute);
  else known[w.attribute] = value;
  for (std::uint64_t t : w.tickets) tickets_.stored(t, w.attribute, value, person_id, events_);
}

}  // namespace attrkit
