// Engine: what the runtime decides about the page rather than about one write: consent, a config
// that can never be had, the install's client id once storage may be read (docs/sdk.md "Consent
// and persistence", "When delivery stops").
#include "engine.h"
#include "engine_errors.h"

namespace attrkit {

Json Engine::do_consent(Json response, bool granted) {
  consent_told_ = true;
  consent_denied_ = !granted;
  if (!granted) drop_queued(Error::consent_denied);
  response["effect"] = "consent";
  response["consent"] = granted ? "granted" : "denied";
  Json result = json_object();
  result["ok"] = true;
  result["value"] = nullptr;
  response["result"] = std::move(result);
  return response;
}

void Engine::drop_queued(Error code, const std::string& message) {
  // A batch already in flight cannot be called back; its outcome is reported as usual.
  std::vector<Write> all = outbox_.remove_all(false);
  for (Write& w : held_) all.push_back(std::move(w));
  for (Write& w : pending_) all.push_back(std::move(w));
  held_.clear();
  pending_.clear();
  fail_writes(std::move(all), error_object(code, message));
  settle_gets_before(INT64_MAX);
}

Json Engine::stop_delivery(const Json& error, bool for_good) {
  Error code = Error::invalid_key;
  std::string message;
  if (error.is_object()) {
    const auto c = error.find("code");
    if (c != error.end() && c->is_string()) code = error_from_name(c->get_ref<const std::string&>());
    const auto m = error.find("message");
    if (m != error.end() && m->is_string()) message = m->get<std::string>();
  }
  if (message.empty()) message = default_error_message(code);
  Json out = json_object();
  out["ok"] = true;
  if (stopped_ != Error::ok) return out;
  if (!for_good) {
    drop_queued(code, message);
    return out;
  }
  // The page must hear it even with nothing waiting: stop() tells only the writes it fails.
  if (queued() == 0) {
    Json event = json_object();
    event["type"] = "error";
    event["error"] = error_object(code, message);
    events_.push_back(std::move(event));
  }
  stop(code, message);
  return out;
}

void Engine::set_client_id(std::string id) {
  // The prefix is "<clientId>-" or "<clientId>-<instance>-": keep the instance part.
  id_prefix_ = id + id_prefix_.substr(client_id_.size());
  client_id_ = std::move(id);
}

}  // namespace attrkit
