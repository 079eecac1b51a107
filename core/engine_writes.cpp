// Engine: writes in. Validation (all-or-nothing per command), the bounds of what waits, the
// config and the writes kept raw until it is known (docs/engine.md "Before the config is known").
#include <cstdint>
#include <iterator>

#include "batch.h"
#include "collapse.h"
#include "engine.h"
#include "engine_errors.h"
#include "number_text.h"
#include "validate.h"
#include "value_messages.h"

namespace attrkit {
namespace {

std::uint64_t first_ticket(const Write& w) { return w.tickets.empty() ? 0 : w.tickets.front(); }

// A write kept raw until the config came: its normalised value (a clear's is null), or its error.
Result<Json> validate_raw(const Config& config, const Write& w, std::string* why) {
  if (!w.clear) return validate_write(config, w.attribute, w.value, why);
  const Error e = validate_clear(config, w.attribute, true, why);
  if (e != Error::ok) return e;
  return Json(nullptr);
}

}  // namespace

// The request's shape, or the error it fails with.
std::optional<ErrorObject> Engine::read_write_request(const Json& request, SetRequest* req) const {
  if (!request.is_object())
    return make_error(Error::invalid_command, "write expects {distinctId, attributes}");
  const auto id = request.find("distinctId");
  std::string why;
  if (id == request.end() || validate_distinct_id(*id, &why) != Error::ok)
    return make_error(Error::distinct_id_invalid, why);
  const auto attributes = request.find("attributes");
  if (attributes == request.end() || !attributes->is_object() || attributes->empty())
    return make_error(Error::invalid_command, "write expects a non-empty attributes object");
  req->attributes = &*attributes;
  req->write_api = true;
  req->refetch_boosted = true;
  req->distinct_id = id->get_ref<const std::string&>();
  const auto remove = request.find("removeUnspecified");
  if (remove != request.end() && !remove->is_null()) {
    if (!remove->is_boolean())
      return make_error(Error::invalid_command, "removeUnspecified must be a boolean");
    req->remove_unspecified = remove->get<bool>();
  }
  return std::nullopt;
}

Response Engine::write(const Json& request, double now) {
  return answered(run_write(request, now), now);
}

Response Engine::run_write(const Json& request, double now) {
  Response response;
  response.ticket = tickets_.issue();
  response.kind = CallKind::write;
  SetRequest req;
  if (std::optional<ErrorObject> error = read_write_request(request, &req))
    fail(response, std::move(*error));
  else do_set(response, req, now);
  return response;
}

void Engine::enqueue_ready(Write w, double now) {
  w.ready_at = now;
  if (w.distinct_id.empty()) append_coalesced(held_, std::move(w));
  else outbox_.append(std::move(w));
}

std::optional<ErrorObject> Engine::writes_refused() const {
  if (stopped_ != Error::ok) return make_error(stopped_);
  if (consent_denied_) return make_error(Error::consent_denied);
  if (config_ && !provisional_ && !config_->client_attribute_writes)
    return make_error(Error::client_attribute_writes_disabled);
  return std::nullopt;
}

bool Engine::validating() const {
  return config_ && pending_.empty() && !(provisional_ && !config_->client_attribute_writes);
}

bool Engine::room_for(std::size_t writes, bool waiting) const {
  return !(waiting && pending_.size() + held_.size() + writes > limits_.max_held) &&
         queued() + writes <= limits_.max_queued;
}

std::int64_t Engine::collapse_barrier() {
  // Writes made before the newest waiting get stay as they are: the get must still see them.
  return tickets_.gets().empty() ? 0 : tickets_.gets().back().after_seq - 1;
}

bool Engine::collapse_for(const SetRequest& req, const std::string& attribute, bool raw) {
  // Before any cap applies, repeated writes of one attribute collapse to the last
  // (core/collapse.h): first the writes kept raw, then whether the new one can take an older one's
  // place.
  const std::int64_t barrier = collapse_barrier();
  if (raw) collapse_raw(pending_, barrier);
  if (room_for(req.attributes->size(), true)) return true;
  return req.attributes->size() == 1 && !req.remove_unspecified &&
         collapses_into(raw ? pending_ : held_, raw, req.distinct_id, attribute,
                        req.write_api ? 0 : view_.epoch(), barrier) &&
         room_for(0, true);
}

Response Engine::clear(const Json& request, double now) {
  return answered(run_clear(request, now), now);
}

Response Engine::run_clear(const Json& request, double now) {
  Response response;
  response.ticket = tickets_.issue();
  response.kind = CallKind::clear;
  if (!request.is_object()) {
    fail(response, make_error(Error::invalid_command, "clear expects {distinctId, attribute}"));
    return response;
  }
  const auto id = request.find("distinctId");
  std::string why;
  if (id == request.end() || validate_distinct_id(*id, &why) != Error::ok) {
    fail(response, make_error(Error::distinct_id_invalid, why));
    return response;
  }
  // A non-string attribute is looked up as "" (attribute_not_defined), as write() does.
  const auto attribute = request.find("attribute");
  const std::string key =
      attribute != request.end() && attribute->is_string() ? attribute->get<std::string>() : "";
  const std::string& distinct_id = id->get_ref<const std::string&>();
  std::optional<ErrorObject> refused = writes_refused();
  bool validated = validating();
  if (!refused && validated) {
    // A provisional config's refusal is not final: the write waits raw for the server's copy.
    if (Error e = validate_clear(*config_, key, true, &why); e != Error::ok) {
      if (provisional_) validated = false;
      else refused = make_error(e, why, key);
    }
  }
  if (!refused && !room_for(1, !validated)) refused = make_error(Error::queue_full);
  if (refused) {
    fail(response, std::move(*refused));
    return response;
  }
  tickets_.wait(response.ticket, 1, true, Tickets::Shape::clear, distinct_id);
  Write w;
  w.seq = take_seq(now);
  w.unit = w.seq;
  w.id = write_id(client_id_, instance_, w.seq);
  w.client_id = client_id_;
  w.instance = instance_;
  w.distinct_id = distinct_id;
  w.attribute = key;
  w.clear = true;
  w.validated = validated;
  w.created = now;
  // The current user's view drops the value at once, as a set shows its value at once.
  w.epoch = distinct_id == identity_ ? view_.epoch() : 0;
  if (w.validated) w.bytes = estimate_write_bytes(w);
  w.tickets.push_back(response.ticket);
  response.effect = Effect::write;
  if (!validated) {
    pending_.push_back(std::move(w));
    return response;
  }
  Json cleared = json_object();
  cleared[key] = nullptr;
  view_.accept(w.epoch, cleared, {w.seq}, false, w.unit);
  enqueue_ready(std::move(w), now);
  return response;
}

void Engine::do_set(Response& response, const SetRequest& req, double now) {
  if (std::optional<ErrorObject> refused = writes_refused())
    return fail(response, std::move(*refused));
  const Json& attributes = *req.attributes;
  if (attributes.empty()) {
    // The batch API names the person through its writes; "clear everything" has no write to carry
    // it.
    if (req.remove_unspecified)
      return fail(response, make_error(Error::invalid_command,
                                       "removeUnspecified needs at least one attribute"));
    response.result = CallResult::success(json_object());
    return;
  }
  bool validated = validating();
  Json normalised = json_object();
  for (const auto& [key, value] : members(attributes)) {
    if (contains_non_json(value))
      return fail(response, make_error(Error::attribute_value_invalid, not_json_message(key), key));
    if (!validated) continue;
    std::string why;
    Result<Json> v = validate_write(*config_, key, value, &why);
    // A provisional config's refusal is not final: the command waits raw for the server's copy.
    if (!v.ok() && provisional_) validated = false;
    else if (!v.ok()) return fail(response, make_error(v.error(), why, key));
    else normalised[key] = std::move(v).value();
  }
  const std::size_t n = attributes.size();
  const bool waiting = !validated || req.distinct_id.empty();
  if (!room_for(n, waiting) &&
      !(waiting && collapse_for(req, attributes.begin().key(), !validated))) {
    return fail(response, make_error(Error::queue_full));
  }

  const bool deferred = !validated || req.refetch_boosted || req.write_api;
  if (deferred)
    tickets_.wait(response.ticket, n, req.refetch_boosted || req.write_api,
                  req.write_api ? Tickets::Shape::write_api : Tickets::Shape::values,
                  req.distinct_id);
  std::vector<Write> writes;
  std::vector<std::int64_t> seqs;
  for (const auto& [key, value] : members(attributes)) {
    Write w;
    w.seq = take_seq(now);
    w.unit = writes.empty() ? w.seq : writes.front().unit;
    w.id = write_id(client_id_, instance_, w.seq);
    w.client_id = client_id_;
    w.instance = instance_;
    w.distinct_id = req.distinct_id;
    w.attribute = key;
    w.validated = validated;
    w.value = validated ? normalised[key] : value;
    w.remove_unspecified = req.remove_unspecified;
    w.created = now;
    w.epoch = req.write_api ? 0 : view_.epoch();
    if (w.validated) w.bytes = estimate_write_bytes(w);
    if (deferred) w.tickets.push_back(response.ticket);
    seqs.push_back(w.seq);
    writes.push_back(std::move(w));
  }
  response.effect = Effect::write;
  if (!validated) {
    for (Write& w : writes) pending_.push_back(std::move(w));
    // At the bound, the new write took the place of an older one of its attribute (collapse_for).
    if (!room_for(0, true)) collapse_raw(pending_, collapse_barrier());
    return;
  }
  view_.accept(writes.front().epoch, normalised, seqs, req.remove_unspecified, writes.front().unit);
  for (Write& w : writes) enqueue_ready(std::move(w), now);
  if (!deferred) response.result = CallResult::success(std::move(normalised));
}

ConfigureResponse Engine::configure(const Json& config, double now, bool provisional) {
  ConfigureResponse out;
  Result<Config> parsed = parse_config(config);
  if (!parsed.ok()) {
    out.error = make_error(parsed.error());
    // A cached copy that no longer parses is not the page's error: the server's answer decides.
    if (provisional) return out;
    ErrorEvent event;
    event.error = *out.error;
    events_.push_back(std::move(event));
    return out;
  }
  const bool changed =
      config_ && config_->definitions_version != parsed.value().definitions_version;
  config_ = std::move(parsed).value();
  provisional_ = provisional;
  workspace_ = config_->workspace;
  if (changed && !provisional && config_->client_attribute_writes) revalidate_queued();
  process_pending(now);
  if (!config_->client_attribute_writes && !provisional) {
    // "Every set fails locally": writes accepted earlier (restored, or validated under an older
    // config) fail the same way instead of costing a request that is bound to be refused.
    std::vector<Write> refused = std::move(held_);
    held_.clear();
    for (Write& w : outbox_.remove_all(false)) refused.push_back(std::move(w));
    fail_writes(std::move(refused), make_error(Error::client_attribute_writes_disabled));
  }
  out.workspace = config_->workspace;
  out.client_attribute_writes = config_->client_attribute_writes;
  out.definitions_version = config_->definitions_version;
  return out;
}

void Engine::process_pending(double now) {
  if (!config_) return;
  std::vector<Write> raw = std::move(pending_);
  pending_.clear();
  std::size_t i = 0;
  while (i < raw.size()) {
    std::size_t end = i;
    while (end < raw.size() && raw[end].unit == raw[i].unit) ++end;
    tickets_.settle_gets_before(raw[i].seq, events_);

    Error error =
        config_->client_attribute_writes ? Error::ok : Error::client_attribute_writes_disabled;
    std::string bad_attribute, why;
    Json values = json_object();
    std::vector<std::int64_t> seqs;
    for (std::size_t k = i; k < end && error == Error::ok; ++k) {
      Result<Json> v = validate_raw(*config_, raw[k], &why);
      if (!v.ok()) {
        error = v.error();
        bad_attribute = raw[k].attribute;
      } else {
        values[raw[k].attribute] = v.value();
        seqs.push_back(raw[k].seq);
      }
    }
    if (error != Error::ok && provisional_) {
      // A provisional config's refusal is not final: this unit and every later one stay raw.
      pending_.assign(std::make_move_iterator(raw.begin() + i), std::make_move_iterator(raw.end()));
      break;
    }
    if (error != Error::ok) {
      const std::uint64_t ticket = first_ticket(raw[i]);
      std::vector<Write> unit(std::make_move_iterator(raw.begin() + i),
                              std::make_move_iterator(raw.begin() + end));
      fail_writes(std::move(unit), make_error(error, why, bad_attribute), ticket);
      i = end;
      continue;
    }
    const Write& first = raw[i];
    view_.accept(first.epoch, values, seqs, first.remove_unspecified, first.unit);
    for (Tickets::PendingGet& g : tickets_.gets())
      g.view.accept(first.epoch, values, seqs, first.remove_unspecified, first.unit);
    for (std::uint64_t t : first.tickets) tickets_.settle_validated(t, values, events_);
    for (std::size_t k = i; k < end; ++k) {
      Write w = std::move(raw[k]);
      w.value = values[w.attribute];
      w.validated = true;
      w.bytes = estimate_write_bytes(w);
      // A ticket settled above no longer waits for this write's delivery.
      std::vector<std::uint64_t> waiting;
      for (std::uint64_t t : w.tickets)
        if (tickets_.open(t)) waiting.push_back(t);
      w.tickets = std::move(waiting);
      enqueue_ready(std::move(w), now);
    }
    i = end;
  }
  tickets_.settle_gets_before(pending_.empty() ? INT64_MAX : pending_.front().seq, events_);
}

}  // namespace attrkit
