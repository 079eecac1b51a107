#include "tickets.h"

#include <utility>

namespace attrkit {

void Tickets::wait(std::uint64_t ticket, std::size_t writes, bool until_stored, Shape shape,
                   const std::string& distinct_id) {
  Ticket& t = open_[ticket];
  t.shape = shape;
  t.until_stored = until_stored;
  t.remaining = writes;
  t.distinct_id = distinct_id;
}

void Tickets::settle_validated(std::uint64_t ticket, const Json& values, Events& events) {
  const auto it = open_.find(ticket);
  if (it != open_.end() && !it->second.until_stored)
    settle(ticket, CallResult::success(values), events);
}

void Tickets::stored(std::uint64_t ticket, const std::string& attribute, const Json& value,
                     const std::string& person_id, Events& events) {
  const auto it = open_.find(ticket);
  if (it == open_.end()) return;
  Ticket& t = it->second;
  t.values[attribute] = value;
  if (!person_id.empty()) t.person_id = person_id;
  resolved(ticket, t, events);
}

void Tickets::failed(std::uint64_t ticket, const ErrorObject& error, Events& events) {
  const auto it = open_.find(ticket);
  if (it == open_.end()) return;
  if (!it->second.error) it->second.error = error;
  resolved(ticket, it->second, events);
}

void Tickets::resolved(std::uint64_t ticket, Ticket& t, Events& events) {
  if (t.remaining > 0) --t.remaining;
  if (t.remaining > 0) return;
  if (t.error) return settle(ticket, CallResult::failure(*t.error), events);
  if (t.shape == Shape::values) return settle(ticket, CallResult::success(t.values), events);
  Json v = json_object();
  v["distinctId"] = t.distinct_id;
  v["personId"] = t.person_id.empty() ? Json(nullptr) : Json(t.person_id);
  if (t.shape == Shape::write_api) {
    v["attributes"] = t.values;
  } else {
    const auto& [attribute, value] = *members(t.values).begin();
    v["attribute"] = attribute;
    v["value"] = value;
  }
  settle(ticket, CallResult::success(std::move(v)), events);
}

void Tickets::settle(std::uint64_t ticket, CallResult result, Events& events) {
  events.push_back(SettledEvent{ticket, std::move(result)});
  open_.erase(ticket);
}

void Tickets::wait_get(std::uint64_t ticket, std::int64_t after_seq, View view) {
  gets_.push_back(PendingGet{ticket, after_seq, std::move(view)});
}

void Tickets::settle_gets_before(std::int64_t seq, Events& events) {
  std::vector<PendingGet> later;
  for (PendingGet& g : gets_) {
    if (g.after_seq <= seq)
      events.push_back(SettledEvent{g.ticket, CallResult::success(g.view.values())});
    else later.push_back(std::move(g));
  }
  gets_ = std::move(later);
}

}  // namespace attrkit
