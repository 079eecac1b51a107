// Attribute writes against an in-memory store (server/writes.h): the core's validation, persons,
// idempotent batch ids, per-client sequence ordering, removeUnspecified, and the batch envelope.
#include "server/writes.h"

#include <gtest/gtest.h>

#include <variant>

#include "server/definitions_admin.h"
#include "server/json_body.h"
#include "server/sqlite_store.h"
#include "server/workspace_config.h"

namespace attrkit::server {
namespace {

class Writes : public ::testing::Test {
 protected:
  void SetUp() override {
    store_.transact([&](Tx& tx) {
      WorkspaceRow ws{"ws_1", "One", true, 1, false};
      tx.insert_workspace(ws);
      for (const char* def :
           {R"({"key": "plan", "type": "single_choice", "options": ["Free", "Pro", "Growth"]})",
            R"({"key": "team_size", "type": "number", "integer": true, "min": 1})",
            R"({"key": "role", "type": "string"})",
            R"({"key": "old", "type": "string", "archived": true})"}) {
        Json j = Json::parse(def);
        auto r = declare_definition(tx, ws, j["key"].get<std::string>(), j);
        ASSERT_TRUE(std::holds_alternative<Definition>(r)) << def;
      }
    });
  }

  // Runs one write-service call in its own transaction, like one HTTP request.
  template <class F>
  Reply call(F f, const char* body_text) {
    Json body = Json::parse(body_text);
    return store_.transact([&](Tx& tx) {
      auto ws = tx.workspace("ws_1");
      Config config = load_config(tx, *ws);
      WriteScope scope{tx, config, 1000.0};
      return f(scope, body);
    });
  }
  Reply batch(const char* body) { return call(apply_batch, body); }

  Json stored(const std::string& distinct_id) {
    return store_.transact([&](Tx& tx) {
      Json out = Json::object();
      auto person = tx.find_person("ws_1", distinct_id);
      if (!person) return Json(nullptr);
      for (const auto& [k, v] : tx.values(*person)) out[k] = *parse_json_body(v);
      return out;
    });
  }

  SqliteStore store_{":memory:"};
};

TEST_F(Writes, SingleWriteStoresTheNormalisedValue) {
  Reply r = call(set_attribute, R"({"distinctId": "u1", "attribute": "plan", "value": "pro"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body["value"], "Pro");
  EXPECT_EQ(r.body["attribute"], "plan");
  std::string person = r.body["personId"];
  EXPECT_EQ(person.rfind("p_", 0), 0u);
  EXPECT_EQ(stored("u1"), (Json{{"plan", "Pro"}}));

  // The person id is stable for the distinct id.
  Reply again =
      call(set_attribute, R"({"distinctId": "u1", "attribute": "team_size", "value": "12"})");
  EXPECT_EQ(again.body["personId"], person);
  EXPECT_EQ(again.body["value"], 12);
}

TEST_F(Writes, SingleWriteErrorsUseTheCoreCodes) {
  struct Case {
    const char* body;
    int status;
    const char* code;
  } cases[] = {
      {R"({"distinctId": "u1", "attribute": "plan", "value": "Gold"})", 400,
       "attribute_value_invalid"},
      {R"({"distinctId": "u1", "attribute": "nope", "value": 1})", 400, "attribute_not_defined"},
      {R"({"distinctId": "u1", "attribute": "old", "value": "x"})", 400, "attribute_archived"},
      {R"({"distinctId": "guest", "attribute": "plan", "value": "Pro"})", 400,
       "distinct_id_invalid"},
      {R"({"attribute": "plan", "value": "Pro"})", 400, "distinct_id_invalid"},
      {R"({"distinctId": "u1", "value": "Pro"})", 400, "invalid_request"},
      {R"({"distinctId": "u1", "attribute": "plan"})", 400, "invalid_request"},
      {R"([1, 2])", 400, "invalid_request"},
  };
  for (const Case& c : cases) {
    Reply r = call(set_attribute, c.body);
    EXPECT_EQ(r.status, c.status) << c.body;
    EXPECT_EQ(r.body["error"]["code"], c.code) << c.body;
    EXPECT_EQ(r.body["error"]["status"], c.status) << c.body;
  }
  EXPECT_EQ(stored("u1"), Json(nullptr));  // nothing created a person
}

TEST_F(Writes, ClearRemovesTheValueAndCreatesThePersonIfNeeded) {
  call(set_attribute, R"({"distinctId": "u1", "attribute": "role", "value": "x"})");
  Reply r = call(clear_attribute, R"({"distinctId": "u1", "attribute": "role"})");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.body["value"].is_null());
  EXPECT_EQ(stored("u1"), Json::object());

  Reply fresh = call(clear_attribute, R"({"distinctId": "new", "attribute": "role"})");
  EXPECT_EQ(fresh.status, 200);
  EXPECT_EQ(stored("new"), Json::object());

  EXPECT_EQ(
      call(clear_attribute, R"({"distinctId": "u1", "attribute": "nope"})").body["error"]["code"],
      "attribute_not_defined");
  EXPECT_EQ(
      call(clear_attribute, R"({"distinctId": "u1", "attribute": "old"})").body["error"]["code"],
      "attribute_archived");
  EXPECT_EQ(
      call(clear_attribute, R"({"distinctId": "", "attribute": "role"})").body["error"]["code"],
      "distinct_id_invalid");
}

TEST_F(Writes, BatchResultsComeInOrderWithPerWriteErrors) {
  Reply r = batch(R"({"writes": [
      {"id": "w1", "distinctId": "u1", "attribute": "plan", "value": "growth", "clientId": "c", "seq": 1},
      {"id": "w2", "distinctId": "u1", "attribute": "team_size", "value": 0, "clientId": "c", "seq": 2},
      {"id": "w3", "distinctId": "u2", "attribute": "role", "value": 7}]})");
  ASSERT_EQ(r.status, 200);
  const Json& res = r.body["results"];
  ASSERT_EQ(res.size(), 3u);
  EXPECT_EQ(res[0]["id"], "w1");
  EXPECT_EQ(res[0]["ok"], true);
  EXPECT_EQ(res[0]["value"], "Growth");
  EXPECT_EQ(res[1]["id"], "w2");
  EXPECT_EQ(res[1]["ok"], false);
  EXPECT_EQ(res[1]["error"]["code"], "attribute_value_invalid");
  EXPECT_EQ(res[1]["error"]["status"], 400);
  EXPECT_EQ(res[2]["value"], "7");
  EXPECT_EQ(stored("u1"), (Json{{"plan", "Growth"}}));
}

TEST_F(Writes, AReplayedIdReturnsTheFirstResultAndIsNotApplied) {
  Reply first =
      batch(R"({"writes": [{"id": "a", "distinctId": "u1", "attribute": "role", "value": "A"}]})");
  batch(R"({"writes": [{"id": "b", "distinctId": "u1", "attribute": "role", "value": "B"}]})");
  // Same id, different content: the first result comes back and nothing changes.
  Reply replay =
      batch(R"({"writes": [{"id": "a", "distinctId": "u1", "attribute": "role", "value": "C"}]})");
  EXPECT_EQ(replay.body["results"][0], first.body["results"][0]);
  EXPECT_EQ(stored("u1")["role"], "B");

  // A failed write's id is remembered with its failure too.
  Reply bad = batch(
      R"({"writes": [{"id": "x", "distinctId": "u1", "attribute": "plan", "value": "Gold"}]})");
  Reply bad_again = batch(
      R"({"writes": [{"id": "x", "distinctId": "u1", "attribute": "plan", "value": "Pro"}]})");
  EXPECT_EQ(bad_again.body["results"][0], bad.body["results"][0]);
  EXPECT_FALSE(stored("u1").contains("plan"));

  // A duplicate inside one batch is a replay of the first.
  Reply dup = batch(R"({"writes": [
      {"id": "d", "distinctId": "u1", "attribute": "role", "value": "D1"},
      {"id": "d", "distinctId": "u1", "attribute": "role", "value": "D2"}]})");
  EXPECT_EQ(dup.body["results"][1], dup.body["results"][0]);
  EXPECT_EQ(stored("u1")["role"], "D1");
}

TEST_F(Writes, WriteIdsArePerWorkspaceAndPrunedByAge) {
  batch(R"({"writes": [{"id": "a", "distinctId": "u1", "attribute": "role", "value": "A"}]})");
  int pruned = store_.transact([](Tx& tx) { return tx.prune_write_results(999.0); });
  EXPECT_EQ(pruned, 0);  // recorded at 1000 ms
  pruned = store_.transact([](Tx& tx) { return tx.prune_write_results(1001.0); });
  EXPECT_EQ(pruned, 1);
  // Forgotten: the same id applies again.
  batch(R"({"writes": [{"id": "a", "distinctId": "u1", "attribute": "role", "value": "again"}]})");
  EXPECT_EQ(stored("u1")["role"], "again");
}

TEST_F(Writes, AnOlderSeqFromTheSameClientDoesNotOverwrite) {
  batch(
      R"({"writes": [{"id": "1", "distinctId": "u1", "attribute": "role", "value": "five", "clientId": "c1", "seq": 5}]})");
  Reply late = batch(
      R"({"writes": [{"id": "2", "distinctId": "u1", "attribute": "role", "value": "three", "clientId": "c1", "seq": 3}]})");
  EXPECT_EQ(late.body["results"][0]["ok"], true);
  EXPECT_EQ(late.body["results"][0]["value"], "five");  // acknowledged with what is stored
  EXPECT_EQ(stored("u1")["role"], "five");

  // Another client's write wins by arriving later, whatever its seq.
  batch(
      R"({"writes": [{"id": "3", "distinctId": "u1", "attribute": "role", "value": "other", "clientId": "c2", "seq": 1}]})");
  EXPECT_EQ(stored("u1")["role"], "other");
  // c1 moving forward applies again; an equal seq applies too (a new write, not a retry).
  batch(
      R"({"writes": [{"id": "4", "distinctId": "u1", "attribute": "role", "value": "six", "clientId": "c1", "seq": 5}]})");
  EXPECT_EQ(stored("u1")["role"], "six");
  // The order is per attribute: a low seq on another attribute is fine.
  batch(
      R"({"writes": [{"id": "5", "distinctId": "u1", "attribute": "team_size", "value": 3, "clientId": "c1", "seq": 1}]})");
  EXPECT_EQ(stored("u1")["team_size"], 3);
}

TEST_F(Writes, RemoveUnspecifiedClearsTheOtherAttributesOfEachPerson) {
  batch(R"({"writes": [
      {"id": "s1", "distinctId": "u1", "attribute": "role", "value": "r"},
      {"id": "s2", "distinctId": "u1", "attribute": "team_size", "value": 4},
      {"id": "s3", "distinctId": "u1", "attribute": "name", "value": "Sam"},
      {"id": "s4", "distinctId": "u2", "attribute": "role", "value": "keep"}]})");
  Reply r = batch(R"({"removeUnspecified": true, "writes": [
      {"id": "r1", "distinctId": "u1", "attribute": "plan", "value": "Pro"},
      {"id": "r2", "distinctId": "u1", "attribute": "team_size", "value": -1}]})");
  ASSERT_EQ(r.status, 200);
  // plan applied; team_size failed but was named, so its old value stays; role and name go.
  EXPECT_EQ(stored("u1"), (Json{{"plan", "Pro"}, {"team_size", 4}}));
  EXPECT_EQ(stored("u2"), (Json{{"role", "keep"}}));  // not in the batch

  // A batch whose writes all fail changes nothing, removeUnspecified or not.
  batch(R"({"removeUnspecified": true, "writes": [
      {"id": "f1", "distinctId": "u2", "attribute": "plan", "value": "Gold"}]})");
  EXPECT_EQ(stored("u2"), (Json{{"role", "keep"}}));
}

TEST_F(Writes, TheEnvelopeIsCheckedBeforeAnythingApplies) {
  struct Case {
    std::string body;
    int status;
    const char* code;
  } cases[] = {
      {R"({})", 400, "invalid_request"},
      {R"({"writes": {}})", 400, "invalid_request"},
      {R"({"writes": [], "removeUnspecified": "yes"})", 400, "invalid_request"},
      {R"({"writes": [{"id": "ok", "distinctId": "u9", "attribute": "role", "value": "x"}, {"distinctId": "u9"}]})",
       400, "invalid_request"},
      {R"({"writes": [{"id": "ok", "distinctId": "u9", "attribute": "role", "value": "x"}, {"id": 7}]})",
       400, "invalid_request"},
      {R"({"writes": [{"id": "ok", "distinctId": "u9", "attribute": "role", "value": "x"}, {"id": ""}]})",
       400, "invalid_request"},
      {R"({"writes": [{"id": "ok", "distinctId": "u9", "attribute": "role", "value": "x"}, 3]})",
       400, "invalid_request"},
  };
  for (const Case& c : cases) {
    Reply r = batch(c.body.c_str());
    EXPECT_EQ(r.status, c.status) << c.body;
    EXPECT_EQ(r.body["error"]["code"], c.code) << c.body;
  }
  EXPECT_EQ(stored("u9"), Json(nullptr));

  std::string big = R"({"writes": [)";
  for (std::size_t i = 0; i <= kMaxBatchWrites; ++i) {
    if (i) big += ",";
    big += R"({"id": "b)" + std::to_string(i) +
           R"(", "distinctId": "u9", "attribute": "role", "value": "x"})";
  }
  big += "]}";
  Reply over = batch(big.c_str());
  EXPECT_EQ(over.status, 413);
  EXPECT_EQ(over.body["error"]["code"], "payload_too_large");
  EXPECT_EQ(stored("u9"), Json(nullptr));
  EXPECT_EQ(batch(R"({"writes": []})").body, (Json{{"results", Json::array()}}));
}

TEST_F(Writes, MalformedClientIdOrSeqFailsOnlyThatWrite) {
  Reply r = batch(R"({"writes": [
      {"id": "1", "distinctId": "u1", "attribute": "role", "value": "a", "clientId": "c"},
      {"id": "2", "distinctId": "u1", "attribute": "role", "value": "b", "clientId": "c", "seq": -1},
      {"id": "3", "distinctId": "u1", "attribute": "role", "value": "c", "clientId": "c", "seq": 1.5},
      {"id": "4", "distinctId": "u1", "attribute": "role", "value": "d", "clientId": 5, "seq": 1},
      {"id": "5", "distinctId": "u1", "attribute": "role", "value": "e", "clientId": "c", "seq": 2.0}]})");
  const Json& res = r.body["results"];
  for (int i = 0; i < 4; ++i) EXPECT_EQ(res[i]["error"]["code"], "invalid_request") << i;
  EXPECT_EQ(res[4]["ok"], true);
  EXPECT_EQ(stored("u1")["role"], "e");
}

TEST_F(Writes, ABatchClearRemovesTheValueInOrderWithTheWritesAroundIt) {
  Reply r = batch(R"({"writes": [
      {"id": "1", "distinctId": "u1", "attribute": "role", "value": "a", "clientId": "c", "seq": 1},
      {"id": "2", "distinctId": "u1", "attribute": "role", "clear": true, "clientId": "c", "seq": 2},
      {"id": "3", "distinctId": "u1", "attribute": "plan", "value": "pro", "clientId": "c", "seq": 3},
      {"id": "4", "distinctId": "u1", "attribute": "plan", "clear": true, "clientId": "c", "seq": 4},
      {"id": "5", "distinctId": "u1", "attribute": "plan", "value": "Growth", "clientId": "c", "seq": 5}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  const Json& res = r.body["results"];
  EXPECT_EQ(res[1], (Json{{"id", "2"},
                          {"ok", true},
                          {"personId", res[0]["personId"]},
                          {"attribute", "role"},
                          {"value", nullptr}}));
  EXPECT_EQ(stored("u1"), (Json{{"plan", "Growth"}}));
  // A replayed clear id answers its first result and changes nothing.
  batch(
      R"({"writes": [{"id": "6", "distinctId": "u1", "attribute": "role", "value": "b", "clientId": "c", "seq": 6}]})");
  Reply replay = batch(
      R"({"writes": [{"id": "2", "distinctId": "u1", "attribute": "role", "clear": true, "clientId": "c", "seq": 2}]})");
  EXPECT_EQ(replay.body["results"][0]["value"], nullptr);
  EXPECT_EQ(stored("u1")["role"], "b");
  // A late clear of the same install (lower seq) is acknowledged but does not undo a newer value.
  Reply late = batch(
      R"({"writes": [{"id": "7", "distinctId": "u1", "attribute": "role", "clear": true, "clientId": "c", "seq": 3}]})");
  EXPECT_EQ(late.body["results"][0]["value"], "b");
  EXPECT_EQ(stored("u1")["role"], "b");
}

TEST_F(Writes, ABatchClearIsCheckedLikeTheDeleteEndpoint) {
  Reply r = batch(R"({"writes": [
      {"id": "1", "distinctId": "u1", "attribute": "nope", "clear": true},
      {"id": "2", "distinctId": "u1", "attribute": "old", "clear": true},
      {"id": "3", "distinctId": "guest", "attribute": "role", "clear": true},
      {"id": "4", "distinctId": "u1", "attribute": "role", "clear": true, "value": "x"},
      {"id": "5", "distinctId": "u1", "attribute": "role", "clear": "yes"},
      {"id": "6", "distinctId": "u1", "attribute": "role", "clear": false}]})");
  const Json& res = r.body["results"];
  EXPECT_EQ(res[0]["error"]["code"], "attribute_not_defined");
  EXPECT_EQ(res[1]["error"]["code"], "attribute_archived");
  EXPECT_EQ(res[2]["error"]["code"], "distinct_id_invalid");
  EXPECT_EQ(res[3]["error"]["message"], "a clear has no \"value\"");
  EXPECT_EQ(res[4]["error"]["message"], "\"clear\" must be a boolean");
  EXPECT_EQ(res[5]["error"]["message"], "\"value\" is missing");  // clear: false is a write
}

TEST_F(Writes, DefinitionChangesBumpTheVersionOnlyWhenTheyChangeSomething) {
  auto version = [&] {
    return store_.transact([](Tx& tx) { return tx.workspace("ws_1")->definitions_version; });
  };
  auto put = [&](const char* key, const char* body) {
    return store_.transact([&](Tx& tx) {
      auto ws = tx.workspace("ws_1");
      return declare_definition(tx, *ws, key, Json::parse(body));
    });
  };
  std::int64_t v = version();
  EXPECT_TRUE(std::holds_alternative<Definition>(put("role", R"({"type": "string"})")));
  EXPECT_EQ(version(), v);  // same definition as declared in SetUp
  EXPECT_TRUE(
      std::holds_alternative<Definition>(put("role", R"({"type": "string", "max_length": 5})")));
  EXPECT_EQ(version(), v + 1);

  for (auto [key, body] : std::vector<std::pair<const char*, const char*>>{
           {"email", R"({"type": "string"})"},
           {"9lives", R"({"type": "string"})"},
           {"role", R"({"key": "other", "type": "string"})"},
           {"role", R"({"type": "colour"})"},
           {"plan", R"({"type": "single_choice"})"},
           {"role", R"([])"}}) {
    auto r = put(key, body);
    ASSERT_TRUE(std::holds_alternative<ApiError>(r)) << key << " " << body;
    EXPECT_EQ(std::get<ApiError>(r).code, "invalid_request");
  }
  EXPECT_EQ(version(), v + 1);
}

}  // namespace
}  // namespace attrkit::server
