#include "server/sqlite_store.h"

#include <iterator>
#include <map>
#include <string>

#include "server/key_hash.h"

namespace attrkit::server {
namespace {

// Versioned migrations: each runs once, in order, inside the start-up transaction, and is
// recorded in schema_migrations. A database with a version this server does not know was
// written by a newer server and is refused. Version 1 is the schema the first release created
// (with IF NOT EXISTS, so a database from before schema_migrations adopts it unchanged).
// meta.schema_version follows the latest version, so a server from before schema_migrations
// also refuses a newer database.
//
// Version 1, as the first release created it.
constexpr const char* kMigration1 = R"sql(
CREATE TABLE IF NOT EXISTS meta(
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS workspaces(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  is_demo INTEGER NOT NULL DEFAULT 0,
  client_attribute_writes INTEGER NOT NULL DEFAULT 0,
  definitions_version INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS api_keys(
  key TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  role TEXT NOT NULL CHECK (role IN ('publishable', 'secret')),
  created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS definitions(
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  key TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (workspace_id, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS persons(
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  distinct_id TEXT NOT NULL,
  UNIQUE (workspace_id, distinct_id));
CREATE TABLE IF NOT EXISTS attribute_values(
  person_id TEXT NOT NULL REFERENCES persons(id),
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  updated_ms REAL NOT NULL,
  PRIMARY KEY (person_id, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS client_seqs(
  person_id TEXT NOT NULL REFERENCES persons(id),
  key TEXT NOT NULL,
  client_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (person_id, key, client_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS write_results(
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  write_id TEXT NOT NULL,
  result TEXT NOT NULL,
  created_ms REAL NOT NULL,
  PRIMARY KEY (workspace_id, write_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS write_results_by_age ON write_results(created_ms);
)sql";

// The write log, in version 1 and again in version 2 (IF NOT EXISTS): a version-1 database from
// before schema_migrations may predate it, and skips migration 1.
constexpr const char* kWriteLog = R"sql(
CREATE TABLE IF NOT EXISTS write_log(
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  write_id TEXT NOT NULL,
  distinct_id TEXT,
  attribute TEXT,
  outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'stale', 'rejected', 'replayed')),
  at_ms REAL NOT NULL);
CREATE INDEX IF NOT EXISTS write_log_by_id ON write_log(workspace_id, write_id);
CREATE INDEX IF NOT EXISTS write_log_by_person ON write_log(workspace_id, distinct_id);
CREATE INDEX IF NOT EXISTS write_log_by_age ON write_log(at_ms);
)sql";

// Version 2: keys kept as their SHA-256, with ids, hints and revocation; demo_keys keeps the demo
// workspace's keys printable.
constexpr const char* kMigration2 = R"sql(
CREATE TABLE api_keys(
  id TEXT PRIMARY KEY,
  key_hash TEXT NOT NULL UNIQUE,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  role TEXT NOT NULL CHECK (role IN ('publishable', 'secret')),
  hint TEXT NOT NULL,
  created_ms REAL NOT NULL,
  revoked_ms REAL);
CREATE TABLE IF NOT EXISTS demo_keys(
  workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id),
  public_key TEXT NOT NULL,
  secret_key TEXT NOT NULL);
)sql";

KeyRole role_from_text(const std::string& s) {
  return s == "secret" ? KeyRole::secret : KeyRole::publishable;
}

const char* role_text(KeyRole r) { return r == KeyRole::secret ? "secret" : "publishable"; }

WorkspaceRow workspace_from(const Stmt& s) {
  WorkspaceRow w;
  w.id = s.text(0);
  w.name = s.text(1);
  w.is_demo = s.int64(2) != 0;
  w.client_attribute_writes = s.int64(3) != 0;
  w.definitions_version = s.int64(4);
  return w;
}

constexpr const char* kKeyColumns =
    "SELECT id, key_hash, workspace_id, role, hint, created_ms, revoked_ms FROM api_keys ";

KeyRow key_from(const Stmt& s) {
  KeyRow k;
  k.id = s.text(0);
  k.key_hash = s.text(1);
  k.workspace_id = s.text(2);
  k.role = role_from_text(s.text(3));
  k.hint = s.text(4);
  k.created_ms = s.real(5);
  if (!s.is_null(6)) k.revoked_ms = s.real(6);
  return k;
}

// Version 1 kept keys as they are; version 2 keeps their SHA-256. Runs between renaming the old
// table away and creating the new one (kMigration2), in the opening transaction.
void hash_v1_keys(Db& db) {
  struct OldKey {
    std::string key, workspace_id, role;
    bool demo;
  };
  std::vector<OldKey> old;
  {
    auto s = db.prepare(
        "SELECT k.key, k.workspace_id, k.role, w.is_demo FROM api_keys_v1 k "
        "JOIN workspaces w ON w.id = k.workspace_id ORDER BY k.created");
    while (s.step()) old.push_back({s.text(0), s.text(1), s.text(2), s.int64(3) != 0});
  }
  std::map<std::string, DemoKeys> demo;
  double order = 0;
  for (const OldKey& k : old) {
    db.prepare(
          "INSERT INTO api_keys(id, key_hash, workspace_id, role, hint, created_ms) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        .bind(1, new_key_id())
        .bind(2, key_hash(k.key))
        .bind(3, k.workspace_id)
        .bind(4, k.role)
        .bind(5, key_hint(k.key))
        .bind_double(6, order++)
        .run();
    if (k.demo) {
      std::string& slot =
          k.role == "secret" ? demo[k.workspace_id].secret_key : demo[k.workspace_id].public_key;
      if (slot.empty()) slot = k.key;
    }
  }
  for (const auto& [workspace_id, keys] : demo) {
    if (keys.public_key.empty() || keys.secret_key.empty()) continue;
    db.prepare("INSERT INTO demo_keys(workspace_id, public_key, secret_key) VALUES (?1, ?2, ?3)")
        .bind(1, workspace_id)
        .bind(2, keys.public_key)
        .bind(3, keys.secret_key)
        .run();
  }
  db.exec("DROP TABLE api_keys_v1");
}

void migrate_to_1(Db& db) {
  db.exec(kMigration1);
  db.exec(kWriteLog);
}

void migrate_to_2(Db& db) {
  db.exec("ALTER TABLE api_keys RENAME TO api_keys_v1");
  db.exec(kMigration2);
  db.exec(kWriteLog);
  hash_v1_keys(db);
}

struct Migration {
  int version;
  void (*apply)(Db&);
};
constexpr Migration kMigrations[] = {{1, migrate_to_1}, {2, migrate_to_2}};
static_assert(kMigrations[std::size(kMigrations) - 1].version == Store::kSchemaVersion);

}  // namespace

SqliteStore::SqliteStore(const std::string& path) : path_(path), db_(path) {
  std::lock_guard<std::mutex> lock(mutex_);
  db_.exec("BEGIN IMMEDIATE");
  try {
    db_.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations("
        "version INTEGER PRIMARY KEY, applied_ms INTEGER NOT NULL)");
    int current = 0;
    {
      auto get = db_.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
      if (get.step()) current = static_cast<int>(get.int64(0));
    }
    if (current == 0) {
      // A database from before schema_migrations says its version in meta.
      auto t = db_.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'");
      if (t.step()) {
        auto get = db_.prepare("SELECT value FROM meta WHERE key = 'schema_version'");
        if (get.step()) current = std::stoi(get.text(0));
      }
      for (int v = 1; v <= current && v <= Store::kSchemaVersion; ++v) {
        db_.prepare("INSERT INTO schema_migrations(version, applied_ms) VALUES (?1, 0)")
            .bind(1, std::int64_t{v})
            .run();
      }
    }
    if (current > Store::kSchemaVersion) {
      throw SqliteError("database " + path + " was written by a newer attrkit-server (schema " +
                        std::to_string(current) + ", this one writes " +
                        std::to_string(Store::kSchemaVersion) + ")");
    }
    for (const Migration& m : kMigrations) {
      if (m.version <= current) continue;
      m.apply(db_);
      db_.prepare(
             "INSERT INTO schema_migrations(version, applied_ms) "
             "VALUES (?1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))")
          .bind(1, std::int64_t{m.version})
          .run();
    }
    db_.prepare(
           "INSERT INTO meta(key, value) VALUES ('schema_version', ?1) "
           "ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        .bind(1, std::to_string(Store::kSchemaVersion))
        .run();
    db_.exec("COMMIT");
  } catch (...) {
    rollback();
    throw;
  }
}

void SqliteStore::run(const std::function<void(Tx&)>& f) {
  std::lock_guard<std::mutex> lock(mutex_);
  db_.exec("BEGIN IMMEDIATE");
  SqliteTx tx(db_);
  try {
    f(tx);
    db_.exec("COMMIT");
  } catch (...) {
    rollback();
    throw;
  }
}

std::unique_ptr<RequestLimiter> SqliteStore::rate_limiter(double rate, double burst) {
  return std::make_unique<RateLimiter>(rate, burst);
}

void SqliteStore::rollback() noexcept {
  try {
    db_.exec("ROLLBACK");
  } catch (...) {
    // A failed COMMIT may already have ended the transaction; nothing else to undo.
  }
}

void SqliteTx::ping() {
  auto s = db_.prepare("SELECT 1");
  s.step();
}

std::optional<KeyRow> SqliteTx::find_key(const std::string& hash) {
  auto s = db_.prepare(
      (std::string(kKeyColumns) + "WHERE key_hash = ?1 AND revoked_ms IS NULL").c_str());
  s.bind(1, hash);
  if (!s.step()) return std::nullopt;
  return key_from(s);
}

std::optional<KeyRow> SqliteTx::key_by_id(const std::string& key_id) {
  auto s = db_.prepare((std::string(kKeyColumns) + "WHERE id = ?1").c_str());
  s.bind(1, key_id);
  if (!s.step()) return std::nullopt;
  return key_from(s);
}

std::vector<KeyRow> SqliteTx::keys(const std::string& workspace_id) {
  auto s = db_.prepare(
      (std::string(kKeyColumns) + "WHERE ?1 = '' OR workspace_id = ?1 ORDER BY created_ms, rowid")
          .c_str());
  s.bind(1, workspace_id);
  std::vector<KeyRow> out;
  while (s.step()) out.push_back(key_from(s));
  return out;
}

void SqliteTx::insert_key(const KeyRow& k) {
  db_.prepare(
         "INSERT INTO api_keys(id, key_hash, workspace_id, role, hint, created_ms, revoked_ms) "
         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL)")
      .bind(1, k.id)
      .bind(2, k.key_hash)
      .bind(3, k.workspace_id)
      .bind(4, std::string(role_text(k.role)))
      .bind(5, k.hint)
      .bind_double(6, k.created_ms)
      .run();
}

bool SqliteTx::revoke_key(const std::string& key_id, double now_ms) {
  db_.prepare("UPDATE api_keys SET revoked_ms = ?2 WHERE id = ?1 AND revoked_ms IS NULL")
      .bind(1, key_id)
      .bind_double(2, now_ms)
      .run();
  return db_.changes() > 0;
}

std::optional<WorkspaceRow> SqliteTx::workspace(const std::string& id) {
  auto s = db_.prepare(
      "SELECT id, name, is_demo, client_attribute_writes, definitions_version "
      "FROM workspaces WHERE id = ?1");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return workspace_from(s);
}

std::vector<WorkspaceRow> SqliteTx::workspaces() {
  auto s = db_.prepare(
      "SELECT id, name, is_demo, client_attribute_writes, definitions_version "
      "FROM workspaces ORDER BY rowid");
  std::vector<WorkspaceRow> out;
  while (s.step()) out.push_back(workspace_from(s));
  return out;
}

std::optional<WorkspaceRow> SqliteTx::demo_workspace() {
  auto s = db_.prepare(
      "SELECT id, name, is_demo, client_attribute_writes, definitions_version "
      "FROM workspaces WHERE is_demo = 1 ORDER BY rowid LIMIT 1");
  if (!s.step()) return std::nullopt;
  return workspace_from(s);
}

void SqliteTx::insert_workspace(const WorkspaceRow& ws) {
  db_.prepare(
         "INSERT INTO workspaces(id, name, is_demo, client_attribute_writes, definitions_version) "
         "VALUES (?1, ?2, ?3, ?4, ?5)")
      .bind(1, ws.id)
      .bind(2, ws.name)
      .bind(3, std::int64_t{ws.is_demo ? 1 : 0})
      .bind(4, std::int64_t{ws.client_attribute_writes ? 1 : 0})
      .bind(5, ws.definitions_version)
      .run();
}

std::optional<DemoKeys> SqliteTx::demo_keys(const std::string& workspace_id) {
  auto s = db_.prepare("SELECT public_key, secret_key FROM demo_keys WHERE workspace_id = ?1");
  s.bind(1, workspace_id);
  if (!s.step()) return std::nullopt;
  return DemoKeys{s.text(0), s.text(1)};
}

void SqliteTx::put_demo_keys(const std::string& workspace_id, const DemoKeys& keys) {
  db_.prepare(
         "INSERT INTO demo_keys(workspace_id, public_key, secret_key) VALUES (?1, ?2, ?3) "
         "ON CONFLICT(workspace_id) DO UPDATE SET public_key = excluded.public_key, "
         "secret_key = excluded.secret_key")
      .bind(1, workspace_id)
      .bind(2, keys.public_key)
      .bind(3, keys.secret_key)
      .run();
}

void SqliteTx::set_client_attribute_writes(const std::string& workspace_id, bool on) {
  db_.prepare("UPDATE workspaces SET client_attribute_writes = ?2 WHERE id = ?1")
      .bind(1, workspace_id)
      .bind(2, std::int64_t{on ? 1 : 0})
      .run();
}

void SqliteTx::bump_definitions_version(const std::string& workspace_id) {
  db_.prepare("UPDATE workspaces SET definitions_version = definitions_version + 1 WHERE id = ?1")
      .bind(1, workspace_id)
      .run();
}

std::vector<std::string> SqliteTx::definition_bodies(const std::string& workspace_id) {
  auto s = db_.prepare("SELECT body FROM definitions WHERE workspace_id = ?1 ORDER BY key");
  s.bind(1, workspace_id);
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.text(0));
  return out;
}

std::optional<std::string> SqliteTx::definition_body(const std::string& workspace_id,
                                                     const std::string& key) {
  auto s = db_.prepare("SELECT body FROM definitions WHERE workspace_id = ?1 AND key = ?2");
  s.bind(1, workspace_id).bind(2, key);
  if (!s.step()) return std::nullopt;
  return s.text(0);
}

void SqliteTx::put_definition(const std::string& workspace_id, const std::string& key,
                              const std::string& body) {
  db_.prepare(
         "INSERT INTO definitions(workspace_id, key, body) VALUES (?1, ?2, ?3) "
         "ON CONFLICT(workspace_id, key) DO UPDATE SET body = excluded.body")
      .bind(1, workspace_id)
      .bind(2, key)
      .bind(3, body)
      .run();
}

std::optional<std::string> SqliteTx::find_person(const std::string& workspace_id,
                                                 const std::string& distinct_id) {
  auto s = db_.prepare("SELECT id FROM persons WHERE workspace_id = ?1 AND distinct_id = ?2");
  s.bind(1, workspace_id).bind(2, distinct_id);
  if (!s.step()) return std::nullopt;
  return s.text(0);
}

void SqliteTx::insert_person(const std::string& person_id, const std::string& workspace_id,
                             const std::string& distinct_id) {
  db_.prepare("INSERT INTO persons(id, workspace_id, distinct_id) VALUES (?1, ?2, ?3)")
      .bind(1, person_id)
      .bind(2, workspace_id)
      .bind(3, distinct_id)
      .run();
}

std::optional<std::string> SqliteTx::value(const std::string& person_id, const std::string& key) {
  auto s = db_.prepare("SELECT value FROM attribute_values WHERE person_id = ?1 AND key = ?2");
  s.bind(1, person_id).bind(2, key);
  if (!s.step()) return std::nullopt;
  return s.text(0);
}

std::vector<std::pair<std::string, std::string>> SqliteTx::values(const std::string& person_id) {
  auto s = db_.prepare("SELECT key, value FROM attribute_values WHERE person_id = ?1 ORDER BY key");
  s.bind(1, person_id);
  std::vector<std::pair<std::string, std::string>> out;
  while (s.step()) out.emplace_back(s.text(0), s.text(1));
  return out;
}

void SqliteTx::set_value(const std::string& person_id, const std::string& key,
                         const std::string& json, double now_ms) {
  db_.prepare(
         "INSERT INTO attribute_values(person_id, key, value, updated_ms) VALUES (?1, ?2, ?3, ?4) "
         "ON CONFLICT(person_id, key) DO UPDATE SET value = excluded.value, "
         "updated_ms = excluded.updated_ms")
      .bind(1, person_id)
      .bind(2, key)
      .bind(3, json)
      .bind_double(4, now_ms)
      .run();
}

void SqliteTx::delete_value(const std::string& person_id, const std::string& key) {
  db_.prepare("DELETE FROM attribute_values WHERE person_id = ?1 AND key = ?2")
      .bind(1, person_id)
      .bind(2, key)
      .run();
}

std::optional<std::int64_t> SqliteTx::last_seq(const std::string& person_id, const std::string& key,
                                               const std::string& client_id) {
  auto s = db_.prepare(
      "SELECT seq FROM client_seqs WHERE person_id = ?1 AND key = ?2 AND client_id = ?3");
  s.bind(1, person_id).bind(2, key).bind(3, client_id);
  if (!s.step()) return std::nullopt;
  return s.int64(0);
}

void SqliteTx::set_last_seq(const std::string& person_id, const std::string& key,
                            const std::string& client_id, std::int64_t seq) {
  db_.prepare(
         "INSERT INTO client_seqs(person_id, key, client_id, seq) VALUES (?1, ?2, ?3, ?4) "
         "ON CONFLICT(person_id, key, client_id) DO UPDATE SET seq = excluded.seq")
      .bind(1, person_id)
      .bind(2, key)
      .bind(3, client_id)
      .bind(4, seq)
      .run();
}

std::optional<std::string> SqliteTx::write_result(const std::string& workspace_id,
                                                  const std::string& write_id) {
  auto s =
      db_.prepare("SELECT result FROM write_results WHERE workspace_id = ?1 AND write_id = ?2");
  s.bind(1, workspace_id).bind(2, write_id);
  if (!s.step()) return std::nullopt;
  return s.text(0);
}

void SqliteTx::put_write_result(const std::string& workspace_id, const std::string& write_id,
                                const std::string& result_json, double now_ms) {
  db_.prepare(
         "INSERT INTO write_results(workspace_id, write_id, result, created_ms) "
         "VALUES (?1, ?2, ?3, ?4)")
      .bind(1, workspace_id)
      .bind(2, write_id)
      .bind(3, result_json)
      .bind_double(4, now_ms)
      .run();
}

int SqliteTx::prune_write_results(double cutoff_ms) {
  db_.prepare("DELETE FROM write_results WHERE created_ms < ?1").bind_double(1, cutoff_ms).run();
  const int pruned = db_.changes();
  db_.prepare("DELETE FROM write_log WHERE at_ms < ?1").bind_double(1, cutoff_ms).run();
  return pruned;
}

const char* write_outcome_name(WriteOutcome o) {
  switch (o) {
    case WriteOutcome::applied: return "applied";
    case WriteOutcome::stale: return "stale";
    case WriteOutcome::rejected: return "rejected";
    case WriteOutcome::replayed: return "replayed";
  }
  return "rejected";
}

void SqliteTx::log_write(const std::string& workspace_id, const std::string& write_id,
                         const std::string* distinct_id, const std::string* attribute,
                         WriteOutcome outcome, double now_ms) {
  auto s = db_.prepare(
      "INSERT INTO write_log(workspace_id, write_id, distinct_id, attribute, outcome, at_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  s.bind(1, workspace_id).bind(2, write_id);
  if (distinct_id) s.bind(3, *distinct_id);
  else s.bind_null(3);
  if (attribute) s.bind(4, *attribute);
  else s.bind_null(4);
  s.bind(5, std::string(write_outcome_name(outcome))).bind_double(6, now_ms).run();
}

std::vector<WriteLogCount> SqliteTx::write_log_counts(const std::string& workspace_id,
                                                      const std::string* distinct_id,
                                                      const std::string* write_id,
                                                      std::size_t limit) {
  // One row per write id, in the order of its first arrival. The person and attribute are those
  // of the first row (a replay may name others: the id decides, not the content).
  auto s = db_.prepare(
      "SELECT g.write_id, f.distinct_id, f.attribute, g.applied, g.stale, g.rejected, g.replayed "
      "FROM (SELECT write_id, MIN(rowid) AS first, SUM(outcome = 'applied') AS applied, "
      "        SUM(outcome = 'stale') AS stale, SUM(outcome = 'rejected') AS rejected, "
      "        SUM(outcome = 'replayed') AS replayed "
      "      FROM write_log WHERE workspace_id = ?1 AND (?2 IS NULL OR distinct_id = ?2) "
      "        AND (?3 IS NULL OR write_id = ?3) "
      "      GROUP BY write_id) g "
      "JOIN write_log f ON f.rowid = g.first ORDER BY g.first LIMIT ?4");
  s.bind(1, workspace_id);
  if (distinct_id) s.bind(2, *distinct_id);
  else s.bind_null(2);
  if (write_id) s.bind(3, *write_id);
  else s.bind_null(3);
  s.bind(4, static_cast<std::int64_t>(limit));
  std::vector<WriteLogCount> out;
  while (s.step()) {
    WriteLogCount c;
    c.write_id = s.text(0);
    if (!s.is_null(1)) c.distinct_id = s.text(1);
    if (!s.is_null(2)) c.attribute = s.text(2);
    c.applied = s.int64(3);
    c.stale = s.int64(4);
    c.rejected = s.int64(5);
    c.replayed = s.int64(6);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace attrkit::server
