// A thin RAII layer over sqlite3 for the server's storage: one connection (Db) and its prepared
// statements (Stmt). Failures throw SqliteError; the server is native, and an HTTP handler turns
// any exception into a 500 server_error after the transaction has rolled back.
#pragma once
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace attrkit::server {

class SqliteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One prepared statement. Owned by whoever prepared it; finalised on destruction. Column and bind
// indexes follow SQLite: binds count from 1, columns from 0.
//
// Statements come from the connection's cache (Db::prepare): destroying a Stmt resets it and
// gives it back, so each distinct SQL text is compiled once per connection.
class Stmt {
 public:
  // `in_use`: the cache's flag for this statement, cleared on destruction; null for a statement
  // of its own (finalised on destruction).
  Stmt(sqlite3* db, sqlite3_stmt* stmt, bool* in_use) : db_(db), stmt_(stmt), in_use_(in_use) {}
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int i, const std::string& text);
  Stmt& bind(int i, std::int64_t n);
  Stmt& bind_double(int i, double x);
  Stmt& bind_null(int i);

  // Runs to the next row: true when a row is available, false when done.
  bool step();
  // Runs a statement that returns no rows.
  void run();

  std::string text(int col) const;
  std::int64_t int64(int col) const;
  double real(int col) const;
  bool is_null(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  bool* in_use_ = nullptr;
};

// One connection. Not thread-safe by itself: Store serialises every use behind its mutex.
class Db {
 public:
  // Opens (creating) the file, or ":memory:". Sets WAL, synchronous=NORMAL, a busy timeout and
  // foreign keys (see docs/server.md for why NORMAL is enough).
  explicit Db(const std::string& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(const char* sql);
  // The cached statement for this SQL text (compiled on first use), or a new one while the
  // cached one is still being stepped by another Stmt.
  Stmt prepare(const char* sql);
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int changes() const;

 private:
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };

  sqlite3* db_ = nullptr;
  // Node-based, so the in_use flags handed to Stmts stay put. Finalised before closing.
  std::unordered_map<std::string, std::unique_ptr<Cached>> cache_;
};

}  // namespace attrkit::server
