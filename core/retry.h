// The retry decision (DESIGN §5): what a batch request's outcome means and when to try again.
// Pure functions of the outcome, the tries already made and the time passed in.
#pragma once
#include <cstdint>
#include <string>

#include "error.h"
#include "json.h"
#include "result.h"

namespace attrkit {

constexpr double kRequestTimeoutMs = 10000;            // the runtime aborts a request after this
constexpr double kBackoffBaseMs = 500;                 // first retry delay
constexpr double kBackoffMaxMs = 60000;                // doubling stops here
constexpr double kJitterFraction = 0.1;                // +-10%
constexpr double kRetryAfterCapMs = 300000;            // Retry-After honoured up to 300 s
constexpr int kMaxTries = 10;                          // requests per write
constexpr double kMaxWriteAgeMs = 24.0 * 3600 * 1000;  // from the write's creation
constexpr double kOfflineRecheckMs = 5000;             // decided: offline checks back every 5 s

// What the runtime reports for one request (JSON given to Engine::complete_batch):
// {"batchId", "status"?, "retryAfter"? (seconds), "network"?, "timeout"?, "offline"?,
//  "body"? (parsed response JSON), "jitter"? (number in [0,1), default 0.5 = no jitter)}.
struct Outcome {
  std::string batch_id;
  int status = 0;             // HTTP status, 0 when no response
  double retry_after_s = -1;  // -1 when absent
  bool network = false;
  bool timeout = false;
  bool offline = false;
  Json body;  // null when absent
  double jitter = 0.5;
};

// invalid_request when not an object, batchId is not a string, or a field has the wrong type.
// A jitter outside [0,1) is clamped; a negative or non-finite retryAfter counts as absent.
Result<Outcome> parse_outcome(const Json& j);

enum class OutcomeClass : std::uint8_t {
  success,  // 2xx: per-write results in the body
  retry,    // network error, timeout, 408, 429, 5xx except 501/505
  offline,  // the runtime knows it is offline: reschedule without using a try
  reject,   // any other status: reject the batch's writes with the server's code
  stop,     // 401, or 403 client_attribute_writes_disabled: reject and stop sending this page
};

OutcomeClass classify_outcome(const Outcome& o);

// The server's error code for a rejected request: body {"error": {"code"}} when it names a known
// code, else by status (400 invalid_request, 401 invalid_key, 403 client_attribute_writes_disabled,
// 404 not_found, 413 payload_too_large, 429 rate_limited, else server_error).
Error rejection_code(const Outcome& o);

// Backoff after the `tries`-th failed request (tries >= 1): 500 ms doubling, at most 60 s, times
// a jitter factor in [0.9, 1.1) taken from `jitter` in [0,1).
double backoff_ms(int tries, double jitter);

// Delay before the next request after a retryable outcome: backoff_ms(tries, jitter), or the
// response's Retry-After (capped at 300 s) when that is longer. Never earlier than Retry-After
// asks (up to the cap); a Retry-After of 0 or in the past keeps the backoff.
double retry_delay_ms(const Outcome& o, int tries);

// The same decision for a request outside the outbox (the runtime's config fetch): outcome as
// for complete_batch (batchId may be absent), `tries` = requests made so far (>= 1). A malformed
// outcome is {reject, invalid_request}. engine_json.h writes it for the binding.
struct RetryAdvice {
  OutcomeClass kind = OutcomeClass::reject;
  double delay_ms = -1;    // retry, offline: when to try again; -1 otherwise
  Error code = Error::ok;  // reject, stop: the server's code
};
RetryAdvice retry_advice(const Json& outcome, int tries);

}  // namespace attrkit
