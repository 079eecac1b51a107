// The Engine (core/engine.h): commands, identity and ordering, validation before and after the
// config, delivery outcomes, tickets, events and the view.
#include "core/engine.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/command.h"
#include "core/engine_json.h"
#include "core/retry.h"
#include "engine_test_support.h"

namespace attrkit {
namespace {

using testing_support::errors_of;
using testing_support::events_of;
using testing_support::outcome;
using testing_support::test_config;

const char* const kKey = "pk_live_abcdefghijklmnopqrstuvwx1234";

Json set_attrs(Json attrs, Json options = nullptr) {
  Json args = Json::array({std::move(attrs)});
  if (!options.is_null()) args.push_back(std::move(options));
  return Json::array({"set", "user:attributes", std::move(args)});
}
Json identify(const std::string& id) { return Json::array({"do", "identify", Json::array({id})}); }
Json reset() { return Json::array({"do", "reset", Json::array()}); }
Json get_attrs() { return Json::array({"get", "user:attributes", Json::array()}); }

// A 200 body storing every write of `batch` as sent (or as `stored` says, by attribute).
Json ok_body(const std::optional<Batch>& batch, const Json& stored = Json::object()) {
  Json results = Json::array();
  for (const Json& w : batch->body["writes"]) {
    const std::string attr = w["attribute"].get<std::string>();
    results.push_back({{"id", w["id"]},
                       {"ok", true},
                       {"personId", "p_" + w["distinctId"].get<std::string>()},
                       {"attribute", attr},
                       {"value", stored.contains(attr) ? stored[attr] : w["value"]}});
  }
  return {{"results", results}};
}

std::vector<std::string> attrs_of(const std::optional<Batch>& batch) {
  std::vector<std::string> out;
  if (!batch) return out;
  for (const Json& w : batch->body["writes"])
    out.push_back(w["distinctId"].get<std::string>() + ":" + w["attribute"].get<std::string>());
  return out;
}

// What a response settled with now: its value (ok), its error code (failed), or neither (waits).
bool ok_of(const Response& r) { return r.result && r.result->ok; }
Json value_of(const Response& r) { return ok_of(r) ? r.result->value : Json("(not settled ok)"); }
Error code_of(const Response& r) {
  return r.result && !r.result->ok ? r.result->error.code : Error::ok;
}
const ErrorObject& error_of(const Response& r) {
  static const ErrorObject none;
  return r.result && !r.result->ok ? r.result->error : none;
}

// An engine with the config known and a user identified.
Engine ready_engine(EngineLimits limits = {}) {
  Engine e("c1", limits);
  e.configure(test_config(), 0);
  e.command(identify("u1"), 0);
  e.take_events();
  return e;
}

TEST(Engine, SetValidatesNormalisesAndQueues) {
  Engine e = ready_engine();
  const Response r = e.command(set_attrs({{"plan", "pro"}, {"team_size", "12"}}), 100);
  ASSERT_TRUE(r.result.has_value());
  EXPECT_EQ(ok_of(r), true);
  EXPECT_EQ(value_of(r), Json({{"plan", "Pro"}, {"team_size", 12}}));
  EXPECT_EQ(r.effect, Effect::write);
  EXPECT_EQ(r.kind, CallKind::set_attributes);
  EXPECT_TRUE(e.take_events().empty());
  EXPECT_TRUE(!e.take_batch(100));  // inside the flush window
  EXPECT_DOUBLE_EQ(e.next_wake(100), 1100);
  const auto b = e.take_batch(1100);
  ASSERT_FALSE(!b);
  ASSERT_EQ(b->body["writes"].size(), 2u);
  const Json& w = b->body["writes"][0];
  EXPECT_EQ(w["distinctId"], "u1");
  EXPECT_EQ(w["clientId"], "c1");
  EXPECT_EQ(w["id"], "c1-" + std::to_string(w["seq"].get<std::int64_t>()));
}

// What the runtime reads instead of two more crossings after a call (core/engine_types.h).
TEST(Engine, AResponseSaysWhetherEventsWaitAndTheNextWake) {
  Engine e = ready_engine();
  const Response ok = e.command(set_attrs({{"plan", "pro"}}), 100);
  EXPECT_FALSE(ok.events);
  ASSERT_TRUE(ok.wake.has_value());
  EXPECT_DOUBLE_EQ(*ok.wake, 1100);  // the flush window from the write
  const Response bad = e.command(set_attrs({{"team_size", "twelve"}}), 200);
  EXPECT_TRUE(bad.events);  // its error event
  EXPECT_EQ(e.take_events().size(), 1u);
  Json clear = json_object();
  clear["distinctId"] = "u1";
  clear["attribute"] = "nope";
  const Response refused = e.clear(clear, 300);
  EXPECT_TRUE(refused.events);
  EXPECT_DOUBLE_EQ(*refused.wake, 1100);  // the set still waits
  e.take_events();
  Json write = json_object();
  write["distinctId"] = "u2";
  write["attributes"] = Json({{"plan", "Free"}});
  const Response later = e.write(write, 400);
  EXPECT_FALSE(later.events);  // settles once stored
  EXPECT_DOUBLE_EQ(*later.wake, 1100);
}

TEST(Engine, SetIsAllOrNothing) {
  Engine e = ready_engine();
  const Response r = e.command(set_attrs({{"plan", "Pro"}, {"team_size", "twelve"}}), 0);
  EXPECT_FALSE(ok_of(r));
  EXPECT_EQ(code_of(r), Error::attribute_value_invalid);
  EXPECT_EQ(error_of(r).attribute, "team_size");
  EXPECT_EQ(error_status(error_of(r).code), 400);
  EXPECT_TRUE(!e.take_batch(0, true));  // plan was not queued either
  const Events events = e.take_events();
  ASSERT_EQ(events.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<ErrorEvent>(events[0]));
  EXPECT_EQ(std::get<ErrorEvent>(events[0]).ticket, r.ticket);
  EXPECT_EQ(value_of(e.command(get_attrs(), 0)), Json::object());
}

TEST(Engine, EveryLocalFailureHasItsCode) {
  Engine e = ready_engine();
  EXPECT_EQ(code_of(e.command(set_attrs({{"nope", 1}}), 0)), Error::attribute_not_defined);
  EXPECT_EQ(code_of(e.command(set_attrs({{"old", "x"}}), 0)), Error::attribute_archived);
  EXPECT_EQ(code_of(e.command(set_attrs({{"bio", "far too long"}}), 0)),
            Error::attribute_value_too_long);
  EXPECT_EQ(code_of(e.command(set_attrs({{"plan", function_marker()}}), 0)),
            Error::attribute_value_invalid);
  EXPECT_EQ(code_of(e.command(identify("anonymous"), 0)), Error::distinct_id_invalid);
  EXPECT_EQ(code_of(e.command(Json::array({"do", "identify", Json::array({42})}), 0)),
            Error::distinct_id_invalid);
  EXPECT_EQ(code_of(e.command(Json::array({"set", "user:phone", Json::array({"1"})}), 0)),
            Error::invalid_command);
  EXPECT_EQ(code_of(e.command(set_attrs(Json::object(), {{"removeUnspecified", true}}), 0)),
            Error::invalid_command);
  EXPECT_EQ(events_of<ErrorEvent>(e.take_events()).size(), 8u);
  EXPECT_EQ(e.inspect()["identity"], "u1");  // a failed identify changes nothing
}

TEST(Engine, NameEmailLanguageUseTheBuiltIns) {
  Engine e = ready_engine();
  EXPECT_EQ(value_of(e.command(Json::array({"set", "user:name", Json::array({"Sam Taylor"})}), 0)),
            Json({{"name", "Sam Taylor"}}));
  EXPECT_TRUE(
      ok_of(e.command(Json::array({"set", "user:email", Json::array({"sam@example.com"})}), 0)));
  EXPECT_EQ(
      error_of(e.command(Json::array({"set", "user:email", Json::array({"not an address"})}), 0))
          .attribute,
      "email");
  EXPECT_TRUE(ok_of(e.command(Json::array({"set", "user:language", Json::array({"fr"})}), 0)));
}

TEST(Engine, WritesBeforeIdentifyAreHeldAndAttachedToTheFirstIdentify) {
  Engine e("c1");
  e.configure(test_config(), 0);
  EXPECT_TRUE(ok_of(e.command(set_attrs({{"plan", "Pro"}}), 0)));
  EXPECT_TRUE(!e.take_batch(5000, true));  // never sent anonymously
  EXPECT_DOUBLE_EQ(e.next_wake(5000), -1);
  EXPECT_EQ(e.inspect()["held"].size(), 1u);
  const Response r = e.command(identify("u1"), 6000);
  EXPECT_EQ(r.changed, true);
  EXPECT_EQ(r.effect, Effect::identify);
  // The held value was this user's all along: the first identify keeps it in the view, and its
  // stored value still updates it.
  EXPECT_EQ(value_of(e.command(get_attrs(), 6000)), Json({{"plan", "Pro"}}));
  e.command(set_attrs({{"role", "admin"}}), 6000);
  const auto b = e.take_batch(7000);
  ASSERT_FALSE(!b);
  EXPECT_EQ(attrs_of(b), (std::vector<std::string>{"u1:plan", "u1:role"}));
  EXPECT_EQ(e.inspect()["held"].size(), 0u);
  e.complete_batch(outcome(b, 200, ok_body(b, {{"plan", "PRO (stored)"}})), 7000);
  EXPECT_EQ(value_of(e.command(get_attrs(), 7000)),
            Json({{"plan", "PRO (stored)"}, {"role", "admin"}}));
}

TEST(Engine, OrderingAcrossIdentifySwitchAndReset) {
  Engine e("c1");
  e.configure(test_config(), 0);
  e.command(set_attrs({{"plan", "Free"}}), 0);  // held -> u1
  e.command(identify("u1"), 0);
  e.command(set_attrs({{"role", "a"}}), 0);    // u1
  e.command(identify("u2"), 0);                // switch: u1's writes still go to u1
  e.command(set_attrs({{"plan", "Pro"}}), 0);  // u2
  e.command(reset(), 0);
  e.command(set_attrs({{"role", "b"}}), 0);  // held -> u3
  e.command(identify("u3"), 0);
  const auto b = e.take_batch(1000);
  EXPECT_EQ(attrs_of(b), (std::vector<std::string>{"u1:plan", "u1:role", "u2:plan", "u3:role"}));
  EXPECT_EQ(b->body["writes"][2]["value"], "Pro");
  // seqs strictly increase in batch order
  for (std::size_t k = 1; k < b->body["writes"].size(); ++k)
    EXPECT_GT(b->body["writes"][k]["seq"].get<std::int64_t>(),
              b->body["writes"][k - 1]["seq"].get<std::int64_t>());
}

TEST(Engine, IdentifySameIdKeepsTheView) {
  Engine e = ready_engine();
  e.command(set_attrs({{"plan", "Pro"}}), 0);
  const Response r = e.command(identify("u1"), 0);
  EXPECT_EQ(r.changed, false);
  EXPECT_EQ(value_of(e.command(get_attrs(), 0)), Json({{"plan", "Pro"}}));
  e.command(identify("u2"), 0);
  EXPECT_EQ(value_of(e.command(get_attrs(), 0)), Json::object());
}

TEST(Engine, ResetForgetsIdentityAndView) {
  Engine e = ready_engine();
  e.command(set_attrs({{"plan", "Pro"}}), 0);
  e.command(reset(), 0);
  EXPECT_FALSE(e.inspect().contains("identity"));
  EXPECT_EQ(value_of(e.command(get_attrs(), 0)), Json::object());
  e.command(set_attrs({{"role", "guest-ish"}}), 0);
  EXPECT_EQ(value_of(e.command(get_attrs(), 0)), Json({{"role", "guest-ish"}}));
  const auto b = e.take_batch(1000);
  EXPECT_EQ(attrs_of(b), std::vector<std::string>{"u1:plan"});  // the held one waits
}

TEST(Engine, QueueFullPastTheBoundNothingLost) {
  EngineLimits limits;
  limits.max_held = 3;
  Engine e("c1", limits);
  e.configure(test_config(), 0);
  EXPECT_TRUE(ok_of(e.command(set_attrs({{"plan", "Pro"}, {"role", "a"}}), 0)));
  // Two more would pass the bound: the whole command is refused.
  EXPECT_EQ(code_of(e.command(set_attrs({{"team_size", 3}, {"bio", "x"}}), 0)), Error::queue_full);
  EXPECT_TRUE(ok_of(e.command(set_attrs({{"team_size", 3}}), 0)));
  EXPECT_EQ(code_of(e.command(set_attrs({{"bio", "x"}}), 0)), Error::queue_full);
  e.command(identify("u1"), 0);
  const auto b = e.take_batch(1000);
  EXPECT_EQ(attrs_of(b), (std::vector<std::string>{"u1:plan", "u1:role", "u1:team_size"}));
  // Once attached they no longer count against the held bound.
  EXPECT_TRUE(ok_of(e.command(set_attrs({{"bio", "x"}}), 0)));
}

TEST(Engine, QueueFullAppliesBeforeTheConfigToo) {
  EngineLimits limits;
  limits.max_held = 2;
  Engine e("c1", limits);
  e.command(identify("u1"), 0);
  EXPECT_FALSE(e.command(set_attrs({{"plan", "Pro"}}), 0).result.has_value());
  EXPECT_FALSE(e.command(set_attrs({{"role", "a"}}), 0).result.has_value());
  EXPECT_EQ(code_of(e.command(set_attrs({{"bio", "b"}}), 0)), Error::queue_full);
  EXPECT_EQ(e.inspect()["pending"].size(), 2u);
}

// Issue #14: repeated writes of one attribute collapse to the last before any cap applies, so
// 10,000 writes of one attribute before the config keep the newest value, not the first ones.
TEST(Engine, RepeatedWritesCollapseBeforeTheConfigCapApplies) {
  EngineLimits limits;
  limits.max_held = 5;
  Engine e("c1", limits);
  e.command(identify("u1"), 0);
  std::size_t tickets = 0;
  for (int i = 1; i <= 10000; ++i) {
    const Response r = e.command(set_attrs({{"team_size", i}}), i);
    ASSERT_FALSE(r.result.has_value()) << i;  // waits for the config, never queue_full
    ++tickets;
  }
  // Another attribute still fits: the repeats did not use up the bound.
  EXPECT_FALSE(e.command(set_attrs({{"role", "admin"}}), 10001).result.has_value());
  EXPECT_LE(e.inspect()["pending"].size(), 5u);
  e.configure(test_config(), 20000);
  // Every waiting command settles ok; the last of them with the newest value.
  std::size_t settled = 0;
  Json last;
  for (const SettledEvent& ev : events_of<SettledEvent>(e.take_events())) {
    if (ev.result.ok && ev.result.value.contains("team_size")) {
      last = ev.result.value["team_size"];
      ++settled;
    }
  }
  EXPECT_EQ(settled, tickets);
  EXPECT_EQ(last, 10000);
  const auto b = e.take_batch(30000);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(attrs_of(b), (std::vector<std::string>{"u1:team_size", "u1:role"}));
  EXPECT_EQ(b->body["writes"][0]["value"], 10000);
  EXPECT_EQ(value_of(e.command(get_attrs(), 30000))["team_size"], 10000);
}

// Under the cap nothing collapses early (a later invalid write must not take an earlier valid one
// with it), and a command of several attributes is never split.
TEST(Engine, CollapseOnlyUnderPressureAndNeverSplitsACommand) {
  EngineLimits limits;
  limits.max_held = 3;
  Engine e("c1", limits);
  e.command(identify("u1"), 0);
  e.command(set_attrs({{"team_size", 1}, {"role", "a"}}), 0);
  e.command(set_attrs({{"team_size", 2}}), 0);
  EXPECT_EQ(e.inspect()["pending"].size(), 3u);
  // Full: team_size 3 collapses into team_size 2 (the lone one), the pair stays whole.
  EXPECT_FALSE(e.command(set_attrs({{"team_size", 3}}), 0).result.has_value());
  EXPECT_EQ(e.inspect()["pending"].size(), 3u);
  // A new attribute cannot collapse into anything: refused.
  EXPECT_EQ(code_of(e.command(set_attrs({{"bio", "x"}}), 0)), Error::queue_full);
  e.configure(test_config(), 10);
  const auto b = e.take_batch(2000);
  // The outbox coalesces team_size 1 into the newer write, which keeps its later place.
  EXPECT_EQ(attrs_of(b), (std::vector<std::string>{"u1:role", "u1:team_size"}));
  EXPECT_EQ(b->body["writes"][1]["value"], 3);
}

// Held before any identify (config known): a rewrite of a held attribute is not refused at the cap.
TEST(Engine, HeldRewriteAtTheCapCoalescesInsteadOfQueueFull) {
  EngineLimits limits;
  limits.max_held = 2;
  Engine e("c1", limits);
  e.configure(test_config(), 0);
  e.command(set_attrs({{"plan", "Pro"}}), 0);
  e.command(set_attrs({{"role", "a"}}), 0);
  EXPECT_TRUE(ok_of(e.command(set_attrs({{"role", "b"}}), 0)));
  EXPECT_EQ(code_of(e.command(set_attrs({{"bio", "x"}}), 0)), Error::queue_full);
  e.command(identify("u1"), 0);
  const auto b = e.take_batch(1000);
  EXPECT_EQ(attrs_of(b), (std::vector<std::string>{"u1:plan", "u1:role"}));
  EXPECT_EQ(b->body["writes"][1]["value"], "b");
}

// A clear waiting for the config is never collapsed: it settles as a clear.
TEST(Engine, ClearsBeforeTheConfigAreNotCollapsed) {
  EngineLimits limits;
  limits.max_held = 2;
  Engine e("c1", limits);
  const Response c1 = e.clear(Json({{"distinctId", "u1"}, {"attribute", "role"}}), 0);
  EXPECT_FALSE(c1.result.has_value());
  e.command(identify("u1"), 0);
  e.command(set_attrs({{"role", "a"}}), 0);
  // Full: a second role write replaces the first set, not the clear.
  EXPECT_FALSE(e.command(set_attrs({{"role", "b"}}), 0).result.has_value());
  EXPECT_EQ(e.inspect()["pending"].size(), 2u);
  EXPECT_EQ(code_of(e.clear(Json({{"distinctId", "u1"}, {"attribute", "role"}}), 0)),
            Error::queue_full);
}

TEST(Engine, BeforeTheConfigWritesWaitRawAndSettleWhenValidated) {
  Engine e("c1");
  const Response init = e.command(
      Json::array({"do", "init",
                   Json::array({{{"publicKey", kKey}, {"apiHost", "https://api.example.com/"}}})}),
      0);
  EXPECT_EQ(init.effect, Effect::init);
  EXPECT_EQ(init.options.api_host, "https://api.example.com");
  e.command(identify("u1"), 0);
  const Response good = e.command(set_attrs({{"plan", "pro"}}), 10);
  const Response bad = e.command(set_attrs({{"plan", "Gold"}, {"role", "x"}}), 20);
  EXPECT_FALSE(good.result.has_value());
  EXPECT_FALSE(bad.result.has_value());
  EXPECT_TRUE(!e.take_batch(5000, true));  // nothing unvalidated is ever sent
  EXPECT_TRUE(e.snapshot().is_null());     // workspace unknown yet

  EXPECT_FALSE(e.configure(test_config(), 100).error);
  const Events events = e.take_events();
  const auto settled = events_of<SettledEvent>(events);
  ASSERT_EQ(settled.size(), 2u);
  EXPECT_EQ(settled[0].ticket, good.ticket);
  EXPECT_EQ(settled[0].result.value, Json({{"plan", "Pro"}}));
  EXPECT_EQ(settled[1].ticket, bad.ticket);
  EXPECT_EQ(settled[1].result.error.code, Error::attribute_value_invalid);
  EXPECT_EQ(settled[1].result.error.attribute, "plan");
  const auto errors = events_of<ErrorEvent>(events);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].write_ids.size(), 2u);
  const auto b = e.take_batch(1100);
  EXPECT_EQ(attrs_of(b), std::vector<std::string>{"u1:plan"});
  EXPECT_EQ(b->body["writes"][0]["value"], "Pro");
}

TEST(Engine, GetBeforeTheConfigAnswersInQueueOrder) {
  Engine e("c1");
  e.command(identify("u1"), 0);
  e.command(set_attrs({{"plan", "Pro"}}), 0);
  const Response g1 = e.command(get_attrs(), 0);
  e.command(set_attrs({{"role", "admin"}}), 0);
  e.command(identify("u2"), 0);
  const Response g2 = e.command(get_attrs(), 0);
  EXPECT_FALSE(g1.result.has_value());
  EXPECT_FALSE(g2.result.has_value());
  e.configure(test_config(), 0);
  Json values = Json::object();
  for (const SettledEvent& s : events_of<SettledEvent>(e.take_events()))
    values[std::to_string(s.ticket)] = s.result.value;
  EXPECT_EQ(values[std::to_string(g1.ticket)], Json({{"plan", "Pro"}}));
  EXPECT_EQ(values[std::to_string(g2.ticket)], Json::object());  // u2 has nothing yet
}

TEST(Engine, ClientWritesDisabledFailsLocally) {
  Engine e("c1");
  e.command(identify("u1"), 0);
  const Response early = e.command(set_attrs({{"plan", "Pro"}}), 0);
  e.configure(test_config(false), 0);
  const auto settled = events_of<SettledEvent>(e.take_events());
  ASSERT_EQ(settled.size(), 1u);
  EXPECT_EQ(settled[0].ticket, early.ticket);
  EXPECT_EQ(settled[0].result.error.code, Error::client_attribute_writes_disabled);
  EXPECT_EQ(code_of(e.command(set_attrs({{"plan", "Pro"}}), 0)),
            Error::client_attribute_writes_disabled);
  EXPECT_TRUE(!e.take_batch(5000, true));
}

TEST(Engine, CoalescingReportsTheSupersededId) {
  Engine e = ready_engine();
  const Response first = e.command(set_attrs({{"plan", "Free"}}), 0);
  e.command(set_attrs({{"plan", "Pro"}}), 10);
  const auto b = e.take_batch(1010);
  ASSERT_EQ(b->body["writes"].size(), 1u);
  EXPECT_EQ(b->body["writes"][0]["value"], "Pro");
  e.complete_batch(outcome(b, 200, ok_body(b)), 1020);
  const auto delivered = events_of<DeliveredEvent>(e.take_events());
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0].superseded, 1u);
  EXPECT_NE(first.ticket, 0u);
  EXPECT_EQ(delivered[0].person_id, "p_u1");
}

TEST(Engine, RefetchBoostedSettlesWithTheStoredValues) {
  Engine e = ready_engine();
  const Response r =
      e.command(set_attrs({{"plan", "Pro"}, {"role", "admin"}}, {{"refetchBoosted", true}}), 0);
  EXPECT_FALSE(r.result.has_value());
  const auto b = e.take_batch(1000);
  EXPECT_TRUE(events_of<SettledEvent>(e.take_events()).empty());
  e.complete_batch(outcome(b, 200, ok_body(b, {{"role", "Admin"}})), 1100);
  const auto settled = events_of<SettledEvent>(e.take_events());
  ASSERT_EQ(settled.size(), 1u);
  EXPECT_EQ(settled[0].ticket, r.ticket);
  EXPECT_EQ(settled[0].result.value, Json({{"plan", "Pro"}, {"role", "Admin"}}));
  // and the view follows what the server stored
  EXPECT_EQ(value_of(e.command(get_attrs(), 1200)), Json({{"plan", "Pro"}, {"role", "Admin"}}));
}

TEST(Engine, RefetchBoostedCoalescedSettlesWithTheNewerOutcome) {
  Engine e = ready_engine();
  const Response a = e.command(set_attrs({{"plan", "Free"}}, {{"refetchBoosted", true}}), 0);
  const Response b = e.command(set_attrs({{"plan", "Pro"}}, {{"refetchBoosted", true}}), 0);
  const auto batch = e.take_batch(1000);
  e.complete_batch(outcome(batch, 200, ok_body(batch)), 1000);
  const auto settled = events_of<SettledEvent>(e.take_events());
  ASSERT_EQ(settled.size(), 2u);
  EXPECT_EQ(settled[0].ticket, a.ticket);
  EXPECT_EQ(settled[0].result.value, Json({{"plan", "Pro"}}));
  EXPECT_EQ(settled[1].ticket, b.ticket);
}

TEST(Engine, RemoveUnspecifiedGoesAloneAndReplacesTheView) {
  Engine e = ready_engine();
  e.command(set_attrs({{"bio", "hi"}}), 0);
  e.command(set_attrs({{"plan", "Pro"}}, false), 0);  // positional refetchBoosted = false
  e.command(
      Json::array({"set", "user:attributes", Json::array({{{"role", "admin"}}, false, true})}), 0);
  EXPECT_EQ(value_of(e.command(get_attrs(), 0)), Json({{"role", "admin"}}));
  const auto b1 = e.take_batch(1000);
  EXPECT_EQ(attrs_of(b1), (std::vector<std::string>{"u1:bio", "u1:plan"}));
  EXPECT_FALSE(b1->remove_unspecified);
  e.complete_batch(outcome(b1, 200, ok_body(b1)), 1000);
  // results of writes older than the removeUnspecified do not come back into the view
  EXPECT_EQ(value_of(e.command(get_attrs(), 1000)), Json({{"role", "admin"}}));
  const auto b2 = e.take_batch(1000);
  EXPECT_EQ(b2->remove_unspecified, true);
  EXPECT_EQ(b2->body["removeUnspecified"], true);
  EXPECT_EQ(attrs_of(b2), std::vector<std::string>{"u1:role"});
}

TEST(Engine, StaleResultDoesNotOverwriteANewerLocalValue) {
  Engine e = ready_engine();
  e.command(set_attrs({{"plan", "Free"}}), 0);
  const auto b = e.take_batch(1000);
  e.command(set_attrs({{"plan", "Pro"}}), 1001);  // while the Free write is in flight
  e.complete_batch(outcome(b, 200, ok_body(b)), 1002);
  EXPECT_EQ(value_of(e.command(get_attrs(), 1003)), Json({{"plan", "Pro"}}));
}

TEST(Engine, PerWriteRejectionUsesTheServerCode) {
  Engine e = ready_engine();
  e.command(set_attrs({{"plan", "Pro"}, {"role", "admin"}}), 0);
  const auto b = e.take_batch(1000);
  Json body = ok_body(b);
  body["results"][1] = {
      {"id", b->write_ids[1]},
      {"ok", false},
      {"error", {{"code", "attribute_archived"}, {"message", "archived just now"}}}};
  EXPECT_EQ(e.complete_batch(outcome(b, 200, body), 1100).rejected, 1);
  const Events events = e.take_events();
  ASSERT_EQ(events_of<DeliveredEvent>(events).size(), 1u);
  const auto errors = events_of<ErrorEvent>(events);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].error.code, Error::attribute_archived);
  EXPECT_EQ(errors[0].error.attribute, "role");
  EXPECT_EQ(errors[0].error.message, "archived just now");
  EXPECT_EQ(errors[0].write_ids, Json::array({b->write_ids[1]}));
  EXPECT_EQ(errors[0].distinct_id, "u1");
}

TEST(Engine, ServerErrorsRetryWithBackoffThenFailAfterTenTries) {
  Engine e = ready_engine();
  const Response r = e.command(set_attrs({{"plan", "Pro"}}, {{"refetchBoosted", true}}), 0);
  double now = 1000;
  auto b = e.take_batch(now);
  const std::string id = b->write_ids[0];
  const double expected_delay[] = {500, 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000};
  for (int attempt = 1; attempt < kMaxTries; ++attempt) {
    ASSERT_FALSE(!b) << attempt;
    EXPECT_EQ(b->attempt, attempt);
    EXPECT_EQ(b->write_ids[0], id);  // the same idempotency key every time
    const auto c = e.complete_batch(outcome(b, attempt % 2 ? 503 : 500), now);
    EXPECT_EQ(c.outcome, BatchOutcome::retry);
    EXPECT_DOUBLE_EQ(c.retry_at, now + expected_delay[attempt - 1]);
    EXPECT_DOUBLE_EQ(e.next_wake(now), now + expected_delay[attempt - 1]);
    EXPECT_TRUE(!e.take_batch(now + expected_delay[attempt - 1] - 1, true));
    now += expected_delay[attempt - 1];
    b = e.take_batch(now);
  }
  ASSERT_FALSE(!b);
  EXPECT_EQ(b->attempt, kMaxTries);
  e.take_events();
  const auto last = e.complete_batch(outcome(b, 502), now);
  EXPECT_EQ(last.failed, 1u);
  const Events events = e.take_events();
  const auto errors = events_of<ErrorEvent>(events);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].error.code, Error::delivery_failed);
  const auto settled = events_of<SettledEvent>(events);
  ASSERT_EQ(settled.size(), 1u);
  EXPECT_EQ(settled[0].ticket, r.ticket);
  EXPECT_EQ(settled[0].result.ok, false);
  EXPECT_TRUE(!e.take_batch(now + 1e6, true));
}

TEST(Engine, RetryClassesNetworkTimeout408) {
  for (const Json& report :
       {Json{{"network", true}}, Json{{"timeout", true}}, Json{{"status", 408}}}) {
    Engine e = ready_engine();
    e.command(set_attrs({{"plan", "Pro"}}), 0);
    auto b = e.take_batch(1000);
    Json o = report;
    o["batchId"] = b->id;
    o["jitter"] = 0.0;
    const auto c = e.complete_batch(o, 1000);
    EXPECT_EQ(c.outcome, BatchOutcome::retry) << report;
    EXPECT_DOUBLE_EQ(c.retry_at, 1450) << report;  // 500 ms - 10%
  }
}

TEST(Engine, RetryAfterHonouredAndCappedAt300s) {
  Engine e = ready_engine();
  e.command(set_attrs({{"plan", "Pro"}}), 0);
  auto b = e.take_batch(1000);
  Json o = outcome(b, 429);
  o["retryAfter"] = 30;
  EXPECT_DOUBLE_EQ(e.complete_batch(o, 1000).retry_at, 31000);
  b = e.take_batch(31000);
  o = outcome(b, 503);
  o["retryAfter"] = 86400;
  EXPECT_DOUBLE_EQ(e.complete_batch(o, 31000).retry_at, 331000);
}

TEST(Engine, OfflineReschedulesWithoutUsingATry) {
  Engine e = ready_engine();
  e.command(set_attrs({{"plan", "Pro"}}), 0);
  auto b = e.take_batch(1000);
  const auto c = e.complete_batch({{"batchId", b->id}, {"offline", true}}, 1000);
  EXPECT_EQ(c.outcome, BatchOutcome::offline);
  EXPECT_DOUBLE_EQ(c.retry_at, 1000 + kOfflineRecheckMs);
  b = e.take_batch(1000 + kOfflineRecheckMs);
  EXPECT_EQ(b->attempt, 1);
}

TEST(Engine, FailsWritesOlderThan24Hours) {
  Engine e = ready_engine();
  e.command(set_attrs({{"plan", "Pro"}}), 0);
  auto b = e.take_batch(1000);
  EXPECT_EQ(e.complete_batch(outcome(b, 500), 1000).outcome, BatchOutcome::retry);
  e.take_events();
  EXPECT_TRUE(!e.take_batch(kMaxWriteAgeMs, true));
  const auto errors = events_of<ErrorEvent>(e.take_events());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].error.code, Error::delivery_failed);
}

TEST(Engine, Other4xxRejectsWithoutRetryOrStop) {
  Engine e = ready_engine();
  e.command(set_attrs({{"plan", "Pro"}}), 0);
  auto b = e.take_batch(1000);
  const auto c = e.complete_batch(
      outcome(b, 413, {{"error", {{"code", "payload_too_large"}, {"message", "too big"}}}}), 1000);
  EXPECT_EQ(c.outcome, BatchOutcome::rejected);
  const auto errors = events_of<ErrorEvent>(e.take_events());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].error.code, Error::payload_too_large);
  EXPECT_EQ(errors[0].error.message, "too big");
  EXPECT_TRUE(ok_of(e.command(set_attrs({{"plan", "Free"}}), 1000)));  // not stopped
  EXPECT_FALSE(!e.take_batch(3000));
}

TEST(Engine, Stop401And403ExactlyOneRequest) {
  struct Case {
    int status;
    Json body;
    Error code;
  };
  for (const Case& k : {Case{401, nullptr, Error::invalid_key},
                        Case{403,
                             {{"error", {{"code", "client_attribute_writes_disabled"}}}},
                             Error::client_attribute_writes_disabled}}) {
    Engine e = ready_engine();
    e.command(set_attrs({{"plan", "Pro"}}), 0);
    auto b = e.take_batch(1000);
    e.command(set_attrs({{"role", "admin"}}), 1001);  // queued behind the batch
    e.command(reset(), 1001);
    e.command(set_attrs({{"bio", "held"}}), 1001);  // held
    EXPECT_EQ(e.complete_batch(outcome(b, k.status, k.body), 1002).outcome, BatchOutcome::stopped);
    const auto errors = events_of<ErrorEvent>(e.take_events());
    ASSERT_EQ(errors.size(), 1u) << k.status;
    EXPECT_EQ(errors[0].error.code, k.code);
    EXPECT_EQ(errors[0].write_ids.size(), 3u);
    EXPECT_TRUE(!e.take_batch(1e9, true));
    EXPECT_DOUBLE_EQ(e.next_wake(1e9), -1);
    EXPECT_EQ(code_of(e.command(set_attrs({{"plan", "Free"}}), 2000)), k.code);
    EXPECT_EQ(e.inspect()["stopped"], error_name(k.code));
  }
}

TEST(Engine, MalformedSuccessBodyRetries) {
  Engine e = ready_engine();
  e.command(set_attrs({{"plan", "Pro"}, {"role", "a"}}), 0);
  auto b = e.take_batch(1000);
  Json body = ok_body(b);
  body["results"].erase(1);  // one write unaccounted for
  EXPECT_EQ(e.complete_batch(outcome(b, 200, body), 1000).outcome, BatchOutcome::retry);
  EXPECT_TRUE(events_of<DeliveredEvent>(e.take_events()).empty());
  b = e.take_batch(2000);
  EXPECT_EQ(b->write_ids.size(), 2u);
  EXPECT_EQ(e.complete_batch(outcome(b, 200, "not json at all"), 2000).outcome,
            BatchOutcome::retry);
}

TEST(Engine, CompleteBatchChecksTheBatchId) {
  Engine e = ready_engine();
  e.command(set_attrs({{"plan", "Pro"}}), 0);
  auto b = e.take_batch(1000);
  EXPECT_TRUE(e.complete_batch({{"batchId", "b999"}, {"status", 200}}, 1000).error.has_value());
  EXPECT_TRUE(e.complete_batch({{"status", 200}}, 1000).error.has_value());
  EXPECT_TRUE(!e.take_batch(5000, true));  // the real batch is still in flight
  EXPECT_EQ(e.complete_batch(outcome(b, 200, ok_body(b)), 1000).outcome, BatchOutcome::delivered);
  EXPECT_TRUE(e.complete_batch(outcome(b, 200, ok_body(b)), 1000).error.has_value());  // only once
}

TEST(Engine, InitRules) {
  const Json good = {{"publicKey", kKey}, {"apiHost", "https://api.example.com"}};
  Engine e("c1");
  EXPECT_EQ(e.command(Json::array({"do", "init", Json::array({good})}), 0).effect, Effect::init);
  const Response again = e.command(Json::array({"do", "init", Json::array({good})}), 0);
  EXPECT_EQ(ok_of(again), true);
  EXPECT_EQ(again.effect, Effect::none);
  Json other = good;
  other["apiHost"] = "https://other.example.com";
  EXPECT_EQ(code_of(e.command(Json::array({"do", "init", Json::array({other})}), 0)),
            Error::invalid_command);

  Engine s("c1");
  s.command(identify("u1"), 0);
  s.command(set_attrs({{"plan", "Pro"}}), 0);
  const Response r =
      s.command(Json::array({"do", "init",
                             Json::array({{{"publicKey", "sk_live_abcdefghijklmnopqrstuvwx1234"},
                                           {"apiHost", "https://a.b"}}})}),
                0);
  EXPECT_EQ(code_of(r), Error::secret_key_in_browser);
  EXPECT_EQ(r.effect, Effect::none);
  EXPECT_FALSE((r.effect == Effect::init));  // the runtime is given nothing to fetch with
  const auto settled = events_of<SettledEvent>(s.take_events());
  ASSERT_EQ(settled.size(), 1u);  // the waiting write is told, not held forever
  EXPECT_EQ(settled[0].result.error.code, Error::secret_key_in_browser);
  EXPECT_EQ(code_of(s.command(set_attrs({{"plan", "Pro"}}), 0)), Error::secret_key_in_browser);

  Engine h("c1");
  EXPECT_EQ(code_of(h.command(Json::array({"do", "init",
                                           Json::array({{{"publicKey", kKey},
                                                         {"apiHost", "http://api.example.com"}}})}),
                              0)),
            Error::invalid_api_host);
}

TEST(Engine, OnOffTellTheRuntimeWhichFunction) {
  Engine e("c1");
  const Response on =
      e.command(Json::array({"on", "delivered", Json::array({function_marker()})}), 0);
  EXPECT_EQ(on.effect, Effect::on);
  EXPECT_EQ(on.event, EventName::delivered);
  EXPECT_EQ(on.callback, 0);
  const Response off = e.command(Json::array({"off", "delivered", Json::array()}), 0);
  EXPECT_EQ(off.effect, Effect::off);
  EXPECT_FALSE((off.callback >= 0));
  const Response id =
      e.command(Json::array({"do", "identify", Json::array({"u1", function_marker()})}), 0);
  EXPECT_EQ(id.callback, 1);
}

TEST(Engine, TicketsAreUniqueAndIncreasing) {
  Engine e("c1");
  std::uint64_t last = 0;
  for (const Json& c : {identify("u1"), get_attrs(), Json("garbage"), reset()}) {
    const std::uint64_t t = e.command(c, 0).ticket;
    EXPECT_GT(t, last);
    last = t;
  }
}

TEST(Engine, SeqNeverBelowTheClock) {
  Engine e = ready_engine();
  e.command(set_attrs({{"plan", "Pro"}}), 1.7e12);
  e.command(set_attrs({{"role", "a"}}), 1.7e12);        // same millisecond: still increasing
  e.command(set_attrs({{"bio", "b"}}), 1.7e12 - 1000);  // a clock going back never lowers it
  const auto b = e.take_batch(1.7e12 + 1000);
  ASSERT_EQ(b->body["writes"].size(), 3u);
  EXPECT_EQ(b->body["writes"][0]["seq"], 1700000000000);
  EXPECT_EQ(b->body["writes"][1]["seq"], 1700000000001);
  EXPECT_EQ(b->body["writes"][2]["seq"], 1700000000002);
  EXPECT_EQ(b->body["writes"][1]["id"], "c1-1700000000001");
}

TEST(Engine, WriteApiSettlesWithPersonAndStoredValues) {
  Engine e("c1");
  e.configure(test_config(), 0);
  const Response r = e.write({{"distinctId", "u9"}, {"attributes", {{"team_size", "12"}}}}, 0);
  EXPECT_FALSE(r.result.has_value());
  EXPECT_EQ(code_of(e.write({{"distinctId", "null"}, {"attributes", {{"plan", "Pro"}}}}, 0)),
            Error::distinct_id_invalid);
  EXPECT_EQ(code_of(e.write({{"distinctId", "u9"}, {"attributes", {{"nope", 1}}}}, 0)),
            Error::attribute_not_defined);
  e.take_events();
  const auto b = e.take_batch(1000);
  EXPECT_EQ(attrs_of(b), std::vector<std::string>{"u9:team_size"});  // no identify needed
  e.complete_batch(outcome(b, 200, ok_body(b)), 1000);
  const auto settled = events_of<SettledEvent>(e.take_events());
  ASSERT_EQ(settled.size(), 1u);
  EXPECT_EQ(
      settled[0].result.value,
      Json({{"distinctId", "u9"}, {"personId", "p_u9"}, {"attributes", {{"team_size", 12}}}}));
  EXPECT_EQ(value_of(e.command(get_attrs(), 0)), Json::object());  // not this client's user
}

TEST(Engine, BadConfigIsReportedAndChangesNothing) {
  Engine e("c1");
  e.command(identify("u1"), 0);
  e.command(set_attrs({{"plan", "Pro"}}), 0);
  const ConfigureResponse r = e.configure({{"workspace", 3}}, 0);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, Error::invalid_config);
  EXPECT_EQ(events_of<ErrorEvent>(e.take_events()).size(), 1u);
  EXPECT_EQ(e.inspect()["pending"].size(), 1u);
  EXPECT_EQ(e.inspect()["configured"], false);
}

TEST(Engine, LimitsAndConstantsFromJson) {
  const EngineLimits l = engine_limits({{"maxHeld", 3},
                                        {"batchMaxWrites", 2.0},
                                        {"flushWindowMs", 250},
                                        {"maxQueued", -1},
                                        {"batchMaxBytes", "9"}});
  EXPECT_EQ(l.max_held, 3u);
  EXPECT_EQ(l.outbox.batch_max_writes, 2u);
  EXPECT_DOUBLE_EQ(l.outbox.flush_window_ms, 250);
  EXPECT_EQ(l.max_queued, EngineLimits{}.max_queued);
  EXPECT_EQ(l.outbox.batch_max_bytes, EngineLimits{}.outbox.batch_max_bytes);
  EXPECT_EQ(EngineLimits{}.outbox.batch_max_writes, 50u);
  EXPECT_EQ(EngineLimits{}.outbox.batch_max_bytes, 32u * 1024);
  EXPECT_EQ(EngineLimits{}.max_held, 500u);
  const Json c = constants_as_json();
  EXPECT_EQ(c["requestTimeoutMs"], 10000);
  EXPECT_EQ(c["maxTries"], 10);
  EXPECT_EQ(c["snapshotVersion"], 1);
  EXPECT_EQ(engine_instance({{"instance", "k3v9x0q2ab"}, {"maxHeld", 3}}), "k3v9x0q2ab");
  EXPECT_EQ(engine_instance({{"instance", 7}}), "");
  EXPECT_EQ(engine_instance(Json::array({"instance"})), "");
  EXPECT_EQ(engine_instance(nullptr), "");
}

}  // namespace
}  // namespace attrkit
