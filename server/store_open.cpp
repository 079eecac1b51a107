// open_store: the one place that picks the storage implementation from --db / ATTRKIT_DB.
#include <memory>
#include <string>

#include "server/pg_store.h"
#include "server/sqlite_store.h"
#include "server/store.h"

namespace attrkit::server {
namespace {

// Connections per process: enough for the HTTP workers that are inside a transaction at once
// on a small machine; PostgreSQL's default max_connections (100) fits several nodes.
constexpr int kPgPoolSize = 16;

bool starts_with(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

}  // namespace

bool is_postgres_url(const std::string& db) {
  return starts_with(db, "postgres://") || starts_with(db, "postgresql://") ||
         starts_with(db, "host=") || starts_with(db, "dbname=");
}

std::unique_ptr<Store> open_store(const std::string& db) {
  if (is_postgres_url(db)) return std::make_unique<PgStore>(db, kPgPoolSize);
  return std::make_unique<SqliteStore>(db);
}

}  // namespace attrkit::server
