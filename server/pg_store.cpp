#include "server/pg_store.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <thread>

namespace attrkit::server {
namespace {

// Versioned migrations, as for SQLite (sqlite_store.cpp): each runs once, in order, in the
// start-up transaction, recorded in schema_migrations; a version this server does not know is
// refused. The tables mirror SQLite's. Differences: ids the client chose (write ids, client ids,
// distinct ids) are bytea, because they may hold any byte (NUL, a WTF-8 lone surrogate) and
// PostgreSQL text refuses some; keys compare in "C" collation so lists sort by bytes as in
// SQLite; arrival order is an identity column instead of SQLite's rowid.
constexpr const char* kMigration1 = R"sql(
CREATE TABLE workspaces(
  id text PRIMARY KEY,
  name text NOT NULL,
  is_demo boolean NOT NULL DEFAULT false,
  client_attribute_writes boolean NOT NULL DEFAULT false,
  definitions_version bigint NOT NULL DEFAULT 1,
  ord bigint GENERATED ALWAYS AS IDENTITY);
-- At most one demo workspace, even when several nodes start with --seed-demo at once.
CREATE UNIQUE INDEX one_demo_workspace ON workspaces((true)) WHERE is_demo;
CREATE TABLE definitions(
  workspace_id text NOT NULL REFERENCES workspaces(id),
  key text COLLATE "C" NOT NULL,
  body text NOT NULL,
  PRIMARY KEY (workspace_id, key));
CREATE TABLE persons(
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id),
  distinct_id bytea NOT NULL,
  UNIQUE (workspace_id, distinct_id));
CREATE TABLE attribute_values(
  person_id text NOT NULL REFERENCES persons(id),
  key text COLLATE "C" NOT NULL,
  value text NOT NULL,
  updated_ms double precision NOT NULL,
  PRIMARY KEY (person_id, key));
CREATE TABLE client_seqs(
  person_id text NOT NULL REFERENCES persons(id),
  key text COLLATE "C" NOT NULL,
  client_id bytea NOT NULL,
  seq bigint NOT NULL,
  PRIMARY KEY (person_id, key, client_id));
CREATE TABLE write_results(
  workspace_id text NOT NULL REFERENCES workspaces(id),
  write_id bytea NOT NULL,
  result text NOT NULL,
  created_ms double precision NOT NULL,
  PRIMARY KEY (workspace_id, write_id));
CREATE INDEX write_results_by_age ON write_results(created_ms);
CREATE TABLE write_log(
  ord bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id),
  write_id bytea NOT NULL,
  distinct_id bytea,
  attribute bytea,
  outcome text NOT NULL CHECK (outcome IN ('applied', 'stale', 'rejected', 'replayed')),
  at_ms double precision NOT NULL);
CREATE INDEX write_log_by_id ON write_log(workspace_id, write_id);
CREATE INDEX write_log_by_person ON write_log(workspace_id, distinct_id);
CREATE INDEX write_log_by_age ON write_log(at_ms);
-- Token buckets per API key, shared by every node (PgRateLimiter). The key is kept only as its
-- SHA-256.
CREATE TABLE rate_buckets(
  key_hash text PRIMARY KEY,
  tokens double precision NOT NULL,
  updated timestamptz NOT NULL,
  ok boolean NOT NULL);
)sql";

// Version 2 as on SQLite: keys kept only as their SHA-256 (server/key_hash.h), revocable, and
// the demo workspace's two keys kept readable in demo_keys. (PostgreSQL support arrived with
// version 2, so no database has the plain keys of version 1 to convert.)
constexpr const char* kMigration2 = R"sql(
CREATE TABLE api_keys(
  id text PRIMARY KEY,
  key_hash text NOT NULL UNIQUE,
  workspace_id text NOT NULL REFERENCES workspaces(id),
  role text NOT NULL CHECK (role IN ('publishable', 'secret')),
  hint text NOT NULL,
  created_ms double precision NOT NULL,
  revoked_ms double precision,
  ord bigint GENERATED ALWAYS AS IDENTITY);
CREATE INDEX api_keys_by_workspace ON api_keys(workspace_id);
CREATE TABLE demo_keys(
  workspace_id text PRIMARY KEY REFERENCES workspaces(id),
  public_key text NOT NULL,
  secret_key text NOT NULL);
)sql";

struct Migration {
  int version;
  const char* sql;
};
constexpr Migration kMigrations[] = {{1, kMigration1}, {2, kMigration2}};
constexpr int kLatestVersion = Store::kSchemaVersion;
static_assert(kMigrations[1].version == kLatestVersion);
// Any constant: pg_advisory_xact_lock serialises the migrations of nodes starting together.
constexpr std::int64_t kMigrationLock = 0x61747472'6b697401;  // "attrkit\1"

constexpr int kAttempts = 8;

KeyRole role_from_text(const std::string& s) {
  return s == "secret" ? KeyRole::secret : KeyRole::publishable;
}

const char* role_text(KeyRole r) { return r == KeyRole::secret ? "secret" : "publishable"; }

std::optional<WorkspaceRow> workspace_from(const PgResult& r) {
  if (r.rows() == 0) return std::nullopt;
  WorkspaceRow w;
  w.id = r.text(0, 0);
  w.name = r.text(0, 1);
  w.is_demo = r.boolean(0, 2);
  w.client_attribute_writes = r.boolean(0, 3);
  w.definitions_version = r.int64(0, 4);
  return w;
}

std::optional<std::string> first_text(const PgResult& r) {
  if (r.rows() == 0) return std::nullopt;
  return r.text(0, 0);
}

// The connection is gone: libpq says so, or the server said why before closing it (class 08
// connection exceptions; 57P01-57P03: terminated by an administrator, shutting down, starting).
bool connection_lost(const PgError& e, const PgConn& conn) {
  const std::string& s = e.sqlstate();
  return !conn.ok() || s.empty() || s.rfind("08", 0) == 0 || s == "57P01" || s == "57P02" ||
         s == "57P03";
}

bool retryable(const PgError& e) {
  const std::string& s = e.sqlstate();
  return s == "23505" || s == "40001" || s == "40P01";
}

void pause_before_retry(int attempt) {
  thread_local std::minstd_rand rng(std::random_device{}());
  int ms = 1 + static_cast<int>(rng() % static_cast<unsigned>(2 << attempt));
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

// Rolls back what a failed transaction left and gives the connection back, or drops it (the pool
// then opens a new one) when it broke.
void finish_failed(PgPool& pool, std::unique_ptr<PgConn> conn) {  // conn may be null
  if (conn && conn->ok()) {
    try {
      conn->rollback();
    } catch (...) {
      conn.reset();
    }
  }
  pool.release(std::move(conn));
}

// One token bucket per key in rate_buckets, updated by a single INSERT ... ON CONFLICT DO UPDATE:
// the row lock it takes lasts one statement, and every node sees the same buckets. Time is the
// database's clock, the one clock all nodes share. Connections: a small pool of its own, so a
// request holding a transaction connection never waits on the pool it holds.
class PgRateLimiter final : public RequestLimiter {
 public:
  PgRateLimiter(const std::string& url, double rate, double burst)
      : pool_(url, 4), rate_(rate), burst_(std::max(burst, 1.0)) {}

  int acquire(const std::string& key) override {
    // The bucket refilled up to now: tokens + elapsed * rate, at most the burst.
#define ATTRKIT_REFILLED                              \
  "least($3::float8, b.tokens + greatest(0::float8, " \
  "extract(epoch FROM clock_timestamp() - b.updated)::float8) * $2::float8)"
    static constexpr const char* kTake =
        "INSERT INTO rate_buckets AS b (key_hash, tokens, updated, ok) "
        "VALUES (encode(sha256(convert_to($1::text, 'UTF8')), 'hex'), $3::float8 - 1, "
        "        clock_timestamp(), true) "
        "ON CONFLICT (key_hash) DO UPDATE SET "
        "  tokens = CASE WHEN " ATTRKIT_REFILLED " >= 1 THEN " ATTRKIT_REFILLED
        " - 1 "
        "                ELSE " ATTRKIT_REFILLED
        " END, "
        "  ok = " ATTRKIT_REFILLED
        " >= 1, "
        "  updated = greatest(b.updated, clock_timestamp()) "
        "RETURNING tokens, ok";
#undef ATTRKIT_REFILLED
    // A connection found cut is replaced and the statement sent once more (it is one statement
    // in its own transaction, so a lost answer at worst took one token too many).
    for (int attempt = 1;; ++attempt) {
      std::unique_ptr<PgConn> conn = pool_.acquire();
      try {
        PgResult r = conn->query(kTake, PgParams().text(key).real(rate_).real(burst_));
        double tokens = r.real(0, 0);
        bool ok = r.boolean(0, 1);
        pool_.release(std::move(conn));
        if (ok) return 0;
        double wait = (1.0 - tokens) / rate_;
        return std::max(1, static_cast<int>(std::ceil(wait)));
      } catch (const PgError& e) {
        const bool lost = connection_lost(e, *conn);
        if (lost) conn.reset();
        pool_.release(std::move(conn));
        if (!lost) throw;
        pool_.drop_idle();
        if (attempt >= 2) throw;
      }
    }
  }

 private:
  PgPool pool_;
  double rate_;
  double burst_;
};

}  // namespace

std::unique_ptr<PgConn> PgPool::acquire() {
  std::unique_lock<std::mutex> lock(mutex_);
  freed_.wait(lock, [&] { return !idle_.empty() || open_ < max_; });
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return conn;
  }
  ++open_;
  lock.unlock();
  try {
    return std::make_unique<PgConn>(conninfo_);
  } catch (...) {
    std::lock_guard<std::mutex> relock(mutex_);
    --open_;
    freed_.notify_one();
    throw;
  }
}

void PgPool::drop_idle() {
  std::vector<std::unique_ptr<PgConn>> closing;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closing.swap(idle_);
    open_ -= static_cast<int>(closing.size());
    freed_.notify_all();
  }
}

void PgPool::release(std::unique_ptr<PgConn> conn) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (conn && conn->ok()) idle_.push_back(std::move(conn));
  else --open_;
  freed_.notify_one();
}

PgStore::PgStore(const std::string& url, int pool_size) : url_(url), pool_(url, pool_size) {
  auto conn = pool_.acquire();
  try {
    conn->exec("SET client_min_messages = warning");
    conn->exec("BEGIN");
    conn->query("SELECT pg_advisory_xact_lock($1::int8)", PgParams().int64(kMigrationLock));
    conn->exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations("
        "version integer PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())");
    PgResult r = conn->query("SELECT COALESCE(MAX(version), 0)::int8 FROM schema_migrations");
    const auto current = r.int64(0, 0);
    if (current > kLatestVersion) {
      throw PgError("database " + describe() + " was migrated by a newer attrkit-server (schema " +
                        std::to_string(current) + ", this server knows " +
                        std::to_string(kLatestVersion) + ")",
                    "");
    }
    for (const Migration& m : kMigrations) {
      if (m.version <= current) continue;
      conn->exec(m.sql);
      conn->query("INSERT INTO schema_migrations(version) VALUES ($1::int8)",
                  PgParams().int64(m.version));
    }
    conn->exec("COMMIT");
  } catch (...) {
    finish_failed(pool_, std::move(conn));
    throw;
  }
  pool_.release(std::move(conn));
}

std::string PgStore::describe() const {
  // postgres://user:password@host/db -> postgres://user@host/db
  std::string out = url_;
  auto scheme = out.find("://");
  auto at = out.find('@');
  if (scheme != std::string::npos && at != std::string::npos && at > scheme) {
    auto colon = out.find(':', scheme + 3);
    if (colon != std::string::npos && colon < at) out.erase(colon, at - colon);
  }
  auto pw = out.find("password=");
  if (pw != std::string::npos) {
    auto end = out.find_first_of(" &", pw);
    out.replace(pw, (end == std::string::npos ? out.size() : end) - pw, "password=***");
  }
  return out;
}

std::unique_ptr<RequestLimiter> PgStore::rate_limiter(double rate, double burst) {
  return std::make_unique<PgRateLimiter>(url_, rate, burst);
}

void PgStore::run(const std::function<void(Tx&)>& f) {
  for (int attempt = 1;; ++attempt) {
    std::unique_ptr<PgConn> conn = pool_.acquire();
    try {
      conn->begin();
      PgTx tx(*conn);
      f(tx);
      conn->commit();
      pool_.release(std::move(conn));
      return;
    } catch (const PgError& e) {
      // A connection that broke (the database restarted, a proxy cut it) is dropped and the
      // transaction runs once more on a new one. Only a failure of COMMIT itself leaves it unknown
      // whether the transaction committed; running it again is then still safe: batch write ids
      // replay, a single write or a definition stores the same thing again.
      const bool lost = connection_lost(e, *conn);
      if (lost) conn.reset();
      finish_failed(pool_, std::move(conn));
      if (lost) pool_.drop_idle();
      if (!(retryable(e) || (lost && attempt == 1)) || attempt >= kAttempts) throw;
      pause_before_retry(attempt);
    } catch (...) {
      finish_failed(pool_, std::move(conn));
      throw;
    }
  }
}

void PgTx::ping() { db_.query("SELECT 1"); }

namespace {

constexpr const char* kKeyColumns =
    "SELECT id, key_hash, workspace_id, role, hint, created_ms, revoked_ms FROM api_keys ";

KeyRow key_from(const PgResult& r, int row) {
  KeyRow k;
  k.id = r.text(row, 0);
  k.key_hash = r.text(row, 1);
  k.workspace_id = r.text(row, 2);
  k.role = role_from_text(r.text(row, 3));
  k.hint = r.text(row, 4);
  k.created_ms = r.real(row, 5);
  if (!r.is_null(row, 6)) k.revoked_ms = r.real(row, 6);
  return k;
}

}  // namespace

std::optional<KeyRow> PgTx::find_key(const std::string& hash) {
  static const std::string sql =
      std::string(kKeyColumns) + "WHERE key_hash = $1::text AND revoked_ms IS NULL";
  PgResult r = db_.query(sql.c_str(), PgParams().text(hash));
  if (r.rows() == 0) return std::nullopt;
  return key_from(r, 0);
}

std::optional<KeyRow> PgTx::key_by_id(const std::string& key_id) {
  static const std::string sql = std::string(kKeyColumns) + "WHERE id = $1::text";
  PgResult r = db_.query(sql.c_str(), PgParams().text(key_id));
  if (r.rows() == 0) return std::nullopt;
  return key_from(r, 0);
}

std::vector<KeyRow> PgTx::keys(const std::string& workspace_id) {
  static const std::string sql = std::string(kKeyColumns) +
                                 "WHERE $1::text = '' OR workspace_id = $1::text "
                                 "ORDER BY created_ms, ord";
  PgResult r = db_.query(sql.c_str(), PgParams().text(workspace_id));
  std::vector<KeyRow> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(key_from(r, i));
  return out;
}

void PgTx::insert_key(const KeyRow& k) {
  db_.defer(
      "INSERT INTO api_keys(id, key_hash, workspace_id, role, hint, created_ms) "
      "VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::float8)",
      PgParams()
          .text(k.id)
          .text(k.key_hash)
          .text(k.workspace_id)
          .text(role_text(k.role))
          .text(k.hint)
          .real(k.created_ms));
}

bool PgTx::revoke_key(const std::string& key_id, double now_ms) {
  return db_.query(
                "UPDATE api_keys SET revoked_ms = $2::float8 "
                "WHERE id = $1::text AND revoked_ms IS NULL",
                PgParams().text(key_id).real(now_ms))
             .affected() > 0;
}

std::vector<WorkspaceRow> PgTx::workspaces() {
  PgResult r = db_.query(
      "SELECT id, name, is_demo, client_attribute_writes, definitions_version "
      "FROM workspaces ORDER BY ord");
  std::vector<WorkspaceRow> out;
  for (int i = 0; i < r.rows(); ++i) {
    WorkspaceRow w;
    w.id = r.text(i, 0);
    w.name = r.text(i, 1);
    w.is_demo = r.boolean(i, 2);
    w.client_attribute_writes = r.boolean(i, 3);
    w.definitions_version = r.int64(i, 4);
    out.push_back(std::move(w));
  }
  return out;
}

std::optional<DemoKeys> PgTx::demo_keys(const std::string& workspace_id) {
  PgResult r =
      db_.query("SELECT public_key, secret_key FROM demo_keys WHERE workspace_id = $1::text",
                PgParams().text(workspace_id));
  if (r.rows() == 0) return std::nullopt;
  return DemoKeys{r.text(0, 0), r.text(0, 1)};
}

void PgTx::put_demo_keys(const std::string& workspace_id, const DemoKeys& keys) {
  db_.defer(
      "INSERT INTO demo_keys(workspace_id, public_key, secret_key) "
      "VALUES ($1::text, $2::text, $3::text) "
      "ON CONFLICT (workspace_id) DO UPDATE SET public_key = excluded.public_key, "
      "secret_key = excluded.secret_key",
      PgParams().text(workspace_id).text(keys.public_key).text(keys.secret_key));
}

std::optional<WorkspaceRow> PgTx::workspace(const std::string& id) {
  return workspace_from(
      db_.query("SELECT id, name, is_demo, client_attribute_writes, definitions_version "
                "FROM workspaces WHERE id = $1::text",
                PgParams().text(id)));
}

std::optional<WorkspaceRow> PgTx::demo_workspace() {
  return workspace_from(
      db_.query("SELECT id, name, is_demo, client_attribute_writes, definitions_version "
                "FROM workspaces WHERE is_demo ORDER BY ord LIMIT 1"));
}

void PgTx::insert_workspace(const WorkspaceRow& ws) {
  db_.defer(
      "INSERT INTO workspaces(id, name, is_demo, client_attribute_writes, definitions_version) "
      "VALUES ($1::text, $2::text, $3::bool, $4::bool, $5::int8)",
      PgParams()
          .text(ws.id)
          .text(ws.name)
          .boolean(ws.is_demo)
          .boolean(ws.client_attribute_writes)
          .int64(ws.definitions_version));
}

void PgTx::set_client_attribute_writes(const std::string& workspace_id, bool on) {
  db_.defer("UPDATE workspaces SET client_attribute_writes = $2::bool WHERE id = $1::text",
            PgParams().text(workspace_id).boolean(on));
}

void PgTx::bump_definitions_version(const std::string& workspace_id) {
  db_.defer(
      "UPDATE workspaces SET definitions_version = definitions_version + 1 WHERE id = $1::text",
      PgParams().text(workspace_id));
}

std::vector<std::string> PgTx::definition_bodies(const std::string& workspace_id) {
  PgResult r = db_.query("SELECT body FROM definitions WHERE workspace_id = $1::text ORDER BY key",
                         PgParams().text(workspace_id));
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(r.text(i, 0));
  return out;
}

std::optional<std::string> PgTx::definition_body(const std::string& workspace_id,
                                                 const std::string& key) {
  db_.query("SELECT 1 FROM workspaces WHERE id = $1::text FOR UPDATE",
            PgParams().text(workspace_id));
  return first_text(
      db_.query("SELECT body FROM definitions WHERE workspace_id = $1::text AND key = $2::text",
                PgParams().text(workspace_id).text(key)));
}

void PgTx::put_definition(const std::string& workspace_id, const std::string& key,
                          const std::string& body) {
  db_.defer(
      "INSERT INTO definitions(workspace_id, key, body) VALUES ($1::text, $2::text, $3::text) "
      "ON CONFLICT (workspace_id, key) DO UPDATE SET body = excluded.body",
      PgParams().text(workspace_id).text(key).text(body));
}

std::optional<std::string> PgTx::find_person(const std::string& workspace_id,
                                             const std::string& distinct_id) {
  auto known = persons_.find({workspace_id, distinct_id});
  if (known != persons_.end()) return known->second;
  auto id = first_text(
      db_.query("SELECT id FROM persons WHERE workspace_id = $1::text AND distinct_id = $2::bytea "
                "FOR UPDATE",
                PgParams().text(workspace_id).text(distinct_id)));
  if (id) persons_.emplace(std::make_pair(workspace_id, distinct_id), *id);
  return id;
}

void PgTx::insert_person(const std::string& person_id, const std::string& workspace_id,
                         const std::string& distinct_id) {
  db_.defer(
      "INSERT INTO persons(id, workspace_id, distinct_id) VALUES ($1::text, $2::text, $3::bytea)",
      PgParams().text(person_id).text(workspace_id).text(distinct_id));
  // A row this transaction inserted is as good as locked: another inserting the same person
  // waits on the unique key until this one ends.
  persons_.emplace(std::make_pair(workspace_id, distinct_id), person_id);
}

std::optional<std::string> PgTx::value(const std::string& person_id, const std::string& key) {
  return first_text(
      db_.query("SELECT value FROM attribute_values WHERE person_id = $1::text AND key = $2::text",
                PgParams().text(person_id).text(key)));
}

std::vector<std::pair<std::string, std::string>> PgTx::values(const std::string& person_id) {
  PgResult r =
      db_.query("SELECT key, value FROM attribute_values WHERE person_id = $1::text ORDER BY key",
                PgParams().text(person_id));
  std::vector<std::pair<std::string, std::string>> out;
  for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.text(i, 0), r.text(i, 1));
  return out;
}

void PgTx::set_value(const std::string& person_id, const std::string& key, const std::string& json,
                     double now_ms) {
  db_.defer(
      "INSERT INTO attribute_values(person_id, key, value, updated_ms) "
      "VALUES ($1::text, $2::text, $3::text, $4::float8) "
      "ON CONFLICT (person_id, key) DO UPDATE SET value = excluded.value, "
      "updated_ms = excluded.updated_ms",
      PgParams().text(person_id).text(key).text(json).real(now_ms));
}

void PgTx::delete_value(const std::string& person_id, const std::string& key) {
  db_.defer("DELETE FROM attribute_values WHERE person_id = $1::text AND key = $2::text",
            PgParams().text(person_id).text(key));
}

std::optional<std::int64_t> PgTx::last_seq(const std::string& person_id, const std::string& key,
                                           const std::string& client_id) {
  PgResult r = db_.query(
      "SELECT seq FROM client_seqs "
      "WHERE person_id = $1::text AND key = $2::text AND client_id = $3::bytea",
      PgParams().text(person_id).text(key).text(client_id));
  if (r.rows() == 0) return std::nullopt;
  return r.int64(0, 0);
}

void PgTx::set_last_seq(const std::string& person_id, const std::string& key,
                        const std::string& client_id, std::int64_t seq) {
  db_.defer(
      "INSERT INTO client_seqs(person_id, key, client_id, seq) "
      "VALUES ($1::text, $2::text, $3::bytea, $4::int8) "
      "ON CONFLICT (person_id, key, client_id) DO UPDATE SET seq = excluded.seq",
      PgParams().text(person_id).text(key).text(client_id).int64(seq));
}

std::optional<std::string> PgTx::write_result(const std::string& workspace_id,
                                              const std::string& write_id) {
  return first_text(db_.query(
      "SELECT result FROM write_results WHERE workspace_id = $1::text AND write_id = $2::bytea",
      PgParams().text(workspace_id).text(write_id)));
}

void PgTx::put_write_result(const std::string& workspace_id, const std::string& write_id,
                            const std::string& result_json, double now_ms) {
  db_.defer(
      "INSERT INTO write_results(workspace_id, write_id, result, created_ms) "
      "VALUES ($1::text, $2::bytea, $3::text, $4::float8)",
      PgParams().text(workspace_id).text(write_id).text(result_json).real(now_ms));
}

int PgTx::prune_write_results(double cutoff_ms) {
  int pruned = db_.query("DELETE FROM write_results WHERE created_ms < $1::float8",
                         PgParams().real(cutoff_ms))
                   .affected();
  db_.query("DELETE FROM write_log WHERE at_ms < $1::float8", PgParams().real(cutoff_ms));
  return pruned;
}

void PgTx::log_write(const std::string& workspace_id, const std::string& write_id,
                     const std::string* distinct_id, const std::string* attribute,
                     WriteOutcome outcome, double now_ms) {
  db_.defer(
      "INSERT INTO write_log(workspace_id, write_id, distinct_id, attribute, outcome, at_ms) "
      "VALUES ($1::text, $2::bytea, $3::bytea, $4::bytea, $5::text, $6::float8)",
      PgParams()
          .text(workspace_id)
          .text(write_id)
          .text_or_null(distinct_id)
          .text_or_null(attribute)
          .text(write_outcome_name(outcome))
          .real(now_ms));
}

std::vector<WriteLogCount> PgTx::write_log_counts(const std::string& workspace_id,
                                                  const std::string* distinct_id,
                                                  const std::string* write_id, std::size_t limit) {
  PgResult r = db_.query(
      "SELECT g.write_id, f.distinct_id, f.attribute, g.applied, g.stale, g.rejected, g.replayed "
      "FROM (SELECT write_id, MIN(ord) AS first, "
      "        COUNT(*) FILTER (WHERE outcome = 'applied') AS applied, "
      "        COUNT(*) FILTER (WHERE outcome = 'stale') AS stale, "
      "        COUNT(*) FILTER (WHERE outcome = 'rejected') AS rejected, "
      "        COUNT(*) FILTER (WHERE outcome = 'replayed') AS replayed "
      "      FROM write_log WHERE workspace_id = $1::text "
      "        AND ($2::bytea IS NULL OR distinct_id = $2::bytea) "
      "        AND ($3::bytea IS NULL OR write_id = $3::bytea) "
      "      GROUP BY write_id) g "
      "JOIN write_log f ON f.ord = g.first ORDER BY g.first LIMIT $4::int8",
      PgParams()
          .text(workspace_id)
          .text_or_null(distinct_id)
          .text_or_null(write_id)
          .int64(static_cast<std::int64_t>(limit)));
  std::vector<WriteLogCount> out;
  for (int i = 0; i < r.rows(); ++i) {
    WriteLogCount c;
    c.write_id = r.text(i, 0);
    if (!r.is_null(i, 1)) c.distinct_id = r.text(i, 1);
    if (!r.is_null(i, 2)) c.attribute = r.text(i, 2);
    c.applied = r.int64(i, 3);
    c.stale = r.int64(i, 4);
    c.rejected = r.int64(i, 5);
    c.replayed = r.int64(i, 6);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace attrkit::server
