// Engine::command_encoded (core/engine.h): a set pushed again as the same encoding is run again
// as parsed instead of being read, and must leave the engine exactly as reading it would.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/doc_writer.h"
#include "core/engine.h"
#include "core/engine_docs.h"
#include "core/engine_json.h"
#include "engine_test_support.h"

namespace attrkit {
namespace {

using testing_support::test_config;

Json set_plan(const char* plan) {
  return Json::array({"set", "user:attributes", Json::array({Json({{"plan", plan}})})});
}
Json identify(const std::string& id) { return Json::array({"do", "identify", Json::array({id})}); }

// One engine fed by command(), one by command_encoded() with the JSON text as the encoding.
struct Pair {
  Engine plain{"c1"};
  Engine encoded{"c1"};
  int reads = 0;  // how often command_encoded read a command

  // Both answers, which must be the same document; returns the encoded side's Response.
  Response command(const Json& cmd, double now) {
    const Response a = plain.command(cmd, now);
    const Response b = encoded.command_encoded(
        cmd.dump(),
        [&] {
          ++reads;
          return cmd;
        },
        now);
    EXPECT_EQ(as_json(a), as_json(b)) << cmd.dump();
    EXPECT_FALSE(a.repeated);
    return b;
  }
  void configure(const Json& config, double now) {
    plain.configure(config, now);
    encoded.configure(config, now);
  }
  void same_state() {
    EXPECT_EQ(plain.inspect(), encoded.inspect());
    EXPECT_EQ(plain.snapshot(), encoded.snapshot());
    EXPECT_EQ(as_json(plain.take_events()), as_json(encoded.take_events()));
  }
};

TEST(EngineRepeat, ASetPushedAgainIsNotReadAndLeavesTheSameState) {
  Pair p;
  p.configure(test_config(), 0);
  p.command(identify("u1"), 0);
  EXPECT_FALSE(p.command(set_plan("pro"), 10).repeated);
  const int reads = p.reads;
  const Response again = p.command(set_plan("pro"), 20);
  EXPECT_TRUE(again.repeated);  // the same answer: {"plan": "Pro"}
  EXPECT_EQ(p.reads, reads);    // and not read again
  EXPECT_TRUE(p.command(set_plan("pro"), 30).repeated);
  p.same_state();
  // The queued write took the newest seq each time (a later tab's write must not win over it).
  const Json outbox = p.encoded.inspect()["outbox"];
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox[0]["seq"], p.plain.inspect()["outbox"][0]["seq"]);
}

TEST(EngineRepeat, AnotherCommandInBetweenEndsTheRepeat) {
  Pair p;
  p.configure(test_config(), 0);
  p.command(identify("u1"), 0);
  p.command(set_plan("pro"), 10);
  p.command(identify("u2"), 20);  // not a set: forgotten
  EXPECT_FALSE(p.command(set_plan("pro"), 30).repeated);
  EXPECT_TRUE(p.command(set_plan("pro"), 40).repeated);  // now written for u2
  p.command(set_plan("free"), 50);                       // another set: the last one now
  EXPECT_FALSE(p.command(set_plan("pro"), 60).repeated);
  p.same_state();
  // A command() without its encoding ends it too.
  p.encoded.command(set_plan("pro"), 70);
  const Response r = p.encoded.command_encoded(set_plan("pro").dump(), [] { return set_plan("pro"); }, 80);
  EXPECT_FALSE(r.repeated);
}

TEST(EngineRepeat, ADifferentAnswerIsWholeAndBecomesTheOneToRepeat) {
  Pair p;
  p.configure(test_config(), 0);
  p.command(identify("u1"), 0);
  p.command(set_plan("pro"), 10);
  // The config changes between the two pushes: plan is archived, the same command now fails.
  Json archived = test_config();
  archived["definitionsVersion"] = "v2";
  archived["attributes"][0]["archived"] = true;
  p.configure(archived, 15);
  const Response failed = p.command(set_plan("pro"), 20);
  EXPECT_FALSE(failed.repeated);
  ASSERT_TRUE(failed.result && !failed.result->ok);
  EXPECT_EQ(failed.result->error.code, Error::attribute_archived);
  EXPECT_TRUE(failed.events);  // its error event
  const Response again = p.command(set_plan("pro"), 30);
  EXPECT_TRUE(again.repeated);  // the same failure, its own error event
  EXPECT_TRUE(again.events);
  p.same_state();
}

TEST(EngineRepeat, TheShortAnswerHoldsTicketWakeAndEvents) {
  Engine e("c1");
  e.configure(test_config(), 0);
  e.command(identify("u1"), 0);
  const Json cmd = set_plan("pro");
  e.command_encoded(cmd.dump(), [&] { return cmd; }, 100);
  const Response r = e.command_encoded(cmd.dump(), [&] { return cmd; }, 200);
  ASSERT_TRUE(r.repeated);
  JsonWriter w;
  write_answer(w, r);
  EXPECT_EQ(w.take(), Json::array({static_cast<double>(r.ticket), 1100.0, false}));
  EXPECT_EQ(as_json(r)["ticket"], r.ticket);  // as_json stays whole
}

}  // namespace
}  // namespace attrkit
