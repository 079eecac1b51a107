// Store on one SQLite file in WAL mode (docs/server.md, "Storage"): the embedded default, for one
// server process. One connection guarded by a mutex; every transaction is BEGIN IMMEDIATE, so
// transactions run one at a time and the rules above the Tx interface need nothing more.
#pragma once
#include <memory>
#include <mutex>
#include <string>

#include "server/sqlite_db.h"
#include "server/store.h"

namespace attrkit::server {

class SqliteTx final : public Tx {
 public:
  explicit SqliteTx(Db& db) : db_(db) {}

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
  Db& db_;
};

class SqliteStore final : public Store {
 public:
  // Opens or creates the database file (":memory:" for tests) and applies the migrations it
  // lacks. Throws SqliteError when the file cannot be opened or was written by a newer server.
  explicit SqliteStore(const std::string& path);

  std::unique_ptr<RequestLimiter> rate_limiter(double rate, double burst) override;
  std::string describe() const override { return path_; }

 protected:
  void run(const std::function<void(Tx&)>& f) override;

 private:
  void rollback() noexcept;

  std::string path_;
  std::mutex mutex_;
  Db db_;
};

}  // namespace attrkit::server
