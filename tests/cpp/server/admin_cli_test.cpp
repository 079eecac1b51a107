// The admin command line (server/admin_cli.h) against a real database file: every command, what
// it prints, what it stores, and its refusals.
#include "server/admin_cli.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <variant>

#include "core/json.h"
#include "server/auth.h"
#include "server/key_hash.h"
#include "server/random_id.h"
#include "server/sqlite_store.h"
#include "server/store.h"

namespace attrkit::server {
namespace {

class AdminCli : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const char* ext : {"", "-wal", "-shm"}) std::remove((db_ + ext).c_str());
    std::remove(file_.c_str());
  }

  // Runs the command; returns the exit status and keeps what it printed.
  int run(std::vector<std::string> args) {
    args.push_back("--db");
    args.push_back(db_);
    out_.str("");
    err_.str("");
    return run_admin(args, out_, err_);
  }
  std::vector<Json> lines() const {
    std::vector<Json> out;
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);) out.push_back(Json::parse(line));
    return out;
  }
  Json one() const {
    auto l = lines();
    EXPECT_EQ(l.size(), 1u) << out_.str();
    return l.empty() ? Json() : l[0];
  }
  bool authenticates(const std::string& key) {
    SqliteStore store(db_);
    auto r = store.transact([&](Tx& tx) { return authenticate(tx, "Bearer " + key); });
    return std::holds_alternative<Principal>(r);
  }
  std::string workspace() {
    EXPECT_EQ(run({"workspace", "create", "Acme"}), 0) << err_.str();
    ws_ = one();
    return ws_["workspace"].get<std::string>();
  }

  std::string db_ = "/tmp/attrkit-admin-" + random_alnum(8) + ".db";
  std::string file_ = "/tmp/attrkit-admin-defs-" + random_alnum(8) + ".json";
  std::ostringstream out_, err_;
  Json ws_;
};

TEST_F(AdminCli, WorkspaceCreateShowsItsKeysOnceAndListShowsIt) {
  std::string id = workspace();
  EXPECT_EQ(id.rfind("ws_", 0), 0u);
  EXPECT_EQ(ws_["name"], "Acme");
  EXPECT_EQ(ws_["clientAttributeWrites"], false);
  const std::string pk = ws_["publicKey"], sk = ws_["secretKey"];
  EXPECT_NE(err_.str().find("shown once"), std::string::npos);
  EXPECT_TRUE(authenticates(pk));
  EXPECT_TRUE(authenticates(sk));

  ASSERT_EQ(run({"workspace", "list"}), 0);
  auto l = lines();
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0]["workspace"], id);
  EXPECT_EQ(out_.str().find(sk), std::string::npos);
  ASSERT_EQ(run({"keys", "list", "--workspace", id}), 0);
  EXPECT_EQ(lines().size(), 2u);
  EXPECT_EQ(out_.str().find(sk), std::string::npos);  // never the key again
  EXPECT_EQ(out_.str().find(pk), std::string::npos);
  EXPECT_NE(out_.str().find(sk.substr(0, 12)), std::string::npos);  // its hint
}

TEST_F(AdminCli, KeysCreateListRevoke) {
  std::string id = workspace();
  ASSERT_EQ(run({"keys", "create", "--workspace", id, "--role", "secret"}), 0) << err_.str();
  Json k = one();
  const std::string key = k["key"];
  EXPECT_EQ(key.rfind("sk_live_", 0), 0u);
  EXPECT_EQ(k["role"], "secret");
  EXPECT_TRUE(authenticates(key));
  ASSERT_EQ(run({"keys", "create", "--workspace=" + id, "--role=public"}), 0);
  EXPECT_EQ(one()["key"].get<std::string>().rfind("pk_live_", 0), 0u);

  ASSERT_EQ(run({"keys", "list"}), 0);
  EXPECT_EQ(lines().size(), 4u);
  for (const Json& row : lines()) {
    EXPECT_FALSE(row.contains("key"));
    EXPECT_TRUE(row["revokedMs"].is_null());
  }

  ASSERT_EQ(run({"keys", "revoke", k["id"]}), 0) << err_.str();
  EXPECT_TRUE(one()["revokedMs"].is_number());
  EXPECT_FALSE(authenticates(key));
  EXPECT_TRUE(authenticates(ws_["secretKey"]));
  ASSERT_EQ(run({"keys", "revoke", k["id"]}), 0);  // again: still revoked, same answer
  EXPECT_EQ(run({"keys", "revoke", "key_nope"}), 1);
  EXPECT_EQ(run({"keys", "create", "--workspace", "ws_nope", "--role", "secret"}), 1);
  EXPECT_EQ(run({"keys", "create", "--workspace", id, "--role", "admin"}), 1);
}

TEST_F(AdminCli, DefinitionsApplyIsIdempotentAndAllOrNothing) {
  std::string id = workspace();
  std::ofstream(file_) << R"([{"key": "plan", "type": "single_choice", "options": ["Free", "Pro"]},
                             {"key": "team_size", "type": "number", "min": 1}])";
  ASSERT_EQ(run({"definitions", "apply", file_, "--workspace", id}), 0) << err_.str();
  Json first = one();
  EXPECT_EQ(first["changed"], Json::array({"plan", "team_size"}));
  ASSERT_EQ(run({"definitions", "apply", file_, "--workspace", id}), 0);
  Json again = one();
  EXPECT_EQ(again["changed"], Json::array());
  EXPECT_EQ(again["unchanged"], Json::array({"plan", "team_size"}));
  EXPECT_EQ(again["definitionsVersion"], first["definitionsVersion"]);

  // The GET /definitions shape works too; one bad definition applies nothing.
  std::ofstream(file_) << R"({"attributes": [{"key": "plan", "type": "string"},
                                             {"key": "bad", "type": "colour"}]})";
  EXPECT_EQ(run({"definitions", "apply", file_, "--workspace", id}), 1);
  EXPECT_NE(err_.str().find("bad"), std::string::npos);
  SqliteStore store(db_);
  auto body = store.transact([&](Tx& tx) { return tx.definition_body(id, "plan"); });
  ASSERT_TRUE(body);
  EXPECT_NE(body->find("single_choice"), std::string::npos);
  std::ofstream(file_) << "not json";
  EXPECT_EQ(run({"definitions", "apply", file_, "--workspace", id}), 1);
}

TEST_F(AdminCli, SettingsReadsAndFlipsTheClientWritesFlag) {
  std::string id = workspace();
  ASSERT_EQ(run({"settings", "--workspace", id}), 0);
  Json before = one();
  EXPECT_EQ(before["clientAttributeWrites"], false);
  ASSERT_EQ(run({"settings", "--workspace", id, "--client-writes", "on"}), 0);
  Json on = one();
  EXPECT_EQ(on["clientAttributeWrites"], true);
  EXPECT_NE(on["definitionsVersion"], before["definitionsVersion"]);
  EXPECT_EQ(run({"settings", "--workspace", id, "--client-writes", "maybe"}), 1);
  EXPECT_EQ(run({"settings"}), 1);
}

TEST_F(AdminCli, BadUsageIsExit2) {
  EXPECT_EQ(run({"keys"}), 2);
  EXPECT_EQ(run({"keys", "rotate"}), 2);
  EXPECT_EQ(run({"workspace", "list", "--colour", "red"}), 2);
  EXPECT_NE(err_.str().find("admin commands"), std::string::npos);
  EXPECT_TRUE(is_admin_command("keys"));
  EXPECT_FALSE(is_admin_command("--port"));
}

}  // namespace
}  // namespace attrkit::server
