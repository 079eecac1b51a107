// The retry decision (core/retry.h): every outcome class, the backoff schedule, Retry-After.
#include "core/retry.h"

#include <gtest/gtest.h>

namespace attrkit {
namespace {

Outcome with_status(int status, Json body = nullptr) {
  Outcome o;
  o.batch_id = "b1";
  o.status = status;
  o.body = std::move(body);
  return o;
}

Json error_body(const char* code) {
  return Json{{"error", {{"code", code}, {"message", "m"}, {"status", 0}}}};
}

TEST(Retry, SuccessOn2xx) {
  EXPECT_EQ(classify_outcome(with_status(200)), OutcomeClass::success);
  EXPECT_EQ(classify_outcome(with_status(207)), OutcomeClass::success);
}

TEST(Retry, RetriesNetworkTimeout408429And5xx) {
  Outcome network;
  network.network = true;
  EXPECT_EQ(classify_outcome(network), OutcomeClass::retry);
  Outcome timeout;
  timeout.timeout = true;
  timeout.status = 200;  // a timeout wins over anything else reported
  EXPECT_EQ(classify_outcome(timeout), OutcomeClass::retry);
  for (int s : {408, 429, 500, 502, 503, 504, 507, 599})
    EXPECT_EQ(classify_outcome(with_status(s)), OutcomeClass::retry) << s;
  EXPECT_EQ(classify_outcome(with_status(0)), OutcomeClass::retry);  // no response at all
}

TEST(Retry, NeverRetries501And505AndOther4xx) {
  for (int s : {501, 505, 400, 404, 409, 413, 422})
    EXPECT_EQ(classify_outcome(with_status(s)), OutcomeClass::reject) << s;
  EXPECT_EQ(rejection_code(with_status(413)), Error::payload_too_large);
  EXPECT_EQ(rejection_code(with_status(400, error_body("attribute_not_defined"))),
            Error::attribute_not_defined);
  EXPECT_EQ(rejection_code(with_status(400)), Error::invalid_request);
  EXPECT_EQ(rejection_code(with_status(501)), Error::server_error);
  // An unknown code tells nothing: the status decides.
  EXPECT_EQ(rejection_code(with_status(413, error_body("too_big_v2"))), Error::payload_too_large);
}

TEST(Retry, StopsOn401AndOn403WritesDisabled) {
  EXPECT_EQ(classify_outcome(with_status(401)), OutcomeClass::stop);
  EXPECT_EQ(rejection_code(with_status(401)), Error::invalid_key);
  EXPECT_EQ(classify_outcome(with_status(403, error_body("client_attribute_writes_disabled"))),
            OutcomeClass::stop);
  EXPECT_EQ(classify_outcome(with_status(403)), OutcomeClass::stop);
  // A 403 for another reason rejects the writes but does not stop the page.
  EXPECT_EQ(classify_outcome(with_status(403, error_body("attribute_archived"))),
            OutcomeClass::reject);
}

TEST(Retry, OfflineIsItsOwnClass) {
  Outcome o = with_status(0);
  o.offline = true;
  o.network = true;
  EXPECT_EQ(classify_outcome(o), OutcomeClass::offline);
}

TEST(Retry, BackoffDoublesFromHalfASecondToAMinute) {
  const double expected[] = {500, 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000};
  for (int tries = 1; tries <= 10; ++tries)
    EXPECT_DOUBLE_EQ(backoff_ms(tries, 0.5), expected[tries - 1]) << tries;
}

TEST(Retry, JitterIsPlusMinusTenPercent) {
  EXPECT_DOUBLE_EQ(backoff_ms(1, 0.0), 450);
  EXPECT_NEAR(backoff_ms(1, 0.999999), 550, 0.01);
  EXPECT_DOUBLE_EQ(backoff_ms(8, 0.0), 54000);
  EXPECT_DOUBLE_EQ(backoff_ms(8, 0.75), 63000);
}

TEST(Retry, RetryAfterHonouredAndCapped) {
  Outcome o = with_status(429);
  o.retry_after_s = 7;
  EXPECT_DOUBLE_EQ(retry_delay_ms(o, 1), 7000);
  o.retry_after_s = 3600;
  EXPECT_DOUBLE_EQ(retry_delay_ms(o, 1), kRetryAfterCapMs);
  o.retry_after_s = -1;  // absent
  o.jitter = 0.5;
  EXPECT_DOUBLE_EQ(retry_delay_ms(o, 3), 2000);
}

TEST(Retry, RetryAfterIsAFloorUnderTheBackoff) {
  Outcome o = with_status(503);
  o.jitter = 0.5;
  // "0", or a date already past (client clock ahead of the server's): the backoff still applies.
  o.retry_after_s = 0;
  EXPECT_DOUBLE_EQ(retry_delay_ms(o, 1), 500);
  EXPECT_DOUBLE_EQ(retry_delay_ms(o, 4), 4000);
  // Shorter than the backoff late in the schedule: the backoff.
  o.retry_after_s = 2;
  EXPECT_DOUBLE_EQ(retry_delay_ms(o, 8), 60000);
  // Longer: exactly what the server asked, without jitter.
  o.jitter = 0.0;
  o.retry_after_s = 2;
  EXPECT_DOUBLE_EQ(retry_delay_ms(o, 1), 2000);
  o.retry_after_s = 0.75;  // the HTTP-date form arrives as fractional seconds
  EXPECT_DOUBLE_EQ(retry_delay_ms(o, 1), 750);
  // The cap bounds every delay: the backoff's maximum (66 s) is below it.
  o.jitter = 0.999999;
  o.retry_after_s = 1e9;
  for (int tries = 1; tries <= kMaxTries; ++tries)
    EXPECT_DOUBLE_EQ(retry_delay_ms(o, tries), kRetryAfterCapMs) << tries;
  EXPECT_LT(backoff_ms(kMaxTries, 0.999999), kRetryAfterCapMs);
}

TEST(Retry, ParsesTheRuntimeReport) {
  Result<Outcome> r = parse_outcome(Json{{"batchId", "b7"},
                                         {"status", 503},
                                         {"retryAfter", 12},
                                         {"jitter", 0.25},
                                         {"body", {{"error", {{"code", "server_error"}}}}}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().batch_id, "b7");
  EXPECT_EQ(r.value().status, 503);
  EXPECT_DOUBLE_EQ(r.value().retry_after_s, 12);
  EXPECT_DOUBLE_EQ(r.value().jitter, 0.25);
  EXPECT_FALSE(r.value().network);

  Result<Outcome> clamped =
      parse_outcome(Json{{"batchId", "b1"}, {"network", true}, {"jitter", 7}, {"retryAfter", -3}});
  ASSERT_TRUE(clamped.ok());
  EXPECT_LT(clamped.value().jitter, 1);
  EXPECT_LT(clamped.value().retry_after_s, 0);
  EXPECT_TRUE(clamped.value().network);

  EXPECT_EQ(parse_outcome(Json::array()).error(), Error::invalid_request);
  EXPECT_EQ(parse_outcome(Json{{"status", 200}}).error(), Error::invalid_request);
  EXPECT_EQ(parse_outcome(Json{{"batchId", "b1"}, {"status", "200"}}).error(),
            Error::invalid_request);
  EXPECT_EQ(parse_outcome(Json{{"batchId", "b1"}, {"network", "yes"}}).error(),
            Error::invalid_request);
}

TEST(Retry, TimeoutConstantIsTenSeconds) { EXPECT_DOUBLE_EQ(kRequestTimeoutMs, 10000); }

}  // namespace
}  // namespace attrkit

namespace attrkit {
namespace {

// The config fetch asks the same policy through retry_advice (no batch id).
TEST(RetryAdvice, SamePolicyAsBatches) {
  EXPECT_EQ(retry_advice(Json{{"status", 200}}, 1).kind, OutcomeClass::success);
  const RetryAdvice r503 = retry_advice(Json{{"status", 503}, {"jitter", 0.5}}, 1);
  EXPECT_EQ(r503.kind, OutcomeClass::retry);
  EXPECT_DOUBLE_EQ(r503.delay_ms, 500);
  EXPECT_DOUBLE_EQ(retry_advice(Json{{"network", true}, {"jitter", 0.5}}, 3).delay_ms, 2000);
  EXPECT_DOUBLE_EQ(retry_advice(Json{{"status", 429}, {"retryAfter", 999}}, 1).delay_ms,
                   kRetryAfterCapMs);
  EXPECT_DOUBLE_EQ(
      retry_advice(Json{{"status", 429}, {"retryAfter", 0}, {"jitter", 0.5}}, 2).delay_ms, 1000);
  EXPECT_EQ(retry_advice(Json{{"status", 501}}, 1).kind, OutcomeClass::reject);
  EXPECT_EQ(retry_advice(Json{{"status", 505}}, 1).kind, OutcomeClass::reject);
  const RetryAdvice r401 = retry_advice(Json{{"status", 401}}, 1);
  EXPECT_EQ(r401.kind, OutcomeClass::stop);
  EXPECT_EQ(r401.code, Error::invalid_key);
  const RetryAdvice r400 =
      retry_advice(Json{{"status", 400}, {"body", {{"error", {{"code", "invalid_request"}}}}}}, 1);
  EXPECT_EQ(r400.kind, OutcomeClass::reject);
  EXPECT_EQ(r400.code, Error::invalid_request);
  EXPECT_EQ(r400.delay_ms, -1);
  const RetryAdvice off = retry_advice(Json{{"offline", true}}, 4);
  EXPECT_EQ(off.kind, OutcomeClass::offline);
  EXPECT_DOUBLE_EQ(off.delay_ms, kOfflineRecheckMs);
  EXPECT_EQ(off.code, Error::ok);
  const RetryAdvice garbage = retry_advice(Json("garbage"), 1);
  EXPECT_EQ(garbage.kind, OutcomeClass::reject);
  EXPECT_EQ(garbage.code, Error::invalid_request);
}

}  // namespace
}  // namespace attrkit
