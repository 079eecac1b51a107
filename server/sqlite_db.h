// A thin RAII layer over sqlite3 for the server's storage: one connection (Db) and its prepared
// statements (Stmt). Failures throw SqliteError; the server is native, and an HTTP handler turns
// any exception into a 500 server_error after the transaction has rolled back.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace attrkit::server {

class SqliteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One prepared statement. Owned by whoever prepared it; finalised on destruction. Column and bind
// indexes follow SQLite: binds count from 1, columns from 0.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql);
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
  Stmt prepare(const char* sql) { return Stmt(db_, sql); }
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int changes() const;

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace attrkit::server
