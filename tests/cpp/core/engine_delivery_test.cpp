// Engine delivery outcomes decided in core/engine_delivery.cpp that the fault-proxy suites
// (tests/js/delivery_*.test.mjs, docs/delivery.md) rely on: which failures name the attribute,
// and Retry-After as a floor under the backoff as the engine schedules it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/engine.h"
#include "core/retry.h"
#include "engine_test_support.h"

namespace attrkit {
namespace {

using testing_support::errors_of;
using testing_support::outcome;
using testing_support::test_config;

Json set_attrs(Json attrs) {
  return Json::array({"set", "user:attributes", Json::array({std::move(attrs)})});
}

Engine ready_engine() {
  Engine e("c1");
  e.configure(test_config(), 0);
  e.command(Json::array({"do", "identify", Json::array({"u1"})}), 0);
  e.take_events();
  return e;
}

// Fails every try of the batch in front with `status` until it leaves the outbox; the events.
Events exhaust(Engine& e, double now) {
  for (int tries = 0; tries < kMaxTries; ++tries) {
    const auto b = e.take_batch(now);
    EXPECT_TRUE(b) << "try " << tries + 1;
    if (!b) break;
    now = e.complete_batch(outcome(b, 503), now).retry_at;
  }
  return e.take_events();
}

TEST(EngineDelivery, AWriteOutOfTriesNamesItsAttribute) {
  Engine e = ready_engine();
  e.command(set_attrs({{"plan", "Pro"}}), 0);
  const auto errors = errors_of(exhaust(e, 1000));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, Error::delivery_failed);
  EXPECT_EQ(errors[0].attribute, "plan");
}

TEST(EngineDelivery, WritesOfSeveralAttributesFailingTogetherNameNone) {
  Engine e = ready_engine();
  e.command(set_attrs({{"plan", "Pro"}, {"role", "x"}}), 0);
  const auto errors = errors_of(exhaust(e, 1000));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, Error::delivery_failed);
  EXPECT_EQ(errors[0].attribute, "");
}

TEST(EngineDelivery, ABatchRefusedWholeNamesTheSharedAttribute) {
  Engine e = ready_engine();
  e.command(set_attrs({{"plan", "Pro"}}), 0);
  auto b = e.take_batch(1000);
  const Json body = {
      {"error", {{"code", "attribute_value_invalid"}, {"message", "refused"}, {"status", 400}}}};
  EXPECT_EQ(e.complete_batch(outcome(b, 400, body), 1000).outcome, BatchOutcome::rejected);
  auto errors = errors_of(e.take_events());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, Error::attribute_value_invalid);
  EXPECT_EQ(errors[0].message, "refused");
  EXPECT_EQ(errors[0].attribute, "plan");

  e.command(set_attrs({{"plan", "Free"}, {"role", "y"}}), 2000);
  b = e.take_batch(3000);
  e.complete_batch(outcome(b, 404), 3000);
  errors = errors_of(e.take_events());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, Error::not_found);
  EXPECT_EQ(errors[0].attribute, "");
}

TEST(EngineDelivery, AStopNeverNamesAnAttribute) {
  Engine e = ready_engine();
  e.command(set_attrs({{"plan", "Pro"}}), 0);
  const auto b = e.take_batch(1000);
  EXPECT_EQ(e.complete_batch(outcome(b, 401), 1000).outcome, BatchOutcome::stopped);
  const auto errors = errors_of(e.take_events());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, Error::invalid_key);
  EXPECT_EQ(errors[0].attribute, "");
}

TEST(EngineDelivery, AWriteOlderThan24HoursFailsNamingItsAttribute) {
  Engine e = ready_engine();
  e.command(set_attrs({{"team_size", 3}}), 0);
  const auto b = e.take_batch(1000);
  e.complete_batch({{"batchId", b->id}, {"offline", true}}, 1000);  // offline: no try used
  EXPECT_FALSE(e.take_batch(kMaxWriteAgeMs));
  const auto errors = errors_of(e.take_events());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, Error::delivery_failed);
  EXPECT_EQ(errors[0].attribute, "team_size");
}

TEST(EngineDelivery, RetryAfterIsAFloorUnderTheScheduledBackoff) {
  Engine e = ready_engine();
  e.command(set_attrs({{"plan", "Pro"}}), 0);
  auto b = e.take_batch(1000);
  Json o = outcome(b, 429);
  o["retryAfter"] = 0;  // or a date in the past: the client's clock ahead of the server's
  EXPECT_DOUBLE_EQ(e.complete_batch(o, 1000).retry_at, 1500);
  b = e.take_batch(1500);
  o = outcome(b, 503);
  o["retryAfter"] = 0.25;
  EXPECT_DOUBLE_EQ(e.complete_batch(o, 1500).retry_at, 2500);  // backoff of try 2
  b = e.take_batch(2500);
  o = outcome(b, 503);
  o["retryAfter"] = 30;
  EXPECT_DOUBLE_EQ(e.complete_batch(o, 2500).retry_at, 32500);
}

}  // namespace
}  // namespace attrkit
