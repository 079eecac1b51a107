// Engine decisions about the page (core/engine_control.cpp): re-init after a failed init, consent,
// the config that can never be had (stop_delivery), the client id once storage may be read, and
// the debug command.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/engine.h"
#include "engine_test_support.h"

namespace attrkit {
namespace {

using testing_support::test_config;

const char* const kKey = "pk_live_abcdefghijklmnopqrstuvwx1234";

Json init(Json options) { return Json::array({"do", "init", Json::array({std::move(options)})}); }
Json good_options() { return {{"publicKey", kKey}, {"apiHost", "https://api.example.com"}}; }
Json set_plan(const char* plan) { return Json::array({"set", "user:attributes", Json::array({{{"plan", plan}}})}); }
Json identify(const std::string& id) { return Json::array({"do", "identify", Json::array({id})}); }
Json consent(const char* c) { return Json::array({"do", "consent", Json::array({c})}); }

std::vector<Json> of_type(const Json& events, const std::string& type) {
  std::vector<Json> out;
  for (const Json& e : events)
    if (e["type"] == type) out.push_back(e);
  return out;
}

TEST(EngineControl, AFailedInitLeavesTheEngineUninitialisedAndALaterInitStartsIt) {
  for (const Json& bad : {Json{{"publicKey", "pk_live_short"}, {"apiHost", "https://api.example.com"}},
                          Json{{"publicKey", kKey}, {"apiHost", "http://api.example.com"}},
                          Json{{"publicKey", kKey}, {"apiHost", "https://api.example.com"}, {"consent", "maybe"}}}) {
    Engine e("c1");
    e.command(identify("u1"), 0);
    const Json waiting = e.command(set_plan("pro"), 0);
    EXPECT_FALSE(waiting.contains("result"));
    const Json r = e.command(init(bad), 1);
    EXPECT_EQ(r["result"]["ok"], false) << bad.dump();
    EXPECT_EQ(r["effect"], "none");
    // The write made before still waits for a corrected init: nothing settled it.
    EXPECT_TRUE(of_type(e.take_events(), "settled").empty());
    EXPECT_FALSE(e.inspect().contains("stopped"));
    const Json ok = e.command(init(good_options()), 2);
    EXPECT_EQ(ok["effect"], "init");
    EXPECT_EQ(ok["result"]["ok"], true);
    e.configure(test_config(), 3);
    const auto settled = of_type(e.take_events(), "settled");
    ASSERT_EQ(settled.size(), 1u);
    EXPECT_EQ(settled[0]["result"]["value"]["plan"], "Pro");
    EXPECT_FALSE(e.take_batch(5000).is_null());
  }
}

TEST(EngineControl, AnInvalidSettingSaysWhichOne) {
  Engine e("c1");
  Json o = good_options();
  o["persistence"] = "sessionStorage";
  const Json r = e.command(init(o), 0);
  EXPECT_EQ(r["result"]["error"]["code"], "invalid_command");
  EXPECT_NE(r["result"]["error"]["message"].get<std::string>().find("persistence"), std::string::npos);
}

TEST(EngineControl, ASecretKeyStillStopsThePageForGood) {
  Engine e("c1");
  e.command(init({{"publicKey", "sk_live_abcdefghijklmnopqrstuvwx1234"}, {"apiHost", "https://a.b"}}), 0);
  const Json later = e.command(init(good_options()), 1);
  EXPECT_EQ(later["result"]["error"]["code"], "secret_key_in_browser");
  EXPECT_EQ(later["effect"], "none");
}

TEST(EngineControl, InitOptionsCarryTheSettings) {
  Engine e("c1");
  Json o = good_options();
  o["consent"] = "pending";
  o["persistence"] = "memory";
  o["debug"] = true;
  const Json r = e.command(init(o), 0);
  EXPECT_EQ(r["options"]["consent"], "pending");
  EXPECT_EQ(r["options"]["persistence"], "memory");
  EXPECT_EQ(r["options"]["debug"], true);
}

TEST(EngineControl, ConsentDeniedDiscardsWhatWaitsWithOneEvent) {
  Engine e("c1");
  e.command(init(good_options()), 0);
  const Json a = e.command(set_plan("pro"), 1);  // before the config and before identify
  e.command(identify("u1"), 2);
  const Json b = e.command(Json::array({"set", "user:name", Json::array({"Sam"})}), 3);
  e.take_events();
  const Json r = e.command(consent("denied"), 4);
  EXPECT_EQ(r["effect"], "consent");
  EXPECT_EQ(r["consent"], "denied");
  EXPECT_EQ(r["result"]["ok"], true);
  const Json events = e.take_events();
  const auto errors = of_type(events, "error");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["error"]["code"], "consent_denied");
  EXPECT_EQ(errors[0]["writeIds"].size(), 2u);
  const auto settled = of_type(events, "settled");
  ASSERT_EQ(settled.size(), 2u);
  EXPECT_EQ(settled[0]["ticket"], a["ticket"]);
  EXPECT_EQ(settled[1]["ticket"], b["ticket"]);
  for (const Json& s : settled) EXPECT_EQ(s["result"]["error"]["code"], "consent_denied");
  // While denied every write fails at once; the configured engine sends nothing.
  e.configure(test_config(), 5);
  EXPECT_EQ(e.command(set_plan("pro"), 6)["result"]["error"]["code"], "consent_denied");
  EXPECT_TRUE(e.take_batch(9000, true).is_null());
  // Granted again: writes go as usual.
  EXPECT_EQ(e.command(consent("granted"), 7)["consent"], "granted");
  EXPECT_EQ(e.command(set_plan("pro"), 8)["result"]["ok"], true);
  EXPECT_FALSE(e.take_batch(9000, true).is_null());
}

TEST(EngineControl, ConsentDeniedAtInit) {
  Engine e("c1");
  Json o = good_options();
  o["consent"] = "denied";
  e.command(init(o), 0);
  e.command(identify("u1"), 0);
  EXPECT_EQ(e.command(set_plan("pro"), 1)["result"]["error"]["code"], "consent_denied");
  const Json w = e.write({{"distinctId", "u2"}, {"attributes", {{"plan", "pro"}}}}, 2);
  EXPECT_EQ(w["result"]["error"]["code"], "consent_denied");
}

TEST(EngineControl, AConsentCommandBeforeInitWinsOverTheOption) {
  Engine e("c1");
  e.command(consent("denied"), 0);
  e.command(init(good_options()), 0);  // consent "granted" by default
  e.command(identify("u1"), 0);
  EXPECT_EQ(e.command(set_plan("pro"), 1)["result"]["error"]["code"], "consent_denied");
  Engine g("c1");
  g.command(consent("granted"), 0);
  Json o = good_options();
  o["consent"] = "denied";
  g.command(init(o), 0);
  g.command(identify("u1"), 0);
  EXPECT_FALSE(g.command(set_plan("pro"), 1)["result"].contains("error"));
}

TEST(EngineControl, DeniedLeavesTheBatchInFlightToItsOutcome) {
  Engine e("c1");
  e.command(init(good_options()), 0);
  e.configure(test_config(), 0);
  e.command(identify("u1"), 0);
  e.command(set_plan("pro"), 0);
  const Json b = e.take_batch(5000, true);
  ASSERT_FALSE(b.is_null());
  e.command(Json::array({"set", "user:name", Json::array({"Sam"})}), 5001);
  e.take_events();
  e.command(consent("denied"), 5002);
  const auto errors = of_type(e.take_events(), "error");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["writeIds"].size(), 1u);  // the name; the plan is in flight
  EXPECT_EQ(e.inspect()["outbox"].size(), 1u);
}

TEST(EngineControl, StopDeliverySettlesEverythingWithThatCode) {
  Engine e("c1");
  e.command(init(good_options()), 0);
  e.command(set_plan("pro"), 0);  // held: before identify and before the config
  e.command(identify("u1"), 1);
  const Json waiting = e.write({{"distinctId", "u2"}, {"attributes", {{"plan", "pro"}}}}, 2);
  e.take_events();
  EXPECT_EQ(e.stop_delivery({{"code", "invalid_key"}, {"message", "Unknown key"}})["ok"], true);
  const Json events = e.take_events();
  const auto errors = of_type(events, "error");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["error"]["code"], "invalid_key");
  EXPECT_EQ(errors[0]["error"]["status"], 401);
  EXPECT_EQ(errors[0]["error"]["message"], "Unknown key");
  const auto settled = of_type(events, "settled");
  ASSERT_EQ(settled.size(), 2u);
  EXPECT_EQ(settled[1]["ticket"], waiting["ticket"]);
  EXPECT_EQ(settled[1]["result"]["error"]["code"], "invalid_key");
  EXPECT_EQ(e.command(set_plan("pro"), 3)["result"]["error"]["code"], "invalid_key");
  EXPECT_EQ(e.command(init(good_options()), 3)["result"]["error"]["code"], "invalid_key");
  EXPECT_DOUBLE_EQ(e.next_wake(1e9), -1);
  e.take_events();  // the two refused commands' own events
  // Told twice (a second failure): nothing more happens.
  e.stop_delivery({{"code", "client_attribute_writes_disabled"}});
  EXPECT_TRUE(e.take_events().empty());
  EXPECT_EQ(e.inspect()["stopped"], "invalid_key");
}

TEST(EngineControl, StopDeliveryWithNothingWaitingStillSaysSoOnce) {
  Engine e("c1");
  e.stop_delivery({{"code", "invalid_key"}});
  const auto errors = of_type(e.take_events(), "error");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["error"]["code"], "invalid_key");
  EXPECT_FALSE(errors[0]["error"]["message"].get<std::string>().empty());
}

TEST(EngineControl, ConfigUnreachableFailsOnlyTheWritesWaiting) {
  Engine e("c1");
  e.command(init(good_options()), 0);
  e.command(identify("u1"), 0);
  e.command(set_plan("pro"), 0);
  e.take_events();
  e.stop_delivery({{"code", "delivery_failed"}}, false);
  const Json events = e.take_events();
  ASSERT_EQ(of_type(events, "error").size(), 1u);
  EXPECT_EQ(of_type(events, "settled")[0]["result"]["error"]["code"], "delivery_failed");
  EXPECT_FALSE(e.inspect().contains("stopped"));
  const Json later = e.command(set_plan("pro"), 1);  // waits for the config again
  EXPECT_FALSE(later.contains("result"));
  e.configure(test_config(), 2);
  EXPECT_EQ(of_type(e.take_events(), "settled")[0]["result"]["ok"], true);
}

TEST(EngineControl, TheClientIdCanBeReplacedForLaterWrites) {
  Engine e("memoryid", {}, "inst");
  e.command(init(good_options()), 0);
  e.configure(test_config(), 0);
  e.command(identify("u1"), 0);
  e.command(set_plan("pro"), 1);
  e.set_client_id("storedid");
  e.command(Json::array({"set", "user:name", Json::array({"Sam"})}), 2);
  const Json b = e.take_batch(9000, true);
  ASSERT_EQ(b["body"]["writes"].size(), 2u);
  EXPECT_EQ(b["body"]["writes"][0]["clientId"], "memoryid");
  EXPECT_EQ(b["body"]["writes"][0]["id"].get<std::string>().rfind("memoryid-inst-", 0), 0u);
  EXPECT_EQ(b["body"]["writes"][1]["clientId"], "storedid");
  EXPECT_EQ(b["body"]["writes"][1]["id"].get<std::string>().rfind("storedid-inst-", 0), 0u);
  EXPECT_EQ(e.inspect()["clientId"], "storedid");
}

TEST(EngineControl, DebugCommandTellsTheRuntime) {
  Engine e("c1");
  const Json r = e.command(Json::array({"do", "debug", Json::array({true})}), 0);
  EXPECT_EQ(r["effect"], "debug");
  EXPECT_EQ(r["enabled"], true);
  EXPECT_EQ(r["result"]["ok"], true);
}

}  // namespace
}  // namespace attrkit
