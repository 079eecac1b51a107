// The outbox (core/outbox.h): coalescing, batch thresholds, one batch in flight, retry bookkeeping.
#include "core/outbox.h"

#include <gtest/gtest.h>

#include <string>

#include "core/batch.h"
#include "core/retry.h"

namespace attrkit {
namespace {

std::int64_t g_seq = 0;

Write make(const std::string& person, const std::string& attribute, Json value, double now = 0) {
  Write w;
  w.seq = ++g_seq;
  w.unit = w.seq;
  w.client_id = "c1";
  w.id = "c1-" + std::to_string(w.seq);
  w.distinct_id = person;
  w.attribute = attribute;
  w.value = std::move(value);
  w.validated = true;
  w.created = now;
  w.ready_at = now;
  w.bytes = estimate_write_bytes(w);
  return w;
}

std::vector<std::string> ids(const std::vector<Write>& ws) {
  std::vector<std::string> out;
  for (const Write& w : ws) out.push_back(w.id);
  return out;
}

TEST(Outbox, CoalescesPerPersonAndAttributeLastWins) {
  Outbox box;
  Write a1 = make("u1", "plan", "Free");
  Write b = make("u1", "role", "admin");
  Write other = make("u2", "plan", "Free");
  Write a2 = make("u1", "plan", "Pro");
  a1.tickets = {7};
  a2.tickets = {9};
  const std::string a1_id = a1.id;
  box.append(a1);
  box.append(b);
  box.append(other);
  box.append(a2);
  ASSERT_EQ(box.size(), 3u);
  const Write& survivor = box.writes().back();
  EXPECT_EQ(survivor.id, a2.id);  // the newer keeps its own id and seq
  EXPECT_EQ(survivor.value, "Pro");
  EXPECT_EQ(survivor.superseded, 1u);
  EXPECT_NE(survivor.id, a1_id);
  EXPECT_EQ(survivor.tickets, (std::vector<std::uint64_t>{7, 9}));
  EXPECT_EQ(box.writes()[0].id, b.id);
  EXPECT_EQ(box.writes()[1].id, other.id);
}

TEST(Outbox, NeverCoalescesIntoAWriteInFlight) {
  Outbox box;
  box.append(make("u1", "plan", "Free"));
  ASSERT_TRUE(box.take(0, true).has_value());
  box.append(make("u1", "plan", "Pro"));
  EXPECT_EQ(box.size(), 2u);
  EXPECT_EQ(box.writes().back().superseded, 0u);
}

TEST(Outbox, SupersededChainsAccumulate) {
  Outbox box;
  Write w1 = make("u1", "plan", 1);
  Write w2 = make("u1", "plan", 2);
  Write w3 = make("u1", "plan", 3);
  box.append(w1);
  box.append(w2);
  box.append(w3);
  ASSERT_EQ(box.size(), 1u);
  EXPECT_EQ(box.writes()[0].superseded, 2u);
  EXPECT_EQ(box.writes()[0].id, w3.id);
}

TEST(Outbox, RemoveUnspecifiedIsNeverCoalescedAndTravelsAlone) {
  Outbox box;
  box.append(make("u1", "bio", "hi"));
  Write g1 = make("u1", "plan", "Pro");
  Write g2 = make("u1", "role", "admin");
  g1.remove_unspecified = g2.remove_unspecified = true;
  g2.unit = g1.unit;
  box.append(g1);
  box.append(g2);
  box.append(make("u1", "plan", "Free"));  // after the group: must not replace it
  ASSERT_EQ(box.size(), 4u);
  // A write older than the group may be replaced by one made after it: the survivor is sent
  // after the group, so the result on the server is unchanged.
  box.append(make("u1", "bio", "later"));
  ASSERT_EQ(box.size(), 4u);
  EXPECT_EQ(box.writes().front().remove_unspecified, true);

  std::optional<Batch> group = box.take(5000, false);
  ASSERT_TRUE(group);
  EXPECT_TRUE(group->remove_unspecified);
  EXPECT_EQ(group->write_ids, (std::vector<std::string>{g1.id, g2.id}));
  EXPECT_EQ(group->body["removeUnspecified"], true);
  box.remove_in_flight();
  std::optional<Batch> last = box.take(5000, false);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->write_ids.size(), 2u);
  EXPECT_FALSE(last->body.contains("removeUnspecified"));
}

TEST(Outbox, WritesBeforeAGroupGoFirstAndStopAtIt) {
  Outbox box;
  Write before = make("u1", "bio", "hi");
  Write g = make("u1", "plan", "Pro");
  g.remove_unspecified = true;
  Write after = make("u1", "role", "admin");
  box.append(before);
  box.append(g);
  box.append(after);
  std::optional<Batch> b1 = box.take(5000, false);
  ASSERT_TRUE(b1);
  EXPECT_EQ(b1->write_ids, std::vector<std::string>{before.id});
  box.remove_in_flight();
  std::optional<Batch> b2 = box.take(5000, false);
  ASSERT_TRUE(b2);
  EXPECT_EQ(b2->write_ids, std::vector<std::string>{g.id});
  box.remove_in_flight();
  std::optional<Batch> b3 = box.take(5000, false);
  ASSERT_TRUE(b3);
  EXPECT_EQ(b3->write_ids, std::vector<std::string>{after.id});
}

TEST(Outbox, WaitsForTheFlushWindow) {
  Outbox box;
  box.append(make("u1", "plan", "Pro", 1000));
  box.append(make("u1", "role", "admin", 1500));
  EXPECT_DOUBLE_EQ(box.next_wake(1200), 2000);  // the oldest write's window
  EXPECT_FALSE(box.take(1999, false));
  std::optional<Batch> b = box.take(2000, false);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->write_ids.size(), 2u);
  EXPECT_EQ(b->id, "b1");
  EXPECT_EQ(b->attempt, 1);
}

TEST(Outbox, FlushIgnoresTheWindow) {
  Outbox box;
  box.append(make("u1", "plan", "Pro", 1000));
  EXPECT_FALSE(box.take(1001, false));
  EXPECT_TRUE(box.take(1001, true));
}

TEST(Outbox, FiftyWritesGoAtOnceAndTheRestWaits) {
  Outbox box;
  for (int k = 0; k < 49; ++k) box.append(make("u" + std::to_string(k), "plan", "Pro", 0));
  EXPECT_DOUBLE_EQ(box.next_wake(10), 1000);
  box.append(make("u49", "plan", "Pro", 10));
  box.append(make("u50", "plan", "Pro", 10));
  EXPECT_DOUBLE_EQ(box.next_wake(10), 10);
  std::optional<Batch> b = box.take(10, false);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->write_ids.size(), 50u);
  EXPECT_EQ(b->body["writes"].size(), 50u);
  EXPECT_EQ(b->write_ids.front(), box.writes().front().id);  // strictly in order
  box.remove_in_flight();
  EXPECT_EQ(box.size(), 1u);
  EXPECT_DOUBLE_EQ(box.next_wake(10), 1010);  // the 51st waits for its own window
}

TEST(Outbox, ByteThresholdCutsTheBatch) {
  Outbox box;
  const std::string big(6000, 'x');
  for (int k = 0; k < 6; ++k) box.append(make("u" + std::to_string(k), "bio", big, 0));
  std::optional<Batch> b = box.take(1, false);  // ~36 KB waiting: due before the window
  ASSERT_TRUE(b);
  EXPECT_EQ(b->write_ids.size(), 5u);
  EXPECT_LE(b->bytes, 32u * 1024);
  // The estimate is an upper bound of the real body.
  EXPECT_GE(b->bytes, b->body.dump().size());
}

TEST(Outbox, ASingleOversizedWriteStillGoes) {
  Outbox box;
  box.append(make("u1", "bio", std::string(40000, 'x'), 0));
  std::optional<Batch> b = box.take(0, false);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->write_ids.size(), 1u);
}

TEST(Outbox, EstimateBoundsEscapesAndNonAscii) {
  Write w = make("u1", "bio", "\"\\\n\xC3\xA9\xF0\x9F\x98\x80 <img onerror>", 0);
  w.value = Json::array({w.value, 1.5e300, true, nullptr, Json{{"k\n", "v"}}});
  EXPECT_GE(estimate_write_bytes(w), build_batch_body({&w}, false)["writes"][0].dump().size() + 1);
}

TEST(Outbox, OneBatchInFlight) {
  Outbox box;
  box.append(make("u1", "plan", "Pro", 0));
  ASSERT_TRUE(box.take(0, true));
  box.append(make("u1", "role", "admin", 0));
  EXPECT_TRUE(box.in_flight());
  EXPECT_FALSE(box.take(5000, true));
  EXPECT_DOUBLE_EQ(box.next_wake(5000), -1);
  box.remove_in_flight();
  EXPECT_TRUE(box.take(5000, false));
}

TEST(Outbox, RetryKeepsOrderAndWaits) {
  Outbox box;
  Write first = make("u1", "plan", "Pro", 0);
  box.append(first);
  ASSERT_TRUE(box.take(0, true));
  box.append(make("u1", "role", "admin", 10));
  EXPECT_TRUE(box.retry_in_flight(500).empty());
  EXPECT_DOUBLE_EQ(box.retry_at(), 500);
  EXPECT_FALSE(box.take(499, true));
  EXPECT_DOUBLE_EQ(box.next_wake(100), 500);
  EXPECT_DOUBLE_EQ(box.next_wake(500), 500);  // a retried write does not wait for a window
  std::optional<Batch> again = box.take(500, false);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->write_ids.front(), first.id);  // same id on the retry
  EXPECT_EQ(again->attempt, 2);
}

TEST(Outbox, TenTriesThenOut) {
  Outbox box;
  box.append(make("u1", "plan", "Pro", 0));
  double now = 0;
  for (int k = 1; k < kMaxTries; ++k) {
    ASSERT_TRUE(box.take(now, true)) << k;
    EXPECT_TRUE(box.retry_in_flight(now + 1).empty()) << k;
    now += 1;
  }
  ASSERT_TRUE(box.take(now, true));
  EXPECT_EQ(box.in_flight_tries(), kMaxTries);
  std::vector<Write> out = box.retry_in_flight(now + 1);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tries, kMaxTries);
  EXPECT_EQ(box.size(), 0u);
}

TEST(Outbox, OfflineGivesTheTryBack) {
  Outbox box;
  box.append(make("u1", "plan", "Pro", 0));
  ASSERT_TRUE(box.take(0, true));
  box.offline_in_flight(5000);
  EXPECT_EQ(box.writes()[0].tries, 0);
  EXPECT_FALSE(box.in_flight());
  EXPECT_FALSE(box.take(4999, true));
  EXPECT_TRUE(box.take(5000, true));
}

TEST(Outbox, AScheduledRetryHoldsWritesAppendedAgain) {
  Outbox box;
  box.append(make("u1", "plan", "Pro", 0));
  box.set_retry_at(5000);
  EXPECT_EQ(box.retry_at(), 5000);
  EXPECT_FALSE(box.take(4999, true));
  std::optional<Batch> batch = box.take(5000, true);
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->write_ids.size(), 1u);
  EXPECT_EQ(box.writes()[0].tries, 1);  // only the real try counts
}

TEST(Outbox, ExpiresWritesAfter24Hours) {
  Outbox box;
  box.append(make("u1", "plan", "Pro", 0));
  box.append(make("u1", "role", "admin", 1000));
  EXPECT_TRUE(box.take_expired(kMaxWriteAgeMs - 1).empty());
  std::vector<Write> gone = box.take_expired(kMaxWriteAgeMs);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].attribute, "plan");
  EXPECT_EQ(box.size(), 1u);
}

TEST(Outbox, RemoveAllCanSpareTheBatchInFlight) {
  Outbox box;
  box.append(make("u1", "plan", "Pro", 0));
  ASSERT_TRUE(box.take(0, true));
  box.append(make("u1", "role", "admin", 0));
  std::vector<Write> waiting = box.remove_all(false);
  EXPECT_EQ(waiting.size(), 1u);
  EXPECT_TRUE(box.in_flight());
  EXPECT_EQ(box.remove_all().size(), 1u);
  EXPECT_FALSE(box.in_flight());
}

TEST(Outbox, WindowCountsFromTheFirstUnsentWriteThroughCoalescing) {
  // One attribute written every 250 ms: each write replaces the last, but the batch still leaves
  // one window after the first of them, not after a pause.
  Outbox box;
  for (double t = 0; t < 1000; t += 250) {
    box.append(make("u1", "plan", t, t));
    EXPECT_EQ(box.next_wake(t), 1000) << t;
    EXPECT_FALSE(box.take(t, false).has_value()) << t;
  }
  box.append(make("u1", "plan", "last", 1000));
  ASSERT_EQ(box.size(), 1u);
  std::optional<Batch> b = box.take(1000, false);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->write_ids.size(), 1u);
  box.remove_in_flight();
  // The next write starts a new window of its own.
  box.append(make("u1", "plan", "next", 1250));
  EXPECT_EQ(box.next_wake(1250), 2250);
}

TEST(Outbox, TheSameValueAgainTakesTheOlderWritesPlace) {
  Outbox box;
  Write a1 = make("u1", "plan", "Pro", 0);
  Write b = make("u1", "role", "admin", 10);
  Write a2 = make("u1", "plan", "Pro", 20);
  a1.tickets = {1};
  a2.tickets = {2};
  box.append(a1);
  box.append(b);
  box.append(a2);
  ASSERT_EQ(box.size(), 2u);
  EXPECT_EQ(ids(box.writes()), (std::vector<std::string>{a2.id, b.id}));  // newer id, older place
  EXPECT_EQ(box.writes()[0].seq, a2.seq);
  EXPECT_EQ(box.writes()[0].superseded, 1u);
  EXPECT_EQ(box.writes()[0].tickets, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(box.next_wake(20), 1000);
  // A different value moves to the end, as before.
  Write a3 = make("u1", "plan", "Free", 30);
  box.append(a3);
  EXPECT_EQ(ids(box.writes()), (std::vector<std::string>{b.id, a3.id}));
  EXPECT_EQ(box.writes()[1].superseded, 2u);
  // Never in place ahead of a removeUnspecified command queued after it.
  Write g = make("u1", "bio", "hi", 40);
  g.remove_unspecified = true;
  box.append(g);
  Write a4 = make("u1", "plan", "Free", 50);
  box.append(a4);
  EXPECT_EQ(ids(box.writes()), (std::vector<std::string>{b.id, g.id, a4.id}));
}

TEST(Batch, BodyHasTheDesignShape) {
  Write w = make("u1", "team_size", 12, 0);
  const Json body = build_batch_body({&w}, false);
  ASSERT_EQ(body["writes"].size(), 1u);
  const Json& e = body["writes"][0];
  EXPECT_EQ(e["id"], w.id);
  EXPECT_EQ(e["distinctId"], "u1");
  EXPECT_EQ(e["attribute"], "team_size");
  EXPECT_EQ(e["value"], 12);
  EXPECT_EQ(e["clientId"], "c1");
  EXPECT_EQ(e["seq"], w.seq);
  EXPECT_FALSE(body.contains("removeUnspecified"));
}

TEST(Batch, ParsesResults) {
  Result<std::vector<WriteResult>> r = parse_batch_response(Json::parse(R"({"results": [
    {"id": "c1-1", "ok": true, "personId": "p_1", "attribute": "plan", "value": "Pro"},
    {"id": "c1-2", "ok": false, "error": {"code": "attribute_not_defined", "message": "nope", "status": 400}},
    {"id": "c1-3", "ok": false, "error": {"code": "brand_new_code"}}]})"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.value().size(), 3u);
  EXPECT_TRUE(r.value()[0].ok);
  EXPECT_EQ(r.value()[0].person_id, "p_1");
  EXPECT_EQ(r.value()[0].value, "Pro");
  EXPECT_EQ(r.value()[1].error, Error::attribute_not_defined);
  EXPECT_EQ(r.value()[1].message, "nope");
  EXPECT_EQ(r.value()[2].error, Error::server_error);
  EXPECT_EQ(parse_batch_response(Json::parse(R"({"results": [{"id": 1, "ok": true}]})")).error(),
            Error::invalid_request);
  EXPECT_EQ(parse_batch_response(Json::parse(R"({"results": [{"id": "a", "ok": false}]})")).error(),
            Error::invalid_request);
  EXPECT_EQ(parse_batch_response(Json::parse(R"({"writes": []})")).error(), Error::invalid_request);
  EXPECT_EQ(parse_batch_response(Json("ok")).error(), Error::invalid_request);
}

}  // namespace
}  // namespace attrkit
