// The server's storage interface (docs/server.md, "Storage"): one Store, two implementations,
// SqliteStore (sqlite_store.h, one file in WAL mode, the embedded default) and PgStore
// (pg_store.h, PostgreSQL through libpq, shared by any number of server processes).
// Every read and write happens inside Store::transact, which hands the callback a Tx (the only
// way to reach the tables) and commits before returning, so a request that was answered has been
// committed. Values and definitions are stored as JSON text exactly as the core normalised /
// serialised them. The rules built on these primitives (idempotent write ids, the seq rule,
// removeUnspecified) live once, above this interface, in writes.cpp; each implementation makes
// its transactions behave as if they ran one at a time.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "server/rate_limit.h"

namespace attrkit::server {

struct WorkspaceRow {
  std::string id;
  std::string name;
  bool client_attribute_writes = false;
  std::int64_t definitions_version = 1;
  bool is_demo = false;
};

enum class KeyRole { publishable, secret };

// What one batch write did on arrival (the write log, docs/server.md "Counting applications").
enum class WriteOutcome {
  applied,   // its value was stored
  stale,     // acknowledged, not stored: a newer seq from the same client was already applied
  rejected,  // failed validation; its failure is its recorded result
  replayed,  // its id was seen before: the first result was answered, nothing was applied
};
const char* write_outcome_name(WriteOutcome o);

// Per write id: how often each outcome was logged.
struct WriteLogCount {
  std::string write_id;
  std::optional<std::string> distinct_id;  // as the first request sent it (null: not a string)
  std::optional<std::string> attribute;
  std::int64_t applied = 0;
  std::int64_t stale = 0;
  std::int64_t rejected = 0;
  std::int64_t replayed = 0;
};

// An API key as stored: never the key itself, only its SHA-256 (server/key_hash.h).
struct KeyRow {
  std::string id;        // "key_" + 16: how lists and revoke name it
  std::string key_hash;  // hex SHA-256 of the key
  std::string workspace_id;
  KeyRole role = KeyRole::publishable;
  std::string hint;  // the key's first 12 characters ("sk_live_AbCd"), for people
  double created_ms = 0;
  std::optional<double> revoked_ms;  // set once revoked; a revoked key never authenticates
};

// The demo workspace's two keys, kept readable so every `npm start` can print them (the demo is a
// loopback-only development fixture; docs/operations.md).
struct DemoKeys {
  std::string public_key;
  std::string secret_key;
};

// Table access for one open transaction. Obtained only from Store::transact; do not keep it.
class Tx {
 public:
  virtual ~Tx() = default;

  // A trivial query: throws when the database cannot answer (GET /readyz).
  virtual void ping() = 0;

  // Workspaces and keys
  // The key whose hash this is, unless revoked. Looked up on every request (no cache), so a
  // revocation holds from the next request on, on every node.
  virtual std::optional<KeyRow> find_key(const std::string& key_hash) = 0;
  virtual std::optional<KeyRow> key_by_id(const std::string& key_id) = 0;
  // Every key of the workspace (all workspaces when empty), revoked ones too, oldest first.
  virtual std::vector<KeyRow> keys(const std::string& workspace_id) = 0;
  virtual void insert_key(const KeyRow& key) = 0;
  // Sets revoked_ms unless already revoked; false when there is no such key or it was revoked.
  virtual bool revoke_key(const std::string& key_id, double now_ms) = 0;
  virtual std::optional<WorkspaceRow> workspace(const std::string& id) = 0;
  virtual std::vector<WorkspaceRow> workspaces() = 0;  // oldest first
  virtual std::optional<WorkspaceRow> demo_workspace() = 0;
  virtual void insert_workspace(const WorkspaceRow& ws) = 0;
  virtual std::optional<DemoKeys> demo_keys(const std::string& workspace_id) = 0;
  virtual void put_demo_keys(const std::string& workspace_id, const DemoKeys& keys) = 0;
  virtual void set_client_attribute_writes(const std::string& workspace_id, bool on) = 0;
  virtual void bump_definitions_version(const std::string& workspace_id) = 0;

  // Definitions: body is the core's definition_to_json text.
  virtual std::vector<std::string> definition_bodies(const std::string& workspace_id) = 0;
  // Also orders definition changes per workspace: on PostgreSQL it locks the workspace row
  // until the transaction ends, so two nodes changing definitions bump the version once each.
  virtual std::optional<std::string> definition_body(const std::string& workspace_id,
                                                     const std::string& key) = 0;
  virtual void put_definition(const std::string& workspace_id, const std::string& key,
                              const std::string& body) = 0;

  // Persons. find_person also orders the writes to one person: on PostgreSQL it locks the
  // person's row until the transaction ends, which is what makes the seq rule and
  // removeUnspecified hold across nodes.
  virtual std::optional<std::string> find_person(const std::string& workspace_id,
                                                 const std::string& distinct_id) = 0;
  virtual void insert_person(const std::string& person_id, const std::string& workspace_id,
                             const std::string& distinct_id) = 0;

  // Values: JSON text of the normalised value.
  virtual std::optional<std::string> value(const std::string& person_id,
                                           const std::string& key) = 0;
  virtual std::vector<std::pair<std::string, std::string>> values(const std::string& person_id) = 0;
  virtual void set_value(const std::string& person_id, const std::string& key,
                         const std::string& json, double now_ms) = 0;
  virtual void delete_value(const std::string& person_id, const std::string& key) = 0;

  // Per (person, attribute, clientId): the highest seq applied (DESIGN §4, §7).
  virtual std::optional<std::int64_t> last_seq(const std::string& person_id, const std::string& key,
                                               const std::string& client_id) = 0;
  virtual void set_last_seq(const std::string& person_id, const std::string& key,
                            const std::string& client_id, std::int64_t seq) = 0;

  // Batch write ids (idempotency): the JSON text of the first result, per workspace. The pair
  // (workspace, write id) is unique in the database: a second node recording the same id fails
  // its transaction, which the store runs again, and then finds the first result.
  virtual std::optional<std::string> write_result(const std::string& workspace_id,
                                                  const std::string& write_id) = 0;
  virtual void put_write_result(const std::string& workspace_id, const std::string& write_id,
                                const std::string& result_json, double now_ms) = 0;
  // Forgets results (and write log rows) recorded before `cutoff_ms`; returns how many results.
  virtual int prune_write_results(double cutoff_ms) = 0;

  // The write log: one row per batch write processed, appended in the write's own transaction,
  // so a rolled-back batch logs nothing. distinct_id / attribute: null when not strings.
  virtual void log_write(const std::string& workspace_id, const std::string& write_id,
                         const std::string* distinct_id, const std::string* attribute,
                         WriteOutcome outcome, double now_ms) = 0;
  // Counts per write id, optionally only rows naming `distinct_id` and/or only `write_id`; at
  // most `limit` ids, oldest first.
  virtual std::vector<WriteLogCount> write_log_counts(const std::string& workspace_id,
                                                      const std::string* distinct_id,
                                                      const std::string* write_id,
                                                      std::size_t limit) = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // The schema version this server writes (docs/operations.md, "Upgrades"; both
  // implementations record it in schema_migrations).
  static constexpr int kSchemaVersion = 2;

  // Runs f(Tx&) in one transaction, committed before it returns, and returns f's result. An
  // exception from f (or from COMMIT) rolls back and propagates. f may run more than once: a
  // PostgreSQL transaction that lost a race (a unique key another node just took, a deadlock,
  // a serialization failure) is rolled back and run again, so f must reach the outside world
  // only through the Tx and its result.
  template <class F>
  auto transact(F&& f) -> std::invoke_result_t<F, Tx&> {
    using R = std::invoke_result_t<F, Tx&>;
    std::shared_lock<std::shared_mutex> running(quiesce_);
    if constexpr (std::is_void_v<R>) {
      run([&](Tx& tx) { f(tx); });
    } else {
      std::optional<R> out;
      run([&](Tx& tx) { out.emplace(f(tx)); });
      return std::move(*out);
    }
  }

  // Waits for running transactions and holds new ones off until the guard is destroyed. Used
  // to leave the process without cutting a transaction in half.
  std::unique_lock<std::shared_mutex> hold() {
    return std::unique_lock<std::shared_mutex>(quiesce_);
  }

  // The per-key request limiter for this storage (`rate` per second, burst `burst`): tokens in
  // process memory for SQLite (one process), a table for PostgreSQL (shared by every node).
  virtual std::unique_ptr<RequestLimiter> rate_limiter(double rate, double burst) = 0;

  // What the ready line prints as "database" (a PostgreSQL URL without its password).
  virtual std::string describe() const = 0;

 protected:
  // One transaction around f (see transact).
  virtual void run(const std::function<void(Tx&)>& f) = 0;

 private:
  std::shared_mutex quiesce_;
};

// Opens the storage `db` names: a postgres:// or postgresql:// URL (or a libpq "key=value"
// string starting with "host=" / "dbname=") opens PgStore, anything else is a SQLite file path
// (":memory:" for tests). Creates or migrates the schema. Throws std::runtime_error when the
// database cannot be opened or was written by a newer attrkit-server.
std::unique_ptr<Store> open_store(const std::string& db);

// True when `db` names a PostgreSQL database rather than a SQLite file.
bool is_postgres_url(const std::string& db);

}  // namespace attrkit::server
