// Engine: commands, identity, the view, and validation of writes (pending-config included).
// Delivery lives in engine_delivery.cpp, persistence in engine_restore.cpp.
#include "engine.h"

#include <cmath>
#include <cstdint>
#include <iterator>
#include <type_traits>

#include "batch.h"
#include "collapse.h"
#include "command.h"
#include "engine_errors.h"
#include "retry.h"
#include "validate.h"
#include "value_messages.h"

namespace attrkit {
namespace {

std::uint64_t first_ticket(const Write& w) { return w.tickets.empty() ? 0 : w.tickets.front(); }

Json ok_result(Json value) {
  Json r = json_object();
  r["ok"] = true;
  r["value"] = std::move(value);
  return r;
}

}  // namespace

EngineLimits engine_limits(const Json& j) {
  EngineLimits l;
  if (!j.is_object()) return l;
  const auto read = [&](const char* name, auto* field) {
    const auto it = j.find(name);
    if (it == j.end() || !it->is_number()) return;
    const double v = it->get<double>();
    if (v > 0 && v < 1e15) *field = static_cast<std::remove_pointer_t<decltype(field)>>(v);
  };
  read("maxHeld", &l.max_held);
  read("maxQueued", &l.max_queued);
  read("batchMaxWrites", &l.outbox.batch_max_writes);
  read("batchMaxBytes", &l.outbox.batch_max_bytes);
  read("flushWindowMs", &l.outbox.flush_window_ms);
  return l;
}

std::string engine_instance(const Json& j) {
  const Json* s = j.is_object() && j.contains("instance") ? &j["instance"] : nullptr;
  return s && s->is_string() ? s->get<std::string>() : std::string();
}

Json engine_constants() {
  Json j = json_object();
  j["requestTimeoutMs"] = kRequestTimeoutMs;
  j["offlineRecheckMs"] = kOfflineRecheckMs;
  j["maxTries"] = kMaxTries;
  j["maxWriteAgeMs"] = kMaxWriteAgeMs;
  j["snapshotVersion"] = kSnapshotVersion;
  j["maxStoredAgeMs"] = kMaxStoredAgeMs;
  j["maxSnapshotBytes"] = kMaxSnapshotBytes;
  j["keepaliveMaxBytes"] = kKeepaliveMaxBytes;
  return j;
}

Engine::Engine() : Engine(std::string()) {}

Engine::Engine(std::string client_id, EngineLimits limits, std::string instance)
    : client_id_(std::move(client_id)),
      id_prefix_(client_id_ + "-" + (instance.empty() ? std::string() : instance + "-")),
      limits_(limits),
      outbox_(limits.outbox) {}

Json Engine::respond(std::uint64_t ticket, const char* kind, const char* effect) const {
  Json r = json_object();
  r["ticket"] = ticket;
  if (kind) r["kind"] = kind;
  r["effect"] = effect;
  return r;
}

Json Engine::fail(Json response, Error e, const std::string& message, const std::string& attribute) {
  const Json error = error_object(e, message, attribute);
  Json event = json_object();
  event["type"] = "error";
  event["error"] = error;
  event["ticket"] = response["ticket"];
  events_.push_back(std::move(event));
  response["effect"] = "none";
  response["result"] = error_result(error);
  return response;
}

std::int64_t Engine::take_seq(double now) {
  // Never below the clock: should the persisted counter be lost (storage cleared or full) while
  // the client id survives, new writes still get higher seqs than old ones, so the server neither
  // dedupes them as replays nor ranks them below the writes they follow.
  if (std::isfinite(now) && now > static_cast<double>(next_seq_) && now < 9.0e15)
    next_seq_ = static_cast<std::int64_t>(now);
  return next_seq_++;
}

Json Engine::command(const Json& cmd, double now) {
  const std::uint64_t ticket = next_ticket_++;
  const char* why = nullptr;
  Result<Command> parsed = parse_command(cmd, &why);
  if (!parsed.ok()) return fail(respond(ticket, nullptr, "none"), Error::invalid_command, why ? why : "");
  const Command& c = parsed.value();
  Json response = respond(ticket, command_kind_name(c.kind), "none");
  switch (c.kind) {
    case CommandKind::init: return do_init(std::move(response), c.options);
    case CommandKind::identify: return do_identify(std::move(response), c.distinct_id, c.callback_index, now);
    case CommandKind::reset:
      identity_touched_ = true;
      identity_.clear();
      new_epoch();
      response["effect"] = "reset";
      response["result"] = ok_result(nullptr);
      return response;
    case CommandKind::set_name:
    case CommandKind::set_email:
    case CommandKind::set_language:
    case CommandKind::set_attributes: {
      SetRequest req;
      req.attributes = &c.attributes;
      req.refetch_boosted = c.refetch_boosted;
      req.remove_unspecified = c.remove_unspecified;
      req.distinct_id = identity_;
      return do_set(std::move(response), req, now);
    }
    case CommandKind::get_attributes: return do_get(std::move(response));
    case CommandKind::on:
    case CommandKind::off:
      response["effect"] = c.kind == CommandKind::on ? "on" : "off";
      response["event"] = event_name(c.event);
      if (c.callback_index >= 0) response["callback"] = c.callback_index;
      response["result"] = ok_result(nullptr);
      return response;
    case CommandKind::debug:
      response["effect"] = "debug";
      response["enabled"] = c.enabled;
      response["result"] = ok_result(nullptr);
      return response;
    case CommandKind::consent: return do_consent(std::move(response), c.enabled);
  }
  return fail(std::move(response), Error::invalid_command);
}

Json Engine::write(const Json& request, double now) {
  Json response = respond(next_ticket_++, "write", "none");
  if (!request.is_object()) return fail(std::move(response), Error::invalid_command, "write expects {distinctId, attributes}");
  const auto id = request.find("distinctId");
  std::string why;
  if (id == request.end() || validate_distinct_id(*id, &why) != Error::ok)
    return fail(std::move(response), Error::distinct_id_invalid, why);
  const auto attributes = request.find("attributes");
  if (attributes == request.end() || !attributes->is_object() || attributes->empty())
    return fail(std::move(response), Error::invalid_command, "write expects a non-empty attributes object");
  SetRequest req;
  req.attributes = &*attributes;
  req.write_api = true;
  req.refetch_boosted = true;
  req.distinct_id = id->get_ref<const std::string&>();
  const auto remove = request.find("removeUnspecified");
  if (remove != request.end() && !remove->is_null()) {
    if (!remove->is_boolean()) return fail(std::move(response), Error::invalid_command, "removeUnspecified must be a boolean");
    req.remove_unspecified = remove->get<bool>();
  }
  return do_set(std::move(response), req, now);
}

Json Engine::do_init(Json response, const Json& options) {
  if (stopped_ != Error::ok) return fail(std::move(response), stopped_);
  const char* why = nullptr;
  const Result<InitOptions> parsed = parse_init_options(options, &why);
  if (init_) {
    // Re-running the snippet (an SPA route change) is harmless; pointing the page elsewhere is not.
    if (parsed.ok() && parsed.value().public_key == init_->public_key && parsed.value().api_host == init_->api_host) {
      response["result"] = ok_result(nullptr);
      return response;
    }
    return fail(std::move(response), Error::invalid_command, "init was already called with other options");
  }
  if (!parsed.ok()) {
    // A secret key must never be used here: the page stops for good, and every write waiting says
    // so. A malformed key or host is a mistake a later init may correct: the engine stays
    // uninitialised and writes keep waiting (bounded) for it (DESIGN §2a).
    Json failed = fail(std::move(response), parsed.error(), why ? why : "");
    if (parsed.error() == Error::secret_key_in_browser)
      stop(parsed.error(), default_error_message(parsed.error()));
    return failed;
  }
  init_ = parsed.value();
  if (!consent_told_) consent_denied_ = init_->consent == Consent::denied;
  response["effect"] = "init";
  response["options"] = init_options_to_json(*init_);
  response["result"] = ok_result(nullptr);
  return response;
}

Json Engine::do_identify(Json response, const Json& distinct_id, int callback, double now) {
  std::string why;
  if (validate_distinct_id(distinct_id, &why) != Error::ok) return fail(std::move(response), Error::distinct_id_invalid, why);
  const std::string& id = distinct_id.get_ref<const std::string&>();
  const bool changed = identity_ != id;
  identity_touched_ = true;
  if (!identity_.empty() && changed) new_epoch();
  identity_ = id;
  attach_held(now);
  response["effect"] = "identify";
  response["distinctId"] = id;
  response["changed"] = changed;
  if (callback >= 0) response["callback"] = callback;
  Json value = json_object();
  value["distinctId"] = id;
  response["result"] = ok_result(std::move(value));
  return response;
}

void Engine::new_epoch() {
  ++epoch_;
  view_ = json_object();
  view_seq_.clear();
  view_floor_ = 0;
}

void Engine::attach_held(double now) {
  for (Write& w : pending_)
    if (w.distinct_id.empty()) w.distinct_id = identity_;
  std::vector<Write> held = std::move(held_);
  held_.clear();
  for (Write& w : held) {
    w.distinct_id = identity_;
    enqueue_ready(std::move(w), now);
  }
}

void Engine::enqueue_ready(Write w, double now) {
  w.ready_at = now;
  if (w.distinct_id.empty()) append_coalesced(held_, std::move(w));
  else outbox_.append(std::move(w));
}

void Engine::apply_to_view(const Json& values, const std::vector<std::int64_t>& seqs, bool remove,
                           std::int64_t unit) {
  if (remove) {
    view_ = json_object();
    view_seq_.clear();
    view_floor_ = unit;
  }
  std::size_t k = 0;
  for (const auto& [key, value] : members(values)) {
    view_[key] = value;
    view_seq_[key] = seqs[k++];
  }
}

Json Engine::do_set(Json response, const SetRequest& req, double now) {
  if (stopped_ != Error::ok) return fail(std::move(response), stopped_);
  if (consent_denied_) return fail(std::move(response), Error::consent_denied);
  if (config_ && !config_->client_attribute_writes) return fail(std::move(response), Error::client_attribute_writes_disabled);
  const Json& attributes = *req.attributes;
  if (attributes.empty()) {
    // The batch API names the person through its writes; "clear everything" has no write to carry it.
    if (req.remove_unspecified)
      return fail(std::move(response), Error::invalid_command, "removeUnspecified needs at least one attribute");
    response["result"] = ok_result(json_object());
    return response;
  }
  Json normalised = json_object();
  for (const auto& [key, value] : members(attributes)) {
    if (contains_non_json(value)) return fail(std::move(response), Error::attribute_value_invalid, not_json_message(key), key);
    if (!config_) continue;
    std::string why;
    Result<Json> v = validate_write(*config_, key, value, &why);
    if (!v.ok()) return fail(std::move(response), v.error(), why, key);
    normalised[key] = std::move(v).value();
  }
  const std::size_t n = attributes.size();
  const bool waiting = !config_ || req.distinct_id.empty();
  const auto over = [&](std::size_t k) {
    return (waiting && pending_.size() + held_.size() + k > limits_.max_held) || queued() + k > limits_.max_queued;
  };
  // Before any cap applies, repeated writes of one attribute collapse to the last (core/collapse.h).
  const std::int64_t barrier = pending_gets_.empty() ? 0 : pending_gets_.back().after_seq - 1;
  std::size_t growth = n;
  if (over(n) && waiting) {
    if (!config_) collapse_raw(pending_, barrier);
    if (n == 1 && !req.remove_unspecified &&
        collapses_into(config_ ? held_ : pending_, !config_, req.distinct_id, attributes.begin().key(),
                       req.write_api ? 0 : epoch_, barrier))
      growth = 0;
  }
  if (over(growth)) return fail(std::move(response), Error::queue_full);

  const std::uint64_t ticket = response["ticket"].get<std::uint64_t>();
  const bool deferred = !config_ || req.refetch_boosted || req.write_api;
  if (deferred) {
    Ticket& t = tickets_[ticket];
    t.write_api = req.write_api;
    t.until_stored = req.refetch_boosted || req.write_api;
    t.remaining = n;
    t.distinct_id = req.distinct_id;
  }
  std::vector<Write> writes;
  std::vector<std::int64_t> seqs;
  for (const auto& [key, value] : members(attributes)) {
    Write w;
    w.seq = take_seq(now);
    w.unit = writes.empty() ? w.seq : writes.front().unit;
    w.id = write_id(w.seq);
    w.client_id = client_id_;
    w.distinct_id = req.distinct_id;
    w.attribute = key;
    w.validated = config_.has_value();
    w.value = w.validated ? normalised[key] : value;
    w.remove_unspecified = req.remove_unspecified;
    w.created = now;
    w.epoch = req.write_api ? 0 : epoch_;
    if (w.validated) w.bytes = estimate_write_bytes(w);
    if (deferred) w.tickets.push_back(ticket);
    seqs.push_back(w.seq);
    writes.push_back(std::move(w));
  }
  response["effect"] = "write";
  if (!config_) {
    for (Write& w : writes) pending_.push_back(std::move(w));
    if (growth == 0) collapse_raw(pending_, barrier);
    return response;
  }
  if (!req.write_api) apply_to_view(normalised, seqs, req.remove_unspecified, writes.front().unit);
  for (Write& w : writes) enqueue_ready(std::move(w), now);
  if (!deferred) response["result"] = ok_result(std::move(normalised));
  return response;
}

Json Engine::do_get(Json response) {
  response["effect"] = "get";
  if (!pending_.empty()) {
    // Raw writes made before this get are not in the view yet; answer once they are validated so
    // the queue's FIFO order holds for reads too.
    PendingGet g;
    g.ticket = response["ticket"].get<std::uint64_t>();
    g.epoch = epoch_;
    g.after_seq = next_seq_;
    g.view = view_;
    pending_gets_.push_back(std::move(g));
    return response;
  }
  response["result"] = ok_result(view_);
  return response;
}

Json Engine::configure(const Json& config, double now) {
  Result<Config> parsed = parse_config(config);
  Json out = json_object();
  if (!parsed.ok()) {
    const Json error = error_object(parsed.error());
    Json event = json_object();
    event["type"] = "error";
    event["error"] = error;
    events_.push_back(std::move(event));
    return error_result(error);
  }
  config_ = std::move(parsed).value();
  workspace_ = config_->workspace;
  process_pending(now);
  if (!config_->client_attribute_writes) {
    // "Every set fails locally": writes accepted earlier (restored, or validated under an older
    // config) fail the same way instead of costing a request that is bound to be refused.
    std::vector<Write> refused = std::move(held_);
    held_.clear();
    for (Write& w : outbox_.remove_all(false)) refused.push_back(std::move(w));
    fail_writes(std::move(refused), error_object(Error::client_attribute_writes_disabled));
  }
  out["ok"] = true;
  out["workspace"] = config_->workspace;
  out["clientAttributeWrites"] = config_->client_attribute_writes;
  out["definitionsVersion"] = config_->definitions_version;
  return out;
}

void Engine::settle_gets_before(std::int64_t seq) {
  std::vector<PendingGet> later;
  for (PendingGet& g : pending_gets_) {
    if (g.after_seq <= seq) settle(g.ticket, ok_result(std::move(g.view)));
    else later.push_back(std::move(g));
  }
  pending_gets_ = std::move(later);
}

void Engine::process_pending(double now) {
  if (!config_) return;
  std::vector<Write> raw = std::move(pending_);
  pending_.clear();
  std::size_t i = 0;
  while (i < raw.size()) {
    std::size_t end = i;
    while (end < raw.size() && raw[end].unit == raw[i].unit) ++end;
    settle_gets_before(raw[i].seq);

    Error error = config_->client_attribute_writes ? Error::ok : Error::client_attribute_writes_disabled;
    std::string bad_attribute, why;
    Json values = json_object();
    std::vector<std::int64_t> seqs;
    for (std::size_t k = i; k < end && error == Error::ok; ++k) {
      Result<Json> v = validate_write(*config_, raw[k].attribute, raw[k].value, &why);
      if (!v.ok()) {
        error = v.error();
        bad_attribute = raw[k].attribute;
      } else {
        values[raw[k].attribute] = v.value();
        seqs.push_back(raw[k].seq);
      }
    }
    if (error != Error::ok) {
      const std::uint64_t ticket = first_ticket(raw[i]);
      std::vector<Write> unit(std::make_move_iterator(raw.begin() + i), std::make_move_iterator(raw.begin() + end));
      fail_writes(std::move(unit), error_object(error, why, bad_attribute), ticket);
      i = end;
      continue;
    }
    const Write& first = raw[i];
    if (first.epoch != 0 && first.epoch == epoch_) apply_to_view(values, seqs, first.remove_unspecified, first.unit);
    for (PendingGet& g : pending_gets_) {
      if (first.epoch == 0 || g.epoch != first.epoch) continue;
      if (first.remove_unspecified) g.view = json_object();
      for (const auto& [key, value] : members(values)) g.view[key] = value;
    }
    for (std::uint64_t t : first.tickets) {
      const auto it = tickets_.find(t);
      if (it != tickets_.end() && !it->second.until_stored) settle(t, ok_result(values));
    }
    for (std::size_t k = i; k < end; ++k) {
      Write w = std::move(raw[k]);
      w.value = values[w.attribute];
      w.validated = true;
      w.bytes = estimate_write_bytes(w);
      // A ticket settled above no longer waits for this write's delivery.
      std::vector<std::uint64_t> waiting;
      for (std::uint64_t t : w.tickets)
        if (tickets_.count(t)) waiting.push_back(t);
      w.tickets = std::move(waiting);
      enqueue_ready(std::move(w), now);
    }
    i = end;
  }
  settle_gets_before(INT64_MAX);
}

}  // namespace attrkit
