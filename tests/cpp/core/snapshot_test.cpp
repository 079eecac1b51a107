// The persistence snapshot (core/snapshot.h) and Engine::restore / load_snapshot: round trips,
// resending in-flight writes under the same ids, and every rejection.
#include "core/snapshot.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/engine.h"
#include "core/engine_json.h"
#include "engine_test_support.h"

namespace attrkit {
namespace {

using testing_support::test_config;

const char* const kKey = "pk_live_abcdefghijklmnopqrstuvwx1234";

Json set_attrs(Json attrs, bool remove = false) {
  return Json::array(
      {"set", "user:attributes", Json::array({std::move(attrs), {{"removeUnspecified", remove}}})});
}
Json identify(const std::string& id) { return Json::array({"do", "identify", Json::array({id})}); }

// An engine with something in every list: a batch in flight, a queued write, a removeUnspecified
// group, and a held write after a reset.
Engine busy_engine() {
  Engine e("c1");
  e.command(
      Json::array({"do", "init",
                   Json::array({{{"publicKey", kKey}, {"apiHost", "https://api.example.com"}}})}),
      0);
  e.configure(test_config(), 0);
  e.command(identify("u1"), 0);
  e.command(set_attrs({{"plan", "Pro"}, {"team_size", 12}}), 10);
  const Json b = as_json(e.take_batch(1010));
  EXPECT_FALSE(b.is_null());
  e.command(set_attrs({{"role", "admin"}}), 1020);
  e.command(set_attrs({{"bio", "short"}}, true), 1030);
  e.command(Json::array({"do", "reset", Json::array()}), 1040);
  e.command(set_attrs({{"plan", "Free"}}), 1050);
  return e;
}

Json valid_snapshot() { return busy_engine().snapshot(); }

TEST(Snapshot, HasTheDocumentedShapeAndNeverTheKey) {
  const Json s = valid_snapshot();
  EXPECT_EQ(s["v"], 1);
  EXPECT_EQ(s["workspace"], "acme");
  EXPECT_EQ(s["clientId"], "c1");
  EXPECT_FALSE(s.contains("identity"));  // reset
  ASSERT_EQ(s["writes"].size(), 5u);
  EXPECT_EQ(s["writes"][0]["tries"], 1);  // in flight
  EXPECT_EQ(s["writes"][3]["removeUnspecified"], true);
  EXPECT_FALSE(s["writes"][4].contains("distinctId"));  // held
  EXPECT_EQ(s.dump().find(kKey), std::string::npos);
  EXPECT_EQ(s.dump().find("pk_live"), std::string::npos);
  std::set<std::string> ids;
  for (const Json& w : s["writes"]) EXPECT_TRUE(ids.insert(w["id"].get<std::string>()).second);
}

TEST(Snapshot, RoundTripsExactly) {
  const Json s = valid_snapshot();
  Result<Engine> e = Engine::restore(s, "acme");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e.value().snapshot(), s);
  Result<SnapshotData> data = snapshot_from_json(s, "acme");
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(snapshot_to_json(data.value()), s);
}

TEST(Snapshot, RoundTripsTheViewAndIdentity) {
  Engine e("c1");
  e.configure(test_config(), 0);
  e.command(identify("u7"), 0);
  e.command(set_attrs({{"plan", "pro"}}), 0);
  const Json s = e.snapshot();
  EXPECT_EQ(s["identity"], "u7");
  EXPECT_EQ(s["view"], Json({{"plan", "Pro"}}));
  Result<Engine> r = Engine::restore(s, "acme");
  ASSERT_TRUE(r.ok());
  Engine& back = r.value();
  EXPECT_EQ(as_json(back.command(Json::array({"get", "user:attributes", Json::array()}),
                                 0))["result"]["value"],
            Json({{"plan", "Pro"}}));
  EXPECT_EQ(back.inspect()["identity"], "u7");
}

TEST(Snapshot, AReloadResendsInFlightWritesUnderTheSameIds) {
  Engine e("c1");
  e.configure(test_config(), 0);
  e.command(identify("u1"), 0);
  e.command(set_attrs({{"plan", "Pro"}}), 0);
  const Json sent = as_json(e.take_batch(1000));
  const Json saved = e.snapshot();  // the page goes away before the response

  Result<Engine> r = Engine::restore(saved, "acme");
  ASSERT_TRUE(r.ok());
  Engine& page2 = r.value();
  page2.configure(test_config(), 5000);
  const Json again = as_json(page2.take_batch(5000));  // waited long enough already: no new window
  ASSERT_FALSE(again.is_null());
  EXPECT_EQ(again["writeIds"], sent["writeIds"]);
  EXPECT_EQ(again["body"]["writes"], sent["body"]["writes"]);
  EXPECT_EQ(again["attempt"], 2);
  // New writes on the reloaded page never reuse a seq.
  page2.command(set_attrs({{"role", "x"}}), 5000);
  const std::int64_t old_seq = sent["body"]["writes"][0]["seq"];
  const Json s2 = page2.snapshot();
  EXPECT_GT(s2["writes"][1]["seq"].get<std::int64_t>(), old_seq);
}

TEST(Snapshot, RawWritesSurviveAndAreValidatedLater) {
  // A page that never got its config: the snapshot from an earlier load_snapshot carries raw
  // writes.
  Json s = {{"v", 1},
            {"workspace", "acme"},
            {"clientId", "c1"},
            {"nextSeq", 10},
            {"epoch", 1},
            {"identity", "u1"},
            {"writes", Json::array({{{"id", "c1-5"},
                                     {"seq", 5},
                                     {"unit", 5},
                                     {"attribute", "plan"},
                                     {"value", "pro"},
                                     {"created", 0},
                                     {"tries", 0},
                                     {"epoch", 1},
                                     {"distinctId", "u1"},
                                     {"raw", true}},
                                    {{"id", "c1-6"},
                                     {"seq", 6},
                                     {"unit", 6},
                                     {"attribute", "plan"},
                                     {"value", "Gold"},
                                     {"created", 0},
                                     {"tries", 0},
                                     {"epoch", 1},
                                     {"distinctId", "u1"},
                                     {"raw", true}}})}};
  Result<Engine> r = Engine::restore(s, "acme");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().snapshot(), s);
  Engine& e = r.value();
  e.configure(test_config(), 100);
  const Json events = as_json(e.take_events());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["error"]["code"], "attribute_value_invalid");
  EXPECT_EQ(events[0]["writeIds"], Json::array({"c1-6"}));
  EXPECT_TRUE(as_json(e.take_batch(100)).is_null());  // validated now: its flush window starts now
  const Json b = as_json(e.take_batch(1100));
  ASSERT_FALSE(b.is_null());
  EXPECT_EQ(b["body"]["writes"][0]["value"], "Pro");
  EXPECT_EQ(b["body"]["writes"][0]["id"], "c1-5");
}

Error restore_error(const Json& j, const char* workspace = "acme") {
  Result<Engine> r = Engine::restore(j, workspace);
  return r.ok() ? Error::ok : r.error();
}

TEST(Snapshot, RejectsCorruptInput) {
  const Json good = valid_snapshot();
  EXPECT_EQ(restore_error(good), Error::ok);
  EXPECT_EQ(restore_error(Json("{\"v\":1")), Error::snapshot_invalid);
  EXPECT_EQ(restore_error(Json::array()), Error::snapshot_invalid);
  EXPECT_EQ(restore_error(nullptr), Error::snapshot_invalid);

  const char* required[] = {"v", "workspace", "clientId", "nextSeq", "epoch", "writes"};
  for (const char* field : required) {
    Json j = good;
    j.erase(field);
    EXPECT_EQ(restore_error(j), Error::snapshot_invalid) << field;
  }
  const std::pair<const char*, Json> wrong_types[] = {{"v", "1"},
                                                      {"v", 0},
                                                      {"v", 1.5},
                                                      {"workspace", 5},
                                                      {"clientId", ""},
                                                      {"nextSeq", "9"},
                                                      {"nextSeq", 0},
                                                      {"epoch", 0},
                                                      {"identity", 42},
                                                      {"identity", "anonymous"},
                                                      {"view", Json::array()},
                                                      {"viewFloor", -1},
                                                      {"writes", Json::object()}};
  for (const auto& [field, value] : wrong_types) {
    Json j = good;
    j[field] = value;
    EXPECT_EQ(restore_error(j), Error::snapshot_invalid) << field << " = " << value;
  }
}

TEST(Snapshot, RejectsTruncatedOrInconsistentWrites) {
  const Json good = valid_snapshot();
  const char* fields[] = {"id", "seq", "unit", "attribute", "value", "created", "tries", "epoch"};
  for (const char* field : fields) {
    Json j = good;
    j["writes"].back().erase(field);  // the last write cut short, as a partial save would leave it
    EXPECT_EQ(restore_error(j), Error::snapshot_invalid) << field;
  }
  const std::pair<const char*, Json> bad_values[] = {
      {"id", ""},
      {"seq", 0},
      {"seq", "1"},
      {"unit", 0},
      {"attribute", ""},
      {"created", "yesterday"},
      {"tries", 11},
      {"tries", -1},
      {"epoch", 99},
      {"raw", "yes"},
      {"removeUnspecified", 1},
      {"clientId", ""},
      {"distinctId", "undefined"},
      {"value", Json::binary(Json::binary_t::container_type{}, 1)}};
  for (const auto& [field, value] : bad_values) {
    Json j = good;
    j["writes"][0][field] = value;
    EXPECT_EQ(restore_error(j), Error::snapshot_invalid) << field << " = " << value.dump();
  }
  Json seq_too_high = good;
  seq_too_high["writes"][0]["seq"] = good["nextSeq"];
  EXPECT_EQ(restore_error(seq_too_high), Error::snapshot_invalid);
  Json unit_after_seq = good;
  unit_after_seq["writes"][0]["unit"] = good["writes"][0]["seq"].get<std::int64_t>() + 1;
  EXPECT_EQ(restore_error(unit_after_seq), Error::snapshot_invalid);
  Json duplicate = good;
  duplicate["writes"][1]["id"] = good["writes"][0]["id"];
  EXPECT_EQ(restore_error(duplicate), Error::snapshot_invalid);
  Json held_while_identified = good;
  held_while_identified["identity"] = "u1";  // the last write is held
  EXPECT_EQ(restore_error(held_while_identified), Error::snapshot_invalid);
  Json not_an_object = good;
  not_an_object["writes"].push_back("c1-99");
  EXPECT_EQ(restore_error(not_an_object), Error::snapshot_invalid);
}

TEST(Snapshot, ForeignAndFutureVersions) {
  const Json good = valid_snapshot();
  EXPECT_EQ(restore_error(good, "other"), Error::snapshot_foreign);
  Json future = good;
  future["v"] = 2;
  EXPECT_EQ(restore_error(future), Error::snapshot_version);
  // A newer schema is reported as such even if everything else changed shape.
  EXPECT_EQ(restore_error(Json{{"v", 7}, {"state", "new layout"}}), Error::snapshot_version);
  EXPECT_EQ(restore_error(Json{{"v", 7}}, "other"), Error::snapshot_version);
}

TEST(Snapshot, AcceptsIntegralDoublesFromJs) {
  Json j = valid_snapshot();
  j["v"] = 1.0;
  j["nextSeq"] = j["nextSeq"].get<double>();
  j["writes"][0]["seq"] = j["writes"][0]["seq"].get<double>();
  EXPECT_EQ(restore_error(j), Error::ok);
}

TEST(LoadSnapshot, MergesIntoAFreshPageAndRenumbersItsWrites) {
  // Page 2 starts, its queue replays a write before the stored state is loaded.
  Engine page("c1");
  page.command(set_attrs({{"role", "admin"}}), 3);  // seq 3 by the clock: below the stored nextSeq
  Json stored = {{"v", 1},
                 {"workspace", "acme"},
                 {"clientId", "c1"},
                 {"nextSeq", 50},
                 {"epoch", 4},
                 {"identity", "u1"},
                 {"view", {{"plan", "Pro"}}},
                 {"writes", Json::array({{{"id", "c1-40"},
                                          {"seq", 40},
                                          {"unit", 40},
                                          {"attribute", "plan"},
                                          {"value", "Pro"},
                                          {"created", 0},
                                          {"tries", 1},
                                          {"epoch", 4},
                                          {"distinctId", "u1"}}})}};
  const Json r = loaded_as_json(page.load_snapshot(stored, "acme", 10));
  EXPECT_EQ(r["ok"], true);
  EXPECT_EQ(r["restored"], 1);
  EXPECT_EQ(page.inspect()["identity"], "u1");  // the identity carries across the reload
  page.configure(test_config(), 10);
  const Json b = as_json(page.take_batch(10));
  ASSERT_FALSE(b.is_null());
  ASSERT_EQ(b["body"]["writes"].size(), 2u);
  EXPECT_EQ(b["body"]["writes"][0]["id"], "c1-40");
  EXPECT_EQ(b["body"]["writes"][1]["id"], "c1-50");  // renumbered after the stored ones
  EXPECT_EQ(b["body"]["writes"][1]["distinctId"], "u1");
  EXPECT_EQ(as_json(page.command(Json::array({"get", "user:attributes", Json::array()}),
                                 10))["result"]["value"],
            Json({{"plan", "Pro"}, {"role", "admin"}}));
}

TEST(LoadSnapshot, APageThatIdentifiedKeepsItsIdentity) {
  Engine page("c1");
  page.configure(test_config(), 0);
  page.command(identify("u2"), 0);
  Json stored = {{"v", 1},
                 {"workspace", "acme"},
                 {"clientId", "c1"},
                 {"nextSeq", 3},
                 {"epoch", 2},
                 {"view", {{"plan", "Free"}}},
                 {"writes", Json::array({{{"id", "c1-2"},
                                          {"seq", 2},
                                          {"unit", 2},
                                          {"attribute", "plan"},
                                          {"value", "Free"},
                                          {"created", 0},
                                          {"tries", 0},
                                          {"epoch", 2}}})}};
  EXPECT_EQ(loaded_as_json(page.load_snapshot(stored, "acme", 0))["ok"], true);
  EXPECT_EQ(page.inspect()["identity"], "u2");
  // The stored held write meets its first identify: this page's.
  const Json b = as_json(page.take_batch(2000));
  ASSERT_FALSE(b.is_null());
  EXPECT_EQ(b["body"]["writes"][0]["distinctId"], "u2");
  // The stored view belonged to whoever was current before; it is not this user's.
  EXPECT_EQ(as_json(page.command(Json::array({"get", "user:attributes", Json::array()}),
                                 0))["result"]["value"],
            Json::object());
}

TEST(LoadSnapshot, RefusedAfterTheFirstBatchOrForAnotherWorkspace) {
  Engine e("c1");
  e.configure(test_config(), 0);
  e.command(identify("u1"), 0);
  const Json stored = Engine("c1").snapshot();  // null: no workspace
  EXPECT_TRUE(stored.is_null());
  Json other = valid_snapshot();
  other["workspace"] = "globex";
  EXPECT_EQ(loaded_as_json(e.load_snapshot(other, "globex", 0))["error"]["code"],
            "snapshot_foreign");  // configured for acme
  EXPECT_EQ(loaded_as_json(e.load_snapshot(valid_snapshot(), "globex", 0))["error"]["code"],
            "snapshot_foreign");
  Json future = valid_snapshot();
  future["v"] = 3;
  EXPECT_EQ(loaded_as_json(e.load_snapshot(future, "acme", 0))["error"]["code"],
            "snapshot_version");
  EXPECT_EQ(e.inspect()["outbox"].size(), 0u);  // nothing half-loaded
  e.command(set_attrs({{"plan", "Pro"}}), 0);
  ASSERT_FALSE(as_json(e.take_batch(0, true)).is_null());
  EXPECT_EQ(loaded_as_json(e.load_snapshot(valid_snapshot(), "acme", 0))["error"]["code"],
            "invalid_request");
}

}  // namespace
}  // namespace attrkit
