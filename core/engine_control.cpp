// Engine: what the runtime decides about the page rather than about one write: consent, a config
// that can never be had, the install's client id once storage may be read (docs/sdk.md "Consent
// and persistence", "When delivery stops").
#include <cstdint>

#include "engine.h"
#include "engine_errors.h"

namespace attrkit {

void Engine::do_consent(Response& response, bool granted) {
  consent_told_ = true;
  consent_denied_ = !granted;
  if (!granted) drop_queued(make_error(Error::consent_denied));
  response.effect = Effect::consent;
  response.enabled = granted;
  response.result = CallResult::success(nullptr);
}

void Engine::drop_queued(const ErrorObject& error) {
  // A batch already in flight cannot be called back; its outcome is reported as usual.
  std::vector<Write> all = outbox_.remove_all(false);
  for (Write& w : held_) all.push_back(std::move(w));
  for (Write& w : pending_) all.push_back(std::move(w));
  held_.clear();
  pending_.clear();
  fail_writes(std::move(all), error);
  tickets_.settle_gets_before(INT64_MAX, events_);
}

void Engine::stop_delivery(ErrorObject error, bool for_good) {
  if (error.code == Error::ok) error.code = Error::invalid_key;
  if (error.message.empty()) error.message = default_error_message(error.code);
  if (stopped_ != Error::ok) return;
  if (!for_good) return drop_queued(error);
  // The page must hear it even with nothing waiting: stop() tells only the writes it fails.
  if (queued() == 0) {
    ErrorEvent event;
    event.error = error;
    events_.push_back(std::move(event));
  }
  stop(error.code, error.message);
}

}  // namespace attrkit
