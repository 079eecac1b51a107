// open_store: the one place that picks the storage implementation from --db / ATTRKIT_DB.
#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "server/pg_store.h"
#include "server/sqlite_store.h"
#include "server/store.h"

namespace attrkit::server {
namespace {

// Connections per process (ATTRKIT_DB_POOL overrides): a few per core of this machine. More
// connections than the database host's cores only add contention (backends spinning on the same
// index pages and locks); requests beyond the pool wait for a connection, which is cheaper.
int pg_pool_size() {
  if (const char* env = std::getenv("ATTRKIT_DB_POOL"); env && *env) {
    int n = std::atoi(env);
    if (n >= 1 && n <= 1000) return n;
  }
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  return std::clamp(cores * 2, 4, 16);
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

bool is_postgres_url(const std::string& db) {
  return starts_with(db, "postgres://") || starts_with(db, "postgresql://") ||
         starts_with(db, "host=") || starts_with(db, "dbname=");
}

std::unique_ptr<Store> open_store(const std::string& db) {
  if (is_postgres_url(db)) return std::make_unique<PgStore>(db, pg_pool_size());
  return std::make_unique<SqliteStore>(db);
}

}  // namespace attrkit::server
