// A thin RAII layer over libpq for the PostgreSQL store: one connection (PgConn), its results
// (PgResult) and query parameters (PgParams). Every statement is prepared once per connection and
// then run by name; parameters and results travel in binary form, so a string column holds the
// exact bytes it was given (client ids and write ids may hold any byte, NUL included, and live in
// bytea columns). Failures throw PgError with the server's SQLSTATE; the store decides which of
// them mean "run the transaction again".
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace attrkit::server {

class PgError : public std::runtime_error {
 public:
  PgError(const std::string& what, std::string sqlstate)
      : std::runtime_error(what), sqlstate_(std::move(sqlstate)) {}
  // Five characters ("23505" unique_violation, "40001" serialization_failure, "40P01"
  // deadlock_detected), or "" when the connection itself failed.
  const std::string& sqlstate() const { return sqlstate_; }

 private:
  std::string sqlstate_;
};

// Parameters in binary form, in order ($1, $2, ...). Write the SQL with explicit casts
// ($1::text, $2::bytea, $3::int8, $4::float8, $5::bool) so each parameter has the type its bytes
// are in.
class PgParams {
 public:
  PgParams& text(const std::string& s);  // for ::text and ::bytea alike
  PgParams& int64(std::int64_t n);
  PgParams& real(double x);
  PgParams& boolean(bool b);
  PgParams& null();
  PgParams& text_or_null(const std::string* s) { return s ? text(*s) : null(); }

 private:
  friend class PgConn;
  struct Param {
    std::string bytes;
    bool is_null = false;
  };
  std::vector<Param> params_;
};

class PgResult {
 public:
  explicit PgResult(PGresult* r) : r_(r) {}
  ~PgResult();
  PgResult(PgResult&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  PgResult& operator=(PgResult&&) = delete;

  int rows() const;
  // Rows an INSERT/UPDATE/DELETE touched.
  int affected() const;
  bool is_null(int row, int col) const;
  std::string text(int row, int col) const;  // text or bytea
  std::int64_t int64(int row, int col) const;
  double real(int row, int col) const;
  bool boolean(int row, int col) const;

 private:
  PGresult* r_;
};

// One connection. Not thread-safe: the store hands each one to one transaction at a time.
//
// Write-behind: statements whose result nobody reads (BEGIN, the INSERTs and UPDATEs of a write)
// are queued by defer() and sent, in order, in one pipeline (libpq pipeline mode) together with
// the next query() or with commit(), so a batch write costs a round trip per read rather than
// per statement. Their errors surface there: the first failed statement's error is thrown by that
// query() or commit(), and the transaction is rolled back as for any error.
class PgConn {
 public:
  // Connects (conninfo: a postgres:// URL or "key=value" pairs). Throws PgError.
  explicit PgConn(const std::string& conninfo);
  ~PgConn();
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  // A statement without parameters, results in text form (BEGIN, COMMIT, DDL, several at once).
  void exec(const char* sql);
  // Prepares `sql` on first use (keyed by the pointer: pass string literals or static strings)
  // and runs it, after anything deferred.
  PgResult query(const char* sql, const PgParams& params = PgParams());
  // Queues a statement (prepared like query's) to go with the next query() or commit().
  void defer(const char* sql, PgParams params = PgParams());
  // Queues BEGIN; the transaction starts with the first statement sent.
  void begin();
  // Sends what is queued and COMMIT, in one round trip.
  void commit();
  // Drops what is queued and rolls back.
  void rollback();
  // False once the connection broke; the store then throws it away.
  bool ok() const;

 private:
  struct Pending {
    const char* sql;
    PgParams params;
    bool prepared;  // false: BEGIN / COMMIT, sent as they are
  };
  // Sends `pending_` (and then `last`, when given) in one pipeline and returns last's result (or
  // a null result). Clears pending_ either way.
  PGresult* pipeline(const Pending* last);
  const std::string& statement_name(const char* sql, bool* is_new);

  PGconn* conn_ = nullptr;
  std::unordered_map<const char*, std::string> prepared_;
  std::vector<Pending> pending_;
  int next_name_ = 0;
};

}  // namespace attrkit::server
