// Store on PostgreSQL through libpq (docs/server.md, "Storage"): any number of server processes
// may share one database. Transactions run concurrently at READ COMMITTED, and what SQLite gets
// from running them one at a time comes from the database itself:
//   - a write id is a primary key (workspace, write id): the second node to record one fails
//     with unique_violation, its transaction is run again and replays the first result;
//   - find_person locks the person's row (SELECT ... FOR UPDATE) until the transaction ends, so
//     the writes to one person, and with them the seq rule and removeUnspecified, are ordered;
//   - a new person is a unique (workspace, distinct id): two nodes creating it race on the
//     constraint and the loser runs again;
//   - definition changes lock the workspace row;
//   - rate limits are a table of token buckets, one atomic upsert per request (PgRateLimiter).
// Transactions that fail with unique_violation, serialization_failure or deadlock_detected are
// rolled back and run again (a few times, with a short random pause).
#pragma once
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/pg_db.h"
#include "server/store.h"

namespace attrkit::server {

// Connections for one database, opened on demand up to `max`, handed out one per transaction.
class PgPool {
 public:
  PgPool(std::string conninfo, int max) : conninfo_(std::move(conninfo)), max_(max) {}

  // A connection for the caller alone; give it back with release (or drop it if it broke).
  std::unique_ptr<PgConn> acquire();
  void release(std::unique_ptr<PgConn> conn);
  // Closes the idle connections: after one was found cut (the database restarted), the others
  // most likely were too, and each would fail one request to find out.
  void drop_idle();

 private:
  std::string conninfo_;
  int max_;
  int open_ = 0;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<PgConn>> idle_;
};

class PgTx final : public Tx {
 public:
  explicit PgTx(PgConn& db) : db_(db) {}

  void ping() override;
  std::optional<KeyRow> find_key(const std::string& key_hash) override;
  std::optional<KeyRow> key_by_id(const std::string& key_id) override;
  std::vector<KeyRow> keys(const std::string& workspace_id) override;
  void insert_key(const KeyRow& key) override;
  bool revoke_key(const std::string& key_id, double now_ms) override;
  std::optional<WorkspaceRow> workspace(const std::string& id) override;
  std::vector<WorkspaceRow> workspaces() override;
  std::optional<WorkspaceRow> demo_workspace() override;
  void insert_workspace(const WorkspaceRow& ws) override;
  std::optional<DemoKeys> demo_keys(const std::string& workspace_id) override;
  void put_demo_keys(const std::string& workspace_id, const DemoKeys& keys) override;
  void set_client_attribute_writes(const std::string& workspace_id, bool on) override;
  void bump_definitions_version(const std::string& workspace_id) override;
  std::vector<std::string> definition_bodies(const std::string& workspace_id) override;
  std::optional<std::string> definition_body(const std::string& workspace_id,
                                             const std::string& key) override;
  void put_definition(const std::string& workspace_id, const std::string& key,
                      const std::string& body) override;
  std::optional<std::string> find_person(const std::string& workspace_id,
                                         const std::string& distinct_id) override;
  void insert_person(const std::string& person_id, const std::string& workspace_id,
                     const std::string& distinct_id) override;
  std::optional<std::string> value(const std::string& person_id, const std::string& key) override;
  std::vector<std::pair<std::string, std::string>> values(const std::string& person_id) override;
  void set_value(const std::string& person_id, const std::string& key, const std::string& json,
                 double now_ms) override;
  void delete_value(const std::string& person_id, const std::string& key) override;
  std::optional<std::int64_t> last_seq(const std::string& person_id, const std::string& key,
                                       const std::string& client_id) override;
  void set_last_seq(const std::string& person_id, const std::string& key,
                    const std::string& client_id, std::int64_t seq) override;
  std::optional<std::string> write_result(const std::string& workspace_id,
                                          const std::string& write_id) override;
  void put_write_result(const std::string& workspace_id, const std::string& write_id,
                        const std::string& result_json, double now_ms) override;
  int prune_write_results(double cutoff_ms) override;
  void log_write(const std::string& workspace_id, const std::string& write_id,
                 const std::string* distinct_id, const std::string* attribute, WriteOutcome outcome,
                 double now_ms) override;
  std::vector<WriteLogCount> write_log_counts(const std::string& workspace_id,
                                              const std::string* distinct_id,
                                              const std::string* write_id,
                                              std::size_t limit) override;

 private:
  PgConn& db_;
  // Persons found (and so locked) or created in this transaction: a batch naming one person
  // many times locks it once. Valid because the lock lasts until the transaction ends.
  std::map<std::pair<std::string, std::string>, std::string> persons_;
};

class PgStore final : public Store {
 public:
  // Connects and applies the migrations the database lacks (under an advisory lock, so nodes
  // starting together migrate once). Throws PgError when the database cannot be reached or
  // was migrated by a newer server. `pool_size`: connections at most, opened on demand.
  PgStore(const std::string& url, int pool_size);

  std::unique_ptr<RequestLimiter> rate_limiter(double rate, double burst) override;
  std::string describe() const override;

 protected:
  void run(const std::function<void(Tx&)>& f) override;

 private:
  std::string url_;
  PgPool pool_;
};

}  // namespace attrkit::server
