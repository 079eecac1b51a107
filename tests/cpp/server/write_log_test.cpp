// The write log (server/store.h, docs/server.md "Counting applications"): every batch write
// processed leaves one row, applied / stale / rejected / replayed, counted per write id by
// Tx::write_log_counts and answered by GET /api/v1/debug/writes (get_debug_writes).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <variant>

#include "server/definitions_admin.h"
#include "server/handlers.h"
#include "server/sqlite_store.h"
#include "server/workspace_config.h"
#include "server/writes.h"

namespace attrkit::server {
namespace {

class WriteLog : public ::testing::Test {
 protected:
  void SetUp() override {
    store_.transact([&](Tx& tx) {
      for (const char* id : {"ws_1", "ws_2"}) {
        WorkspaceRow ws{id, id, true, 1, false};
        tx.insert_workspace(ws);
        Json role = Json::parse(R"({"key": "role", "type": "string"})");
        Json plan = Json::parse(R"({"key": "plan", "type": "single_choice", "options": ["Pro"]})");
        ASSERT_TRUE(std::holds_alternative<Definition>(declare_definition(tx, ws, "role", role)));
        ASSERT_TRUE(std::holds_alternative<Definition>(declare_definition(tx, ws, "plan", plan)));
      }
    });
  }

  Reply batch(const char* body, const char* workspace = "ws_1", double now = 1000.0) {
    Json j = Json::parse(body);
    return store_.transact([&](Tx& tx) {
      Config config = load_config(tx, *tx.workspace(workspace));
      WriteScope scope{tx, config, now};
      return apply_batch(scope, j);
    });
  }

  // GET /api/v1/debug/writes with these query parameters, as workspace ws_1's secret key.
  Reply debug(std::map<std::string, std::string> query) {
    return store_.transact([&](Tx& tx) {
      Principal who{"sk", KeyRole::secret, *tx.workspace("ws_1")};
      const Json body;
      const std::string none;
      ApiCall call{tx, who, body, none, none, 2000.0, query};
      return get_debug_writes(call);
    });
  }

  // The counts of one id, as {applied, stale, rejected, replayed}.
  std::vector<std::int64_t> counts(const std::string& id, const char* workspace = "ws_1") {
    auto rows =
        store_.transact([&](Tx& tx) { return tx.write_log_counts(workspace, nullptr, &id, 10); });
    if (rows.empty()) return {};
    EXPECT_EQ(rows.size(), 1u);
    return {rows[0].applied, rows[0].stale, rows[0].rejected, rows[0].replayed};
  }

  SqliteStore store_{":memory:"};
};

using Counts = std::vector<std::int64_t>;

TEST_F(WriteLog, EachOutcomeIsCountedPerWriteId) {
  batch(R"({"writes": [
      {"id": "a", "distinctId": "u1", "attribute": "role", "value": "A", "clientId": "c", "seq": 5},
      {"id": "b", "distinctId": "u1", "attribute": "plan", "value": "Gold"},
      {"id": "c", "distinctId": "u1", "attribute": "role", "value": "C", "clientId": "c", "seq": 4}]})");
  EXPECT_EQ(counts("a"), (Counts{1, 0, 0, 0}));
  EXPECT_EQ(counts("b"), (Counts{0, 0, 1, 0}));  // attribute_value_invalid
  EXPECT_EQ(counts("c"), (Counts{0, 1, 0, 0}));  // seq 4 after seq 5: acknowledged, not stored

  // The same ids again (a retry after a lost answer): replays, nothing applied a second time.
  batch(R"({"writes": [
      {"id": "a", "distinctId": "u1", "attribute": "role", "value": "A", "clientId": "c", "seq": 5},
      {"id": "b", "distinctId": "u1", "attribute": "plan", "value": "Pro"}]})");
  batch(
      R"({"writes": [{"id": "a", "distinctId": "u1", "attribute": "role", "value": "A", "clientId": "c", "seq": 5}]})");
  EXPECT_EQ(counts("a"), (Counts{1, 0, 0, 2}));
  EXPECT_EQ(counts("b"), (Counts{0, 0, 1, 1}));
  EXPECT_EQ(counts("never"), Counts{});
}

TEST_F(WriteLog, ADuplicateInOneBatchIsAReplay) {
  batch(R"({"writes": [
      {"id": "d", "distinctId": "u1", "attribute": "role", "value": "D1"},
      {"id": "d", "distinctId": "u1", "attribute": "role", "value": "D2"}]})");
  EXPECT_EQ(counts("d"), (Counts{1, 0, 0, 1}));
}

TEST_F(WriteLog, ARequestRefusedWholeLogsNothing) {
  batch(
      R"({"writes": [{"id": "e1", "distinctId": "u1", "attribute": "role", "value": "x"}, {"id": 7}]})");
  EXPECT_EQ(counts("e1"), Counts{});
  // A transaction that rolls back takes its log rows with it.
  EXPECT_THROW(store_.transact([&](Tx& tx) {
    Config config = load_config(tx, *tx.workspace("ws_1"));
    WriteScope scope{tx, config, 1000.0};
    apply_batch(
        scope,
        Json::parse(
            R"({"writes": [{"id": "rb", "distinctId": "u1", "attribute": "role", "value": "x"}]})"));
    throw SqliteError("simulated failure before COMMIT");
  }),
               SqliteError);
  EXPECT_EQ(counts("rb"), Counts{});
}

TEST_F(WriteLog, IdsArePerWorkspace) {
  batch(R"({"writes": [{"id": "same", "distinctId": "u1", "attribute": "role", "value": "x"}]})");
  batch(R"({"writes": [{"id": "same", "distinctId": "u1", "attribute": "role", "value": "x"}]})",
        "ws_2");
  EXPECT_EQ(counts("same"), (Counts{1, 0, 0, 0}));
  EXPECT_EQ(counts("same", "ws_2"), (Counts{1, 0, 0, 0}));
}

TEST_F(WriteLog, PrunedWithTheWriteResults) {
  batch(R"({"writes": [{"id": "old", "distinctId": "u1", "attribute": "role", "value": "x"}]})",
        "ws_1", 1000.0);
  batch(R"({"writes": [{"id": "new", "distinctId": "u1", "attribute": "role", "value": "y"}]})",
        "ws_1", 5000.0);
  store_.transact([](Tx& tx) { return tx.prune_write_results(2000.0); });
  EXPECT_EQ(counts("old"), Counts{});
  EXPECT_EQ(counts("new"), (Counts{1, 0, 0, 0}));
}

TEST_F(WriteLog, TheDebugEndpointListsIdsInArrivalOrderAndFilters) {
  batch(R"({"writes": [
      {"id": "w2", "distinctId": "u2", "attribute": "role", "value": "x"},
      {"id": "w1", "distinctId": "u1", "attribute": "role", "value": "y"},
      {"id": "w3", "distinctId": "u1", "attribute": 5, "value": "z"}]})");
  batch(R"({"writes": [{"id": "w1", "distinctId": "u1", "attribute": "role", "value": "y"}]})");

  Reply all = debug({});
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.body["truncated"], false);
  const Json& w = all.body["writes"];
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0], (Json{{"id", "w2"},
                        {"distinctId", "u2"},
                        {"attribute", "role"},
                        {"applied", 1},
                        {"stale", 0},
                        {"rejected", 0},
                        {"replayed", 0}}));
  EXPECT_EQ(w[1], (Json{{"id", "w1"},
                        {"distinctId", "u1"},
                        {"attribute", "role"},
                        {"applied", 1},
                        {"stale", 0},
                        {"rejected", 0},
                        {"replayed", 1}}));
  EXPECT_EQ(w[2]["attribute"], nullptr);  // not a string in the request
  EXPECT_EQ(w[2]["rejected"], 1);

  Reply u1 = debug({{"distinctId", "u1"}});
  ASSERT_EQ(u1.body["writes"].size(), 2u);
  EXPECT_EQ(u1.body["writes"][0]["id"], "w1");
  EXPECT_EQ(u1.body["writes"][1]["id"], "w3");
  Reply one = debug({{"id", "w2"}});
  ASSERT_EQ(one.body["writes"].size(), 1u);
  EXPECT_EQ(one.body["writes"][0]["id"], "w2");
  EXPECT_EQ(debug({{"distinctId", "nobody"}}).body["writes"], Json::array());

  Reply bad_person = debug({{"distinctId", "undefined"}});
  EXPECT_EQ(bad_person.status, 400);
  EXPECT_EQ(bad_person.body["error"]["code"], "distinct_id_invalid");
  Reply bad_id = debug({{"id", std::string(201, 'x')}});
  EXPECT_EQ(bad_id.status, 400);
  EXPECT_EQ(bad_id.body["error"]["code"], "invalid_request");
}

}  // namespace
}  // namespace attrkit::server
