// A database written by schema 1 (keys kept as they are) is migrated at open: every key is
// replaced by its SHA-256, the demo's keys stay printable, and the old keys still authenticate.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <variant>

#include "server/auth.h"
#include "server/key_hash.h"
#include "server/random_id.h"
#include "server/seed.h"
#include "server/sqlite_store.h"
#include "server/store.h"

namespace attrkit::server {
namespace {

void exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << err;
}

TEST(KeyMigration, Schema1PlainKeysAreHashedAtOpen) {
  std::string path = "/tmp/attrkit-migration-" + random_alnum(8) + ".db";
  const std::string demo_pk = new_public_key(), demo_sk = new_secret_key();
  const std::string other_sk = new_secret_key();
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    exec(db,
         "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
         "INSERT INTO meta VALUES ('schema_version', '1');"
         "CREATE TABLE workspaces(id TEXT PRIMARY KEY, name TEXT NOT NULL, is_demo INTEGER NOT "
         "NULL DEFAULT 0, client_attribute_writes INTEGER NOT NULL DEFAULT 0, "
         "definitions_version INTEGER NOT NULL DEFAULT 1);"
         "CREATE TABLE api_keys(key TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, role TEXT NOT "
         "NULL, created INTEGER NOT NULL);"
         "INSERT INTO workspaces VALUES ('ws_demo', 'Demo', 1, 1, 1), ('ws_b', 'B', 0, 0, 1);");
    exec(db, "INSERT INTO api_keys VALUES ('" + demo_pk + "', 'ws_demo', 'publishable', 0), ('" +
                 demo_sk + "', 'ws_demo', 'secret', 1), ('" + other_sk +
                 "', 'ws_b', 'secret', 2);");
    sqlite3_close(db);
  }
  {
    SqliteStore store(path);
    auto keys = store.transact([](Tx& tx) { return tx.keys(""); });
    ASSERT_EQ(keys.size(), 3u);
    for (const KeyRow& k : keys) {
      EXPECT_EQ(k.key_hash.size(), 64u);
      EXPECT_EQ(k.hint.size(), 12u);
    }
    EXPECT_EQ(keys[2].key_hash, key_hash(other_sk));
    auto who = store.transact([&](Tx& tx) { return authenticate(tx, "Bearer " + other_sk); });
    ASSERT_TRUE(std::holds_alternative<Principal>(who));
    EXPECT_EQ(std::get<Principal>(who).workspace.id, "ws_b");
    auto demo = find_demo_workspace(store);
    ASSERT_TRUE(demo);
    EXPECT_EQ(demo->public_key, demo_pk);
    EXPECT_EQ(demo->secret_key, demo_sk);
  }
  {
    // No plain key is left anywhere but the demo's own record.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    const std::string left =
        "SELECT (SELECT COUNT(*) FROM sqlite_master WHERE name = 'api_keys_v1') + "
        "(SELECT COUNT(*) FROM api_keys WHERE key_hash = '" +
        other_sk + "' OR hint = '" + other_sk + "')";
    ASSERT_EQ(sqlite3_prepare_v2(db, left.c_str(), -1, &s, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(s, 0), 0);
    sqlite3_finalize(s);
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &s,
                                 nullptr),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 0))),
              std::to_string(Store::kSchemaVersion));
    sqlite3_finalize(s);
    sqlite3_close(db);
  }
  std::remove(path.c_str());
  std::remove((path + "-wal").c_str());
  std::remove((path + "-shm").c_str());
}

}  // namespace
}  // namespace attrkit::server
