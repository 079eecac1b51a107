// Clears as a write kind in the outbox (Engine::clear, DESIGN §2b clearAttribute): ordered with the
// person's writes, coalesced, retried, persisted across a reload, settled once stored.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/batch.h"
#include "core/engine.h"
#include "engine_test_support.h"

namespace attrkit {
namespace {

using testing_support::events_of;
using testing_support::outcome;
using testing_support::test_config;

Json clear_req(const char* id, const char* attribute) {
  return {{"distinctId", id}, {"attribute", attribute}};
}
Json write_req(const char* id, Json attributes) {
  return {{"distinctId", id}, {"attributes", std::move(attributes)}};
}

// The body's entries as "attribute=value" or "attribute cleared", in order.
std::vector<std::string> entries(const std::optional<Batch>& b) {
  std::vector<std::string> out;
  for (const Json& w : b->body["writes"])
    out.push_back(w["attribute"].get<std::string>() +
                  (w.contains("clear") ? " cleared" : "=" + w["value"].dump()));
  return out;
}

// A 200 answer storing each entry as sent (a clear as null).
Json stored_body(const std::optional<Batch>& b) {
  Json results = Json::array();
  for (const Json& w : b->body["writes"])
    results.push_back({{"id", w["id"]},
                       {"ok", true},
                       {"personId", "p1"},
                       {"attribute", w["attribute"]},
                       {"value", w.contains("clear") ? Json(nullptr) : w["value"]}});
  return {{"results", results}};
}

Engine configured() {
  Engine e("c1");
  e.configure(test_config(), 0);
  return e;
}

TEST(EngineClear, GoesInOrderWithTheWritesAroundItAndSettlesOnceStored) {
  Engine e = configured();
  e.write(write_req("u1", {{"role", "a"}}), 0);
  const Response c = e.clear(clear_req("u1", "plan"), 1);
  EXPECT_EQ(c.kind, CallKind::clear);
  EXPECT_EQ(c.effect, Effect::write);
  EXPECT_FALSE(c.result);  // settles once stored
  e.write(write_req("u1", {{"team_size", 3}}), 2);
  const auto b = e.take_batch(5000);
  ASSERT_TRUE(b);
  EXPECT_EQ(entries(b), (std::vector<std::string>{"role=\"a\"", "plan cleared", "team_size=3"}));
  const Json& entry = b->body["writes"][1];
  EXPECT_FALSE(entry.contains("value"));
  EXPECT_EQ(entry["clientId"], "c1");
  e.take_events();
  e.complete_batch(outcome(b, 200, stored_body(b)), 5001);
  bool settled = false;
  for (const SettledEvent& s : events_of<SettledEvent>(e.take_events())) {
    if (s.ticket != c.ticket) continue;
    settled = true;
    EXPECT_EQ(
        s.result.value,
        (Json{
            {"distinctId", "u1"}, {"personId", "p1"}, {"attribute", "plan"}, {"value", nullptr}}));
  }
  EXPECT_TRUE(settled);
  EXPECT_EQ(e.believed("u1"), (Json{{"role", "a"}, {"team_size", 3}}));
}

TEST(EngineClear, CoalescesWithTheSameAttributeOfThatPerson) {
  Engine e = configured();
  const Response w = e.write(write_req("u1", {{"role", "a"}}), 0);
  const Response c = e.clear(clear_req("u1", "role"), 1);
  const auto b = e.take_batch(5000);
  ASSERT_TRUE(b);
  EXPECT_EQ(entries(b),
            std::vector<std::string>{"role cleared"});  // the write it replaced is not sent
  e.take_events();
  e.complete_batch(outcome(b, 200, stored_body(b)), 5001);
  const Events events = e.take_events();
  const auto settled = events_of<SettledEvent>(events);
  ASSERT_EQ(settled.size(), 2u);  // both calls settle with what was stored: nothing
  EXPECT_EQ(settled[0].ticket, w.ticket);
  EXPECT_EQ(settled[1].ticket, c.ticket);
  const auto delivered = events_of<DeliveredEvent>(events);
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0].superseded, 1u);  // the write, counted with the clear
  EXPECT_TRUE(delivered[0].value.is_null());
}

TEST(EngineClear, IsRetriedAndSurvivesAReloadWithItsIdempotencyKey) {
  Engine e = configured();
  e.write(write_req("u1", {{"role", "a"}}), 0);
  e.clear(clear_req("u1", "role"), 1);  // coalesces: the clear alone is left
  e.write(write_req("u1", {{"plan", "Pro"}}), 2);
  const auto first = e.take_batch(5000);
  ASSERT_TRUE(first);
  e.complete_batch(Json{{"batchId", first->id}, {"network", true}, {"jitter", 0.5}},
                   5001);  // offline
  const Json saved = e.snapshot();
  Result<Engine> reloaded = Engine::restore(saved, "acme");
  ASSERT_TRUE(reloaded.ok());
  Engine& r = reloaded.value();
  r.configure(test_config(), 6000);
  const auto again = r.take_batch(20000, true);
  ASSERT_TRUE(again);
  EXPECT_EQ(entries(again), (std::vector<std::string>{"role cleared", "plan=\"Pro\""}));
  EXPECT_EQ(again->write_ids, first->write_ids);  // the same keys: the server applies each once
}

TEST(EngineClear, WaitsForTheConfigAndIsCheckedThen) {
  Engine e("c1");
  const Response ok = e.clear(clear_req("u1", "role"), 0);
  const Response bad = e.clear(clear_req("u1", "nope"), 0);
  EXPECT_FALSE(ok.result);
  EXPECT_FALSE(bad.result);
  e.configure(test_config(), 1);
  const auto errors = events_of<ErrorEvent>(e.take_events());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].ticket, bad.ticket);
  EXPECT_EQ(errors[0].error.code, Error::attribute_not_defined);
  EXPECT_EQ(errors[0].error.attribute, "nope");
  const auto b = e.take_batch(5000);
  ASSERT_TRUE(b);
  EXPECT_EQ(entries(b), std::vector<std::string>{"role cleared"});
}

TEST(EngineClear, LocalFailuresSettleAtOnce) {
  Engine e = configured();
  EXPECT_EQ(e.clear(clear_req("guest", "role"), 0).result->error.code, Error::distinct_id_invalid);
  EXPECT_EQ(e.clear(clear_req("u1", "old"), 0).result->error.code, Error::attribute_archived);
  EXPECT_EQ(e.clear({{"distinctId", "u1"}, {"attribute", 5}}, 0).result->error.code,
            Error::attribute_not_defined);
  EXPECT_EQ(e.clear(Json("x"), 0).result->error.code, Error::invalid_command);
  Engine off("c1");
  off.configure(test_config(false), 0);
  EXPECT_EQ(off.clear(clear_req("u1", "role"), 0).result->error.code,
            Error::client_attribute_writes_disabled);
  EXPECT_FALSE(e.take_batch(9000, true));
}

TEST(EngineClear, TheCurrentUsersViewDropsTheValueAtOnce) {
  Engine e = configured();
  e.command(Json::array({"do", "identify", Json::array({"u1"})}), 0);
  e.command(
      Json::array({"set", "user:attributes", Json::array({{{"role", "a"}, {"plan", "Pro"}}})}), 0);
  e.clear(clear_req("u1", "role"), 1);
  const Response get = e.command(Json::array({"get", "user:attributes", Json::array()}), 2);
  EXPECT_EQ(get.result->value, (Json{{"plan", "Pro"}}));
  EXPECT_EQ(e.believed("u1"), (Json{{"plan", "Pro"}}));
}

TEST(BatchWire, TheBuilderWritesWhatTheReaderReads) {
  Write w;
  w.id = "c1-7";
  w.seq = 7;
  w.client_id = "c1";
  w.distinct_id = "u1";
  w.attribute = "role";
  w.clear = true;
  const Json body = build_batch_body({&w}, false);
  BatchEntry entry;
  std::string message;
  ASSERT_EQ(read_batch_entry(body["writes"][0], &entry, &message), Error::ok) << message;
  EXPECT_TRUE(entry.clear);
  EXPECT_EQ(entry.value, nullptr);
  EXPECT_EQ(*entry.attribute, "role");
  EXPECT_EQ(*entry.client_id, "c1");
  EXPECT_EQ(entry.seq, 7);
  EXPECT_EQ(*entry.distinct_id, "u1");
  EXPECT_LE(estimate_json_bytes(body), estimate_write_bytes(w) + kBatchEnvelopeBytes);
}

}  // namespace
}  // namespace attrkit
