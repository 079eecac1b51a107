#include "retry.h"

#include <cmath>

namespace attrkit {
namespace {

// A JSON boolean field that may be absent; anything else present is a malformed report.
bool read_flag(const Json& j, const char* name, bool* out) {
  const auto it = j.find(name);
  if (it == j.end() || it->is_null()) return true;
  if (!it->is_boolean()) return false;
  *out = it->get<bool>();
  return true;
}

}  // namespace

Result<Outcome> parse_outcome(const Json& j) {
  if (!j.is_object()) return Error::invalid_request;
  Outcome o;
  const auto id = j.find("batchId");
  if (id == j.end() || !id->is_string()) return Error::invalid_request;
  o.batch_id = id->get_ref<const std::string&>();
  const auto status = j.find("status");
  if (status != j.end() && !status->is_null()) {
    if (!status->is_number()) return Error::invalid_request;
    const double s = status->get<double>();
    if (!(s >= 0 && s < 1000)) return Error::invalid_request;
    o.status = static_cast<int>(s);
  }
  const auto ra = j.find("retryAfter");
  if (ra != j.end() && !ra->is_null()) {
    if (!ra->is_number()) return Error::invalid_request;
    const double s = ra->get<double>();
    if (std::isfinite(s) && s >= 0) o.retry_after_s = s;
  }
  if (!read_flag(j, "network", &o.network) || !read_flag(j, "timeout", &o.timeout) ||
      !read_flag(j, "offline", &o.offline))
    return Error::invalid_request;
  const auto body = j.find("body");
  if (body != j.end()) o.body = *body;
  const auto jitter = j.find("jitter");
  if (jitter != j.end() && !jitter->is_null()) {
    if (!jitter->is_number()) return Error::invalid_request;
    const double x = jitter->get<double>();
    o.jitter = !(x >= 0) ? 0 : (x >= 1 ? 0.999999 : x);  // NaN -> 0
  }
  return o;
}

OutcomeClass classify_outcome(const Outcome& o) {
  if (o.offline) return OutcomeClass::offline;
  if (o.network || o.timeout || o.status == 0) return OutcomeClass::retry;
  const int s = o.status;
  if (s >= 200 && s < 300) return OutcomeClass::success;
  if (s == 408 || s == 429) return OutcomeClass::retry;
  if (s >= 500 && s < 600 && s != 501 && s != 505) return OutcomeClass::retry;
  if (s == 401) return OutcomeClass::stop;
  if (s == 403 && rejection_code(o) == Error::client_attribute_writes_disabled)
    return OutcomeClass::stop;
  return OutcomeClass::reject;
}

Error rejection_code(const Outcome& o) {
  if (o.body.is_object()) {
    const auto err = o.body.find("error");
    if (err != o.body.end() && err->is_object()) {
      const auto code = err->find("code");
      if (code != err->end() && code->is_string()) {
        const Error e = error_from_name(code->get_ref<const std::string&>());
        // error_from_name maps unknown names to server_error; a status tells us more then.
        if (e != Error::ok && e != Error::server_error) return e;
      }
    }
  }
  switch (o.status) {
    case 400: return Error::invalid_request;
    case 401: return Error::invalid_key;
    case 403: return Error::client_attribute_writes_disabled;
    case 404: return Error::not_found;
    case 413: return Error::payload_too_large;
    case 429: return Error::rate_limited;
    default: return Error::server_error;
  }
}

double backoff_ms(int tries, double jitter) {
  double delay = kBackoffBaseMs;
  for (int k = 1; k < tries && delay < kBackoffMaxMs; ++k) delay *= 2;
  if (delay > kBackoffMaxMs) delay = kBackoffMaxMs;
  return delay * (1 + kJitterFraction * (2 * jitter - 1));
}

double retry_delay_ms(const Outcome& o, int tries) {
  const double backoff = backoff_ms(tries, o.jitter);
  if (o.retry_after_s < 0) return backoff;
  const double asked =
      o.retry_after_s * 1000 > kRetryAfterCapMs ? kRetryAfterCapMs : o.retry_after_s * 1000;
  // Retry-After is a floor under the backoff, not a replacement: "0", or an HTTP date that looks
  // past because the client's clock runs ahead of the server's, would otherwise spend every
  // remaining try at once. The backoff never exceeds the cap, so the cap still bounds the wait.
  return asked > backoff ? asked : backoff;
}

RetryAdvice retry_advice(const Json& outcome, int tries) {
  Json with_id = outcome;
  if (with_id.is_object() && !with_id.contains("batchId")) with_id["batchId"] = "";
  RetryAdvice advice;
  const Result<Outcome> parsed = parse_outcome(with_id);
  if (!parsed.ok()) {
    advice.code = parsed.error();
    return advice;
  }
  const Outcome& o = parsed.value();
  advice.kind = classify_outcome(o);
  if (advice.kind == OutcomeClass::retry)
    advice.delay_ms = retry_delay_ms(o, tries < 1 ? 1 : tries);
  if (advice.kind == OutcomeClass::offline) advice.delay_ms = kOfflineRecheckMs;
  if (advice.kind == OutcomeClass::reject || advice.kind == OutcomeClass::stop)
    advice.code = rejection_code(o);
  return advice;
}

}  // namespace attrkit
