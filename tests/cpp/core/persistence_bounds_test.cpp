// Persistence across tabs and time (docs/engine.md "Bounds of the stored state", "Adopting another
// tab's state"): write ids per running instance, Engine::save's 7-day and 256 KB bounds, the
// keepalive flush budget, adopt().
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/engine.h"
#include "core/engine_json.h"
#include "core/snapshot.h"
#include "engine_test_support.h"

namespace attrkit {
namespace {

using testing_support::test_config;

constexpr double kDay = 24.0 * 3600 * 1000;
constexpr double kT0 = 1.7e12;  // a realistic clock: seqs come from it

Json set_attrs(Json attrs, bool remove = false) {
  return Json::array(
      {"set", "user:attributes", Json::array({std::move(attrs), {{"removeUnspecified", remove}}})});
}
Json identify(const std::string& id) { return Json::array({"do", "identify", Json::array({id})}); }
Json get_view() { return Json::array({"get", "user:attributes", Json::array()}); }

Json stored(const Json& batch) {
  Json results = Json::array();
  for (const Json& w : batch["body"]["writes"])
    results.push_back({{"id", w["id"]},
                       {"ok", true},
                       {"personId", "p"},
                       {"attribute", w["attribute"]},
                       {"value", w["value"]}});
  return {{"results", results}};
}

Json complete(Engine& e, const Json& batch, Json outcome, double now) {
  outcome["batchId"] = batch["batchId"];
  return as_json(e.complete_batch(outcome, now));
}

// An engine of instance `instance` of install "c1", configured and identified as `user`.
Engine tab(const std::string& instance, const std::string& user = "u1") {
  Engine e("c1", {}, instance);
  e.configure(test_config(), kT0);
  if (!user.empty()) as_json(e.command(identify(user), kT0));
  e.take_events();
  return e;
}

std::vector<std::string> ids_of(const Json& batch) {
  std::vector<std::string> ids;
  for (const Json& w : batch["body"]["writes"]) ids.push_back(w["id"]);
  return ids;
}

TEST(InstanceIds, TwoTabsInTheSameMillisecondNeverShareAnId) {
  Engine a = tab("aaaa");
  Engine b = tab("bbbb");
  a.command(set_attrs({{"plan", "Pro"}}), kT0);
  b.command(set_attrs({{"plan", "Free"}}), kT0);
  const Json ba = as_json(a.take_batch(kT0, true));
  const Json bb = as_json(b.take_batch(kT0, true));
  const Json wa = ba["body"]["writes"][0];
  const Json wb = bb["body"]["writes"][0];
  EXPECT_EQ(wa["id"], "c1-aaaa-1700000000000");
  EXPECT_EQ(wb["id"], "c1-bbbb-1700000000000");
  // One install: the server orders both tabs' writes by seq under one client id (DESIGN §7).
  EXPECT_EQ(wa["clientId"], "c1");
  EXPECT_EQ(wb["clientId"], "c1");
  EXPECT_EQ(wa["seq"], wb["seq"]);
}

TEST(InstanceIds, RenumberedWritesKeepTheInstance) {
  Engine page("c1", {}, "new1");
  page.command(set_attrs({{"role", "admin"}}), 3);
  const Json s = {{"v", 1},
                  {"workspace", "acme"},
                  {"clientId", "c1"},
                  {"nextSeq", 50},
                  {"epoch", 1},
                  {"identity", "u1"},
                  {"writes", Json::array({{{"id", "c1-old1-40"},
                                           {"seq", 40},
                                           {"unit", 40},
                                           {"attribute", "plan"},
                                           {"value", "Pro"},
                                           {"created", 0},
                                           {"tries", 1},
                                           {"epoch", 1},
                                           {"distinctId", "u1"}}})}};
  ASSERT_EQ(loaded_as_json(page.load_snapshot(s, "acme", 10))["ok"], true);
  page.configure(test_config(), 10);
  EXPECT_EQ(ids_of(as_json(page.take_batch(10))),
            (std::vector<std::string>{"c1-old1-40", "c1-new1-50"}));
}

TEST(SaveBounds, WritesKeptSevenDaysAreFailedNotStored) {
  Engine e("c1", {}, "i1");
  e.configure(test_config(), 0);
  e.command(set_attrs({{"plan", "Pro"}}), kT0);  // held: no identify yet
  e.take_events();
  EXPECT_EQ(e.save(kT0 + 7 * kDay - 1)["writes"].size(), 1u);
  EXPECT_TRUE(as_json(e.take_events()).empty());
  const Json s = e.save(kT0 + 7 * kDay);
  EXPECT_EQ(s["writes"].size(), 0u);
  const Json events = as_json(e.take_events());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["error"]["code"], "delivery_failed");
  EXPECT_EQ(events[0]["writeIds"], Json::array({"c1-i1-1700000000000"}));
  e.command(identify("u1"), kT0 + 7 * kDay);
  EXPECT_TRUE(as_json(e.take_batch(kT0 + 8 * kDay, true)).is_null());  // gone, not sent
}

TEST(SaveBounds, OutboxWritesPast24HoursAreNotStored) {
  Engine e = tab("i1");
  e.command(set_attrs({{"plan", "Pro"}}), kT0);
  EXPECT_EQ(e.save(kT0 + kDay)["writes"].size(), 0u);
  const Json events = as_json(e.take_events());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["error"]["code"], "delivery_failed");
}

TEST(SaveBounds, RestoresDropWritesPastSevenDays) {
  const Json old_write = {{"id", "c1-x-5"}, {"seq", 5},       {"unit", 5},  {"attribute", "plan"},
                          {"value", "Pro"}, {"created", kT0}, {"tries", 0}, {"epoch", 1}};
  Json fresh = old_write;
  fresh["id"] = "c1-x-6";
  fresh["seq"] = 6;
  fresh["unit"] = 6;
  fresh["attribute"] = "role";
  fresh["value"] = "admin";
  fresh["created"] = kT0 + 6 * kDay;
  const Json s = {{"v", 1},           {"workspace", "acme"},
                  {"clientId", "c1"}, {"nextSeq", 7},
                  {"epoch", 1},       {"writes", Json::array({old_write, fresh})}};

  Engine loaded("c1", {}, "i2");
  const Json r = loaded_as_json(loaded.load_snapshot(s, "acme", kT0 + 7 * kDay));
  EXPECT_EQ(r["restored"], 1);
  Json events = as_json(loaded.take_events());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["error"]["code"], "delivery_failed");
  EXPECT_EQ(events[0]["writeIds"], Json::array({"c1-x-5"}));
  EXPECT_EQ(loaded.inspect()["held"].size(), 1u);

  Engine adopter("c1", {}, "i3");
  EXPECT_EQ(adopted_as_json(adopter.adopt(s, "acme", kT0 + 7 * kDay))["adopted"], 1);
  events = as_json(adopter.take_events());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["writeIds"], Json::array({"c1-x-5"}));
}

TEST(SaveBounds, OverTheSizeCapTheOldestCommandsAreDroppedWithOneEvent) {
  Engine e = tab("i1");
  const std::string big(600, 'x');
  // 400 writes of ~850 estimated bytes (one per person: nothing coalesces) is over 256 KB.
  for (int k = 0; k < 400; ++k) {
    const Json r = as_json(e.write(
        {{"distinctId", "p" + std::to_string(k)}, {"attributes", {{"role", big}}}}, kT0 + k));
    ASSERT_FALSE(r.contains("result")) << r.dump();
  }
  e.take_events();
  const Json in_flight =
      as_json(e.take_batch(kT0 + 400, true));  // the oldest 37 or so: kept whatever happens
  ASSERT_FALSE(in_flight.is_null());
  const Json s = e.save(kT0 + 500);
  EXPECT_LE(s.dump().size(), kMaxSnapshotBytes);
  const Json events = as_json(e.take_events());
  int errors = 0;
  Json dropped;
  for (const Json& ev : events)
    if (ev["type"] == "error") {
      ++errors;
      dropped = ev;
    }
  ASSERT_EQ(errors, 1);
  EXPECT_EQ(dropped["error"]["code"], "queue_full");
  const std::size_t n_in_flight = in_flight["writeIds"].size();
  // Oldest first, right after the in-flight ones; every dropped write's Promise settled failed.
  ASSERT_GT(dropped["writeIds"].size(), 0u);
  EXPECT_EQ(dropped["writeIds"][0],
            "c1-i1-" + std::to_string(static_cast<std::int64_t>(kT0) +
                                      static_cast<std::int64_t>(n_in_flight)));
  int settled_failed = 0;
  for (const Json& ev : events)
    if (ev["type"] == "settled" && ev["result"]["ok"] == false) ++settled_failed;
  EXPECT_EQ(settled_failed, static_cast<int>(dropped["writeIds"].size()));
  EXPECT_EQ(s["writes"].size() + dropped["writeIds"].size(), 400u);
  EXPECT_EQ(s["writes"][0]["id"], in_flight["writeIds"][0]);  // in flight: stored
  EXPECT_EQ(s["writes"].back()["id"],
            "c1-i1-" + std::to_string(static_cast<std::int64_t>(kT0) + 399));  // newest kept
  // The in-flight batch still completes normally.
  EXPECT_EQ(
      complete(e, in_flight, {{"status", 200}, {"body", stored(in_flight)}}, kT0 + 600)["outcome"],
      "delivered");
}

TEST(SaveBounds, OlderValuesOfOnePersonAndAttributeCollapseFirst) {
  Engine e("c1", {}, "i1");
  Json config = test_config();
  config["attributes"].push_back({{"key", "blob"}, {"type", "string"}, {"max_length", 200000}});
  e.configure(config, kT0);
  e.command(identify("u1"), kT0);
  // A write in flight, retried, while a newer value of the same attribute queued behind it: both
  // stay in the outbox (coalescing skips in-flight writes) until the cap collapses them.
  e.command(set_attrs({{"blob", std::string(100000, 'a')}}), kT0);
  const Json b = as_json(e.take_batch(kT0, true));
  ASSERT_EQ(b["writeIds"].size(), 1u);
  e.command(set_attrs({{"blob", std::string(100000, 'b')}}), kT0 + 1);
  ASSERT_EQ(complete(e, b, {{"status", 503}}, kT0 + 2)["outcome"], "retry");
  const double retry_at = e.inspect()["retryAt"];
  e.take_events();
  const Json s = e.save(kT0 + 400);
  EXPECT_LE(s.dump().size(), kMaxSnapshotBytes);
  for (const Json& ev : as_json(e.take_events()))
    EXPECT_NE(ev["type"], "error") << ev.dump();  // nothing dropped
  std::vector<std::string> ids;
  for (const Json& w : s["writes"]) ids.push_back(w["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"c1-i1-1700000000001"}));  // blob "a" collapsed into "b"
  // The backoff of the retried batch holds.
  EXPECT_EQ(e.inspect()["retryAt"], retry_at);
  EXPECT_TRUE(as_json(e.take_batch(retry_at - 1)).is_null());
  const Json again = as_json(e.take_batch(retry_at));
  ASSERT_FALSE(again.is_null());
  EXPECT_EQ(again["writeIds"], Json::array({"c1-i1-1700000000001"}));
  // Once delivered, the collapsed write is counted as superseded.
  complete(e, again, {{"status", 200}, {"body", stored(again)}}, retry_at);
  bool reported = false;
  for (const Json& ev : as_json(e.take_events()))
    if (ev["type"] == "delivered" && ev["attribute"] == "blob") reported = ev["superseded"] == 1;
  EXPECT_TRUE(reported);
}

TEST(KeepaliveFlush, NeverCutsABatchOverTheBudget) {
  EngineLimits limits;
  Engine e("c1", limits, "i1");
  Json config = test_config();
  for (int k = 0; k < 100; ++k)
    config["attributes"].push_back({{"key", "a" + std::to_string(k)}, {"type", "string"}});
  e.configure(config, kT0);
  e.command(identify("u1"), kT0);
  Json attrs = Json::object();
  for (int k = 0; k < 100; ++k) attrs["a" + std::to_string(k)] = std::string(650, 'z');
  e.command(set_attrs(attrs, true), kT0);  // one removeUnspecified command: goes whole, ~70 KB
  e.command(set_attrs({{"plan", "Pro"}}), kT0);
  EXPECT_TRUE(
      as_json(e.take_flush(kT0)).is_null());  // over 60 KB: left for the timer or the next page
  const Json normal = as_json(e.take_batch(kT0 + 1000));  // the page stayed: the timer sends it
  ASSERT_FALSE(normal.is_null());
  EXPECT_GT(normal["bytes"].get<std::size_t>(), kKeepaliveMaxBytes);
  EXPECT_TRUE(as_json(e.take_flush(kT0 + 1000)).is_null());  // one in flight: nothing more
  complete(e, normal, {{"status", 200}, {"body", stored(normal)}}, kT0 + 1001);
  const Json flushed = as_json(e.take_flush(kT0 + 1001));
  ASSERT_FALSE(flushed.is_null());
  EXPECT_LE(flushed["bytes"].get<std::size_t>(), kKeepaliveMaxBytes);
}

TEST(KeepaliveFlush, AFullBatchIsUnderTheBudget) {
  Engine e = tab("i1");
  // More than a batch: a flush sends the first 32 KB and leaves the rest.
  for (int k = 0; k < 120; ++k)
    e.write({{"distinctId", "p" + std::to_string(k)},
             {"attributes", {{"role", std::string(500, 'q')}}}},
            kT0);
  const Json f = as_json(e.take_flush(kT0));
  ASSERT_FALSE(f.is_null());
  EXPECT_LE(f["bytes"].get<std::size_t>(), 32u * 1024);
  EXPECT_LT(f["writeIds"].size(), 120u);
  EXPECT_EQ(e.save(kT0)["writes"].size(), 120u);  // the rest is stored (the flushed ones too)
}

// The state a closed tab left: instance "dead" of install c1, identified as u1.
Json dead_tab_state() {
  Engine dead = tab("dead");
  dead.command(set_attrs({{"plan", "Pro"}, {"role", "admin"}}), kT0 + 10);
  const Json b = as_json(dead.take_batch(kT0 + 10, true));  // in flight when the tab went away
  dead.command(set_attrs({{"team_size", 12}}), kT0 + 20);
  return dead.save(kT0 + 30);
}

TEST(Adopt, TakesAnotherTabsWritesUnderTheirIdsAndKeepsItsOwnIdentity) {
  Engine live = tab("live", "u2");
  live.command(set_attrs({{"bio", "mine"}}), kT0 + 5);
  const Json first =
      as_json(live.take_batch(kT0 + 2000));  // adopting works while a batch is in flight
  ASSERT_FALSE(first.is_null());
  const Json r = adopted_as_json(live.adopt(dead_tab_state(), "acme", kT0 + 2000));
  EXPECT_EQ(r, Json({{"ok", true}, {"adopted", 3}}));
  EXPECT_EQ(live.inspect()["identity"], "u2");
  EXPECT_EQ(as_json(live.command(get_view(), kT0 + 2000))["result"]["value"],
            Json({{"bio", "mine"}}));
  complete(live, first, {{"status", 200}, {"body", stored(first)}}, kT0 + 2001);
  const Json b = as_json(live.take_batch(kT0 + 2001));
  ASSERT_FALSE(b.is_null());
  EXPECT_EQ(ids_of(b), (std::vector<std::string>{"c1-dead-1700000000010", "c1-dead-1700000000011",
                                                 "c1-dead-1700000000020"}));
  for (const Json& w : b["body"]["writes"]) {
    EXPECT_EQ(w["distinctId"], "u1");  // attached where they were made
    EXPECT_EQ(w["clientId"], "c1");
  }
  // New writes rank above the adopted ones.
  live.command(set_attrs({{"bio", "later"}}), kT0 + 15);
  EXPECT_GT(live.inspect()["outbox"].back()["seq"].get<std::int64_t>(), 1700000000020);
  // The adopted writes' outcome does not touch this page's view (another tab's user).
  complete(live, b, {{"status", 200}, {"body", stored(b)}}, kT0 + 2002);
  EXPECT_EQ(as_json(live.command(get_view(), kT0 + 2002))["result"]["value"],
            Json({{"bio", "later"}}));
}

TEST(Adopt, TheSameStateTwiceIsTakenOnce) {
  Engine live = tab("live");
  const Json state = dead_tab_state();
  EXPECT_EQ(adopted_as_json(live.adopt(state, "acme", kT0 + 100))["adopted"], 3);
  EXPECT_EQ(adopted_as_json(live.adopt(state, "acme", kT0 + 100))["adopted"], 0);
  EXPECT_EQ(live.inspect()["outbox"].size(), 3u);
}

TEST(Adopt, HeldWritesWaitForThisPagesIdentify) {
  Engine closed("c1", {}, "gone");
  closed.configure(test_config(), kT0);
  closed.command(set_attrs({{"plan", "Pro"}}), kT0);  // never identified
  Engine live("c1", {}, "live");
  live.configure(test_config(), kT0);
  EXPECT_EQ(adopted_as_json(live.adopt(closed.save(kT0), "acme", kT0 + 1))["adopted"], 1);
  EXPECT_EQ(live.inspect()["held"].size(), 1u);
  EXPECT_TRUE(as_json(live.take_batch(kT0 + 5000, true)).is_null());
  live.command(identify("u9"), kT0 + 5000);
  const Json b = as_json(live.take_batch(kT0 + 5000, true));
  ASSERT_FALSE(b.is_null());
  EXPECT_EQ(b["body"]["writes"][0]["distinctId"], "u9");
  EXPECT_EQ(b["body"]["writes"][0]["id"], "c1-gone-1700000000000");
}

TEST(Adopt, AnOlderAdoptedValueNeverDisplacesANewerOne) {
  const Json state = dead_tab_state();  // plan "Pro" at kT0+10 for u1
  Engine live = tab("live");
  live.command(set_attrs({{"plan", "Free"}}), kT0 + 50);  // newer, same person and attribute
  live.adopt(state, "acme", kT0 + 60);
  const Json b = as_json(live.take_batch(kT0 + 2000));
  ASSERT_FALSE(b.is_null());
  std::vector<std::string> plans;
  for (const Json& w : b["body"]["writes"])
    if (w["attribute"] == "plan") plans.push_back(w["value"]);
  EXPECT_EQ(plans, std::vector<std::string>{"Free"});
  complete(live, b, {{"status", 200}, {"body", stored(b)}}, kT0 + 2001);
  bool reported = false;
  for (const Json& ev : as_json(live.take_events()))
    if (ev["type"] == "delivered" && ev["attribute"] == "plan") reported = ev["superseded"] == 1;
  EXPECT_TRUE(reported);

  // A newer adopted value replaces an older one of this page.
  Engine older = tab("old2");
  older.command(set_attrs({{"team_size", 3}}), kT0);
  older.adopt(state, "acme", kT0 + 60);
  const Json b2 = as_json(older.take_batch(kT0 + 2000));
  std::vector<Json> sizes;
  for (const Json& w : b2["body"]["writes"])
    if (w["attribute"] == "team_size") sizes.push_back(w["value"]);
  EXPECT_EQ(sizes, std::vector<Json>{12});
}

TEST(Adopt, RepeatedUnitsOfAnotherTabStaySeparateCommands) {
  // Both tabs start a removeUnspecified command in the same millisecond: same unit, other writer.
  Engine other("c1", {}, "other");
  other.configure(test_config(), kT0);
  other.command(identify("u1"), kT0);
  other.command(set_attrs({{"plan", "Pro"}}, true), kT0);
  Engine live = tab("live");
  live.command(set_attrs({{"role", "admin"}}, true), kT0);
  live.adopt(other.save(kT0), "acme", kT0);
  const Json b1 = as_json(live.take_batch(kT0 + 1000));
  ASSERT_FALSE(b1.is_null());
  EXPECT_EQ(b1["writeIds"].size(), 1u);  // not one removeUnspecified batch of both commands
  complete(live, b1, {{"status", 200}, {"body", stored(b1)}}, kT0 + 1000);
  const Json b2 = as_json(live.take_batch(kT0 + 1000));
  ASSERT_FALSE(b2.is_null());
  EXPECT_EQ(b2["writeIds"].size(), 1u);
  EXPECT_EQ(b2["removeUnspecified"], true);
  // The moved unit survives a reload of the adopting page.
  EXPECT_TRUE(Engine::restore(live.snapshot(), "acme").ok());
}

TEST(Adopt, RefusedWhenForeignCorruptOrStopped) {
  Engine live = tab("live");
  EXPECT_EQ(adopted_as_json(live.adopt(Json::array(), "acme", 0))["error"]["code"],
            "snapshot_invalid");
  EXPECT_EQ(adopted_as_json(live.adopt(dead_tab_state(), "globex", 0))["error"]["code"],
            "snapshot_foreign");
  Engine stopped("c1", {}, "s");
  stopped.command(Json::array({"do", "init", Json::array({{{"publicKey", "sk_live_nope"}}})}), 0);
  EXPECT_EQ(adopted_as_json(stopped.adopt(dead_tab_state(), "acme", 0))["error"]["code"],
            "secret_key_in_browser");
}

TEST(LoadSnapshot, OnlyOnceASecondStateIsAdopted) {
  Engine page("c1", {}, "p");
  const Json state = dead_tab_state();
  EXPECT_EQ(loaded_as_json(page.load_snapshot(state, "acme", kT0))["ok"], true);
  EXPECT_EQ(loaded_as_json(page.load_snapshot(state, "acme", kT0))["error"]["code"],
            "invalid_request");
  EXPECT_EQ(page.inspect()["outbox"].size(), 3u);
}

}  // namespace
}  // namespace attrkit
