// Engine: commands, identity and the limits. Writes (validation, queueing, the config) live in
// engine_writes.cpp, delivery in engine_delivery.cpp, persistence in engine_persist.cpp and
// engine_restore.cpp.
#include "engine.h"

#include <cmath>
#include <type_traits>

#include "command.h"
#include "engine_errors.h"
#include "validate.h"

namespace attrkit {

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

Engine::Engine() : Engine(std::string()) {}

Engine::Engine(std::string client_id, EngineLimits limits, std::string instance)
    : client_id_(std::move(client_id)),
      instance_(std::move(instance)),
      limits_(limits),
      outbox_(limits.outbox) {}

void Engine::fail(Response& response, ErrorObject error) {
  ErrorEvent event;
  event.error = error;
  event.ticket = response.ticket;
  events_.push_back(std::move(event));
  response.effect = Effect::none;
  response.result = CallResult::failure(std::move(error));
}

std::int64_t Engine::take_seq(double now) {
  // Never below the clock: should the persisted counter be lost (storage cleared or full) while
  // the client id survives, new writes still get higher seqs than old ones, so the server neither
  // dedupes them as replays nor ranks them below the writes they follow.
  if (std::isfinite(now) && now > static_cast<double>(next_seq_) && now < 9.0e15)
    next_seq_ = static_cast<std::int64_t>(now);
  return next_seq_++;
}

Response Engine::answered(Response r, double now) const {
  r.events = !events_.empty();
  r.wake = next_wake(now);
  return r;
}

Response Engine::command(const Json& cmd, double now) {
  return answered(run_command(cmd, now), now);
}

Response Engine::run_command(const Json& cmd, double now) {
  Response response;
  response.ticket = tickets_.issue();
  last_set_.reset();
  const char* why = nullptr;
  Result<Command> parsed = parse_command(cmd, &why);
  if (!parsed.ok()) {
    fail(response, make_error(Error::invalid_command, why ? why : ""));
    return response;
  }
  const Command& c = parsed.value();
  response.kind = call_kind(c.kind);
  switch (c.kind) {
    case CommandKind::init: do_init(response, c.options); break;
    case CommandKind::identify: do_identify(response, c.distinct_id, c.callback_index, now); break;
    case CommandKind::reset:
      identity_touched_ = true;
      identity_.clear();
      view_.new_epoch();
      response.effect = Effect::reset;
      response.result = CallResult::success(nullptr);
      break;
    case CommandKind::set_name:
    case CommandKind::set_email:
    case CommandKind::set_language:
    case CommandKind::set_attributes:
      run_set(response, c, now);
      last_set_ = LastSet{std::move(parsed).value(), {}, response.effect, response.result};
      break;
    case CommandKind::get_attributes: do_get(response); break;
    case CommandKind::on:
    case CommandKind::off:
      response.effect = c.kind == CommandKind::on ? Effect::on : Effect::off;
      response.event = c.event;
      response.callback = c.callback_index;
      response.result = CallResult::success(nullptr);
      break;
    case CommandKind::debug:
      response.effect = Effect::debug;
      response.enabled = c.enabled;
      response.result = CallResult::success(nullptr);
      break;
    case CommandKind::consent: do_consent(response, c.enabled); break;
  }
  return response;
}

void Engine::run_set(Response& response, const Command& c, double now) {
  SetRequest req;
  req.attributes = &c.attributes;
  req.refetch_boosted = c.refetch_boosted;
  req.remove_unspecified = c.remove_unspecified;
  req.distinct_id = identity_;
  do_set(response, req, now);
}

Response Engine::run_set_again(double now) {
  Response response;
  response.ticket = tickets_.issue();
  response.kind = call_kind(last_set_->command.kind);
  run_set(response, last_set_->command, now);
  response.repeated = response.effect == last_set_->effect && response.result == last_set_->result;
  if (!response.repeated) {
    last_set_->effect = response.effect;
    last_set_->result = response.result;
  }
  return response;
}

void Engine::do_init(Response& response, const Json& options) {
  if (stopped_ != Error::ok) return fail(response, make_error(stopped_));
  const char* why = nullptr;
  const Result<InitOptions> parsed = parse_init_options(options, &why);
  if (init_) {
    // Re-running the snippet (an SPA route change) is harmless; pointing the page elsewhere is not.
    if (parsed.ok() && parsed.value().public_key == init_->public_key &&
        parsed.value().api_host == init_->api_host) {
      response.result = CallResult::success(nullptr);
      return;
    }
    return fail(response,
                make_error(Error::invalid_command, "init was already called with other options"));
  }
  if (!parsed.ok()) {
    // A secret key must never be used here: the page stops for good, and every write waiting says
    // so. A malformed key or host is a mistake a later init may correct: the engine stays
    // uninitialised and writes keep waiting (bounded) for it (DESIGN §2a).
    fail(response, make_error(parsed.error(), why ? why : ""));
    if (parsed.error() == Error::secret_key_in_browser)
      stop(parsed.error(), default_error_message(parsed.error()));
    return;
  }
  init_ = parsed.value();
  if (!consent_told_) consent_denied_ = init_->consent == Consent::denied;
  response.effect = Effect::init;
  response.options = *init_;
  response.result = CallResult::success(nullptr);
  return;
}

void Engine::do_identify(Response& response, const Json& distinct_id, int callback, double now) {
  std::string why;
  if (validate_distinct_id(distinct_id, &why) != Error::ok)
    return fail(response, make_error(Error::distinct_id_invalid, why));
  const std::string& id = distinct_id.get_ref<const std::string&>();
  const bool changed = identity_ != id;
  identity_touched_ = true;
  if (!identity_.empty() && changed) view_.new_epoch();
  identity_ = id;
  attach_held(now);
  response.effect = Effect::identify;
  response.distinct_id = id;
  response.changed = changed;
  response.callback = callback;
  Json value = json_object();
  value["distinctId"] = id;
  response.result = CallResult::success(std::move(value));
  return;
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

void Engine::do_get(Response& response) {
  response.effect = Effect::get;
  if (!pending_.empty()) {
    // Raw writes made before this get are not in the view yet; answer once they are validated so
    // the queue's FIFO order holds for reads too.
    tickets_.wait_get(response.ticket, next_seq_, view_);
    return;
  }
  response.result = CallResult::success(view_.values());
  return;
}

Json Engine::believed(const std::string& distinct_id) const {
  const auto it = acknowledged_.find(distinct_id);
  Json out = it == acknowledged_.end() ? json_object() : it->second;
  if (distinct_id == identity_)
    for (const auto& [key, value] : members(view_.values())) out[key] = value;
  return out;
}

Events Engine::take_events() {
  Events out = std::move(events_);
  events_.clear();
  return out;
}

}  // namespace attrkit
