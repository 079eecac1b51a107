// Engine decisions about the page (core/engine_control.cpp): re-init after a failed init, consent,
// the config that can never be had (stop_delivery), the client id once storage may be read, and
// the debug command.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/engine.h"
#include "core/engine_errors.h"
#include "core/engine_json.h"
#include "engine_test_support.h"

namespace attrkit {
namespace {

using testing_support::events_of;
using testing_support::test_config;

const char* const kKey = "pk_live_abcdefghijklmnopqrstuvwx1234";

Json init(Json options) { return Json::array({"do", "init", Json::array({std::move(options)})}); }
Json good_options() { return {{"publicKey", kKey}, {"apiHost", "https://api.example.com"}}; }
Json set_plan(const char* plan) {
  return Json::array({"set", "user:attributes", Json::array({{{"plan", plan}}})});
}
Json identify(const std::string& id) { return Json::array({"do", "identify", Json::array({id})}); }
Json consent(const char* c) { return Json::array({"do", "consent", Json::array({c})}); }

// What a response settled with now: ok, its error code, or neither (it waits).
bool ok_of(const Response& r) { return r.result && r.result->ok; }
Error code_of(const Response& r) {
  return r.result && !r.result->ok ? r.result->error.code : Error::ok;
}
std::vector<SettledEvent> settled_of(const Events& events) {
  return events_of<SettledEvent>(events);
}
std::vector<ErrorEvent> errors_in(const Events& events) { return events_of<ErrorEvent>(events); }
Error code_of(const SettledEvent& s) { return s.result.ok ? Error::ok : s.result.error.code; }

TEST(EngineControl, AFailedInitLeavesTheEngineUninitialisedAndALaterInitStartsIt) {
  for (const Json& bad :
       {Json{{"publicKey", "pk_live_short"}, {"apiHost", "https://api.example.com"}},
        Json{{"publicKey", kKey}, {"apiHost", "http://api.example.com"}},
        Json{{"publicKey", kKey}, {"apiHost", "https://api.example.com"}, {"consent", "maybe"}}}) {
    Engine e("c1");
    e.command(identify("u1"), 0);
    const Response waiting = e.command(set_plan("pro"), 0);
    EXPECT_FALSE(waiting.result);
    const Response r = e.command(init(bad), 1);
    EXPECT_TRUE(r.result && !r.result->ok) << bad.dump();
    EXPECT_EQ(r.effect, Effect::none);
    // The write made before still waits for a corrected init: nothing settled it.
    EXPECT_TRUE(settled_of(e.take_events()).empty());
    EXPECT_FALSE(e.inspect().contains("stopped"));
    const Response ok = e.command(init(good_options()), 2);
    EXPECT_EQ(ok.effect, Effect::init);
    EXPECT_TRUE(ok_of(ok));
    e.configure(test_config(), 3);
    const auto settled = settled_of(e.take_events());
    ASSERT_EQ(settled.size(), 1u);
    EXPECT_EQ(settled[0].result.value["plan"], "Pro");
    EXPECT_TRUE(e.take_batch(5000));
  }
}

TEST(EngineControl, AnInvalidSettingSaysWhichOne) {
  Engine e("c1");
  Json o = good_options();
  o["persistence"] = "sessionStorage";
  const Response r = e.command(init(o), 0);
  EXPECT_EQ(code_of(r), Error::invalid_command);
  EXPECT_NE(r.result->error.message.find("persistence"), std::string::npos);
}

TEST(EngineControl, ASecretKeyStillStopsThePageForGood) {
  Engine e("c1");
  e.command(
      init({{"publicKey", "sk_live_abcdefghijklmnopqrstuvwx1234"}, {"apiHost", "https://a.b"}}), 0);
  const Response later = e.command(init(good_options()), 1);
  EXPECT_EQ(code_of(later), Error::secret_key_in_browser);
  EXPECT_EQ(later.effect, Effect::none);
}

TEST(EngineControl, InitOptionsCarryTheSettings) {
  Engine e("c1");
  Json o = good_options();
  o["consent"] = "pending";
  o["persistence"] = "memory";
  o["debug"] = true;
  const Json r = as_json(e.command(init(o), 0));  // the settings as the runtime reads them
  EXPECT_EQ(r["options"]["consent"], "pending");
  EXPECT_EQ(r["options"]["persistence"], "memory");
  EXPECT_EQ(r["options"]["debug"], true);
}

TEST(EngineControl, ConsentDeniedDiscardsWhatWaitsWithOneEvent) {
  Engine e("c1");
  e.command(init(good_options()), 0);
  const Response a = e.command(set_plan("pro"), 1);  // before the config and before identify
  e.command(identify("u1"), 2);
  const Response b = e.command(Json::array({"set", "user:name", Json::array({"Sam"})}), 3);
  e.take_events();
  const Response r = e.command(consent("denied"), 4);
  EXPECT_EQ(r.effect, Effect::consent);
  EXPECT_FALSE(r.enabled);
  EXPECT_EQ(as_json(r)["consent"], "denied");
  EXPECT_TRUE(ok_of(r));
  const Events events = e.take_events();
  const auto errors = errors_in(events);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].error.code, Error::consent_denied);
  EXPECT_EQ(errors[0].write_ids.size(), 2u);
  const auto settled = settled_of(events);
  ASSERT_EQ(settled.size(), 2u);
  EXPECT_EQ(settled[0].ticket, a.ticket);
  EXPECT_EQ(settled[1].ticket, b.ticket);
  for (const SettledEvent& s : settled) EXPECT_EQ(code_of(s), Error::consent_denied);
  // While denied every write fails at once; the configured engine sends nothing.
  e.configure(test_config(), 5);
  EXPECT_EQ(code_of(e.command(set_plan("pro"), 6)), Error::consent_denied);
  EXPECT_FALSE(e.take_batch(9000, true));
  // Granted again: writes go as usual.
  EXPECT_TRUE(e.command(consent("granted"), 7).enabled);
  EXPECT_TRUE(ok_of(e.command(set_plan("pro"), 8)));
  EXPECT_TRUE(e.take_batch(9000, true));
}

TEST(EngineControl, ConsentDeniedAtInit) {
  Engine e("c1");
  Json o = good_options();
  o["consent"] = "denied";
  e.command(init(o), 0);
  e.command(identify("u1"), 0);
  EXPECT_EQ(code_of(e.command(set_plan("pro"), 1)), Error::consent_denied);
  const Response w = e.write({{"distinctId", "u2"}, {"attributes", {{"plan", "pro"}}}}, 2);
  EXPECT_EQ(code_of(w), Error::consent_denied);
}

TEST(EngineControl, AConsentCommandBeforeInitWinsOverTheOption) {
  Engine e("c1");
  e.command(consent("denied"), 0);
  e.command(init(good_options()), 0);  // consent "granted" by default
  e.command(identify("u1"), 0);
  EXPECT_EQ(code_of(e.command(set_plan("pro"), 1)), Error::consent_denied);
  Engine g("c1");
  g.command(consent("granted"), 0);
  Json o = good_options();
  o["consent"] = "denied";
  g.command(init(o), 0);
  g.command(identify("u1"), 0);
  EXPECT_EQ(code_of(g.command(set_plan("pro"), 1)), Error::ok);
}

TEST(EngineControl, DeniedLeavesTheBatchInFlightToItsOutcome) {
  Engine e("c1");
  e.command(init(good_options()), 0);
  e.configure(test_config(), 0);
  e.command(identify("u1"), 0);
  e.command(set_plan("pro"), 0);
  const auto b = e.take_batch(5000, true);
  ASSERT_TRUE(b);
  e.command(Json::array({"set", "user:name", Json::array({"Sam"})}), 5001);
  e.take_events();
  e.command(consent("denied"), 5002);
  const auto errors = errors_in(e.take_events());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].write_ids.size(), 1u);  // the name; the plan is in flight
  EXPECT_EQ(e.inspect()["outbox"].size(), 1u);
}

TEST(EngineControl, StopDeliverySettlesEverythingWithThatCode) {
  Engine e("c1");
  e.command(init(good_options()), 0);
  e.command(set_plan("pro"), 0);  // held: before identify and before the config
  e.command(identify("u1"), 1);
  const Response waiting = e.write({{"distinctId", "u2"}, {"attributes", {{"plan", "pro"}}}}, 2);
  e.take_events();
  e.stop_delivery(error_from_json({{"code", "invalid_key"}, {"message", "Unknown key"}}));
  const Events events = e.take_events();
  const auto errors = errors_in(events);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].error.code, Error::invalid_key);
  EXPECT_EQ(as_json(errors[0].error)["status"], 401);
  EXPECT_EQ(errors[0].error.message, "Unknown key");
  const auto settled = settled_of(events);
  ASSERT_EQ(settled.size(), 2u);
  EXPECT_EQ(settled[1].ticket, waiting.ticket);
  EXPECT_EQ(code_of(settled[1]), Error::invalid_key);
  EXPECT_EQ(code_of(e.command(set_plan("pro"), 3)), Error::invalid_key);
  EXPECT_EQ(code_of(e.command(init(good_options()), 3)), Error::invalid_key);
  EXPECT_DOUBLE_EQ(e.next_wake(1e9), -1);
  e.take_events();  // the two refused commands' own events
  // Told twice (a second failure): nothing more happens.
  e.stop_delivery(make_error(Error::client_attribute_writes_disabled));
  EXPECT_TRUE(e.take_events().empty());
  EXPECT_EQ(e.inspect()["stopped"], "invalid_key");
}

TEST(EngineControl, StopDeliveryWithNothingWaitingStillSaysSoOnce) {
  Engine e("c1");
  e.stop_delivery(error_from_json({{"code", "invalid_key"}}));
  const auto errors = errors_in(e.take_events());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].error.code, Error::invalid_key);
  EXPECT_FALSE(errors[0].error.message.empty());
}

TEST(EngineControl, ConfigUnreachableFailsOnlyTheWritesWaiting) {
  Engine e("c1");
  e.command(init(good_options()), 0);
  e.command(identify("u1"), 0);
  e.command(set_plan("pro"), 0);
  e.take_events();
  e.stop_delivery(make_error(Error::delivery_failed), false);
  const Events events = e.take_events();
  ASSERT_EQ(errors_in(events).size(), 1u);
  EXPECT_EQ(code_of(settled_of(events)[0]), Error::delivery_failed);
  EXPECT_FALSE(e.inspect().contains("stopped"));
  const Response later = e.command(set_plan("pro"), 1);  // waits for the config again
  EXPECT_FALSE(later.result);
  e.configure(test_config(), 2);
  EXPECT_TRUE(settled_of(e.take_events())[0].result.ok);
}

TEST(EngineControl, TheClientIdCanBeReplacedForLaterWrites) {
  Engine e("memoryid", {}, "inst");
  e.command(init(good_options()), 0);
  e.configure(test_config(), 0);
  e.command(identify("u1"), 0);
  e.command(set_plan("pro"), 1);
  e.set_client_id("storedid");
  e.command(Json::array({"set", "user:name", Json::array({"Sam"})}), 2);
  const auto b = e.take_batch(9000, true);
  ASSERT_TRUE(b);
  ASSERT_EQ(b->body["writes"].size(), 2u);
  EXPECT_EQ(b->body["writes"][0]["clientId"], "memoryid");
  EXPECT_EQ(b->write_ids[0].rfind("memoryid-inst-", 0), 0u);
  EXPECT_EQ(b->body["writes"][1]["clientId"], "storedid");
  EXPECT_EQ(b->write_ids[1].rfind("storedid-inst-", 0), 0u);
  EXPECT_EQ(e.inspect()["clientId"], "storedid");
}

TEST(EngineControl, DebugCommandTellsTheRuntime) {
  Engine e("c1");
  const Response r = e.command(Json::array({"do", "debug", Json::array({true})}), 0);
  EXPECT_EQ(r.effect, Effect::debug);
  EXPECT_TRUE(r.enabled);
  EXPECT_TRUE(ok_of(r));
  EXPECT_EQ(as_json(r)["enabled"], true);
}

}  // namespace
}  // namespace attrkit
