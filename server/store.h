// The server's storage: one SQLite file in WAL mode (docs/server.md, "Storage").
// Store owns the connection and a mutex; every read and write happens inside Store::transact,
// which hands the callback a Tx (the only way to reach the tables) and commits before returning,
// so a request that was answered has been committed. Values and definitions are stored as JSON
// text exactly as the core normalised / serialised them.
#pragma once
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "server/sqlite_db.h"

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
  explicit Tx(Db& db) : db_(db) {}

  // A trivial query: throws when the database cannot answer (GET /readyz).
  void ping();

  // Workspaces and keys
  // The key whose hash this is, unless revoked. Looked up on every request (no cache), so a
  // revocation holds from the next request on, on every node.
  std::optional<KeyRow> find_key(const std::string& key_hash);
  std::optional<KeyRow> key_by_id(const std::string& key_id);
  // Every key of the workspace (all workspaces when empty), revoked ones too, oldest first.
  std::vector<KeyRow> keys(const std::string& workspace_id);
  void insert_key(const KeyRow& key);
  // Sets revoked_ms unless already revoked; false when there is no such key or it was revoked.
  bool revoke_key(const std::string& key_id, double now_ms);
  std::optional<WorkspaceRow> workspace(const std::string& id);
  std::vector<WorkspaceRow> workspaces();  // oldest first
  std::optional<WorkspaceRow> demo_workspace();
  void insert_workspace(const WorkspaceRow& ws);
  std::optional<DemoKeys> demo_keys(const std::string& workspace_id);
  void put_demo_keys(const std::string& workspace_id, const DemoKeys& keys);
  void set_client_attribute_writes(const std::string& workspace_id, bool on);
  void bump_definitions_version(const std::string& workspace_id);

  // Definitions: body is the core's definition_to_json text.
  std::vector<std::string> definition_bodies(const std::string& workspace_id);
  std::optional<std::string> definition_body(const std::string& workspace_id,
                                             const std::string& key);
  void put_definition(const std::string& workspace_id, const std::string& key,
                      const std::string& body);

  // Persons
  std::optional<std::string> find_person(const std::string& workspace_id,
                                         const std::string& distinct_id);
  void insert_person(const std::string& person_id, const std::string& workspace_id,
                     const std::string& distinct_id);

  // Values: JSON text of the normalised value.
  std::optional<std::string> value(const std::string& person_id, const std::string& key);
  std::vector<std::pair<std::string, std::string>> values(const std::string& person_id);
  void set_value(const std::string& person_id, const std::string& key, const std::string& json,
                 double now_ms);
  void delete_value(const std::string& person_id, const std::string& key);

  // Per (person, attribute, clientId): the highest seq applied (DESIGN §4, §7).
  std::optional<std::int64_t> last_seq(const std::string& person_id, const std::string& key,
                                       const std::string& client_id);
  void set_last_seq(const std::string& person_id, const std::string& key,
                    const std::string& client_id, std::int64_t seq);

  // Batch write ids (idempotency): the JSON text of the first result, per workspace.
  std::optional<std::string> write_result(const std::string& workspace_id,
                                          const std::string& write_id);
  void put_write_result(const std::string& workspace_id, const std::string& write_id,
                        const std::string& result_json, double now_ms);
  // Forgets results (and write log rows) recorded before `cutoff_ms`; returns how many results.
  int prune_write_results(double cutoff_ms);

  // The write log: one row per batch write processed, appended in the write's own transaction,
  // so a rolled-back batch logs nothing. distinct_id / attribute: null when not strings.
  void log_write(const std::string& workspace_id, const std::string& write_id,
                 const std::string* distinct_id, const std::string* attribute,
                 WriteOutcome outcome, double now_ms);
  // Counts per write id, optionally only rows naming `distinct_id` and/or only `write_id`; at
  // most `limit` ids, oldest first.
  std::vector<WriteLogCount> write_log_counts(const std::string& workspace_id,
                                              const std::string* distinct_id,
                                              const std::string* write_id, std::size_t limit);

 private:
  Db& db_;
};

class Store {
 public:
  // Opens or creates the database file (":memory:" for tests) and its schema, migrating an older
  // schema in place (version 1 -> 2: plain keys replaced by their hashes). Throws SqliteError
  // when the file cannot be opened or was written by a newer schema.
  explicit Store(const std::string& path);

  // Holds the store's lock until the returned guard is destroyed: no transaction runs meanwhile.
  // Used to leave the process without cutting a transaction in half.
  std::unique_lock<std::mutex> hold() { return std::unique_lock<std::mutex>(mutex_); }

  // The schema version this server writes (docs/operations.md, "Upgrades").
  static constexpr int kSchemaVersion = 2;

  // Runs f(Tx&) in one BEGIN IMMEDIATE ... COMMIT under the store's mutex and returns its result.
  // An exception from f (or from COMMIT) rolls back and propagates.
  template <class F>
  auto transact(F&& f) -> std::invoke_result_t<F, Tx&> {
    std::lock_guard<std::mutex> lock(mutex_);
    db_.exec("BEGIN IMMEDIATE");
    Tx tx(db_);
    try {
      if constexpr (std::is_void_v<std::invoke_result_t<F, Tx&>>) {
        f(tx);
        db_.exec("COMMIT");
      } else {
        auto result = f(tx);
        db_.exec("COMMIT");
        return result;
      }
    } catch (...) {
      rollback();
      throw;
    }
  }

 private:
  void rollback() noexcept;

  std::mutex mutex_;
  Db db_;
};

}  // namespace attrkit::server
