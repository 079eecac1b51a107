#include "server/pg_db.h"

#include <libpq-fe.h>

#include <cstring>

namespace attrkit::server {
namespace {

void put_be64(std::string* out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((v >> (i * 8)) & 0xff));
}

std::uint64_t get_be64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

std::string sqlstate_of(const PGresult* r) {
  const char* s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  return s ? s : "";
}

// Throws unless the result is a success; takes ownership of r either way.
PGresult* check(PGconn* conn, PGresult* r, const char* sql) {
  ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return r;
  std::string message = r ? PQresultErrorMessage(r) : PQerrorMessage(conn);
  std::string state = sqlstate_of(r);
  PQclear(r);
  while (!message.empty() && message.back() == '\n') message.pop_back();
  throw PgError("postgres: " + message + " (in: " + std::string(sql).substr(0, 80) + ")", state);
}

}  // namespace

PgParams& PgParams::text(const std::string& s) {
  params_.push_back({s, false});
  return *this;
}

PgParams& PgParams::int64(std::int64_t n) {
  Param p;
  put_be64(&p.bytes, static_cast<std::uint64_t>(n));
  params_.push_back(std::move(p));
  return *this;
}

PgParams& PgParams::real(double x) {
  std::uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  Param p;
  put_be64(&p.bytes, bits);
  params_.push_back(std::move(p));
  return *this;
}

PgParams& PgParams::boolean(bool b) {
  params_.push_back({std::string(1, b ? '\1' : '\0'), false});
  return *this;
}

PgParams& PgParams::null() {
  params_.push_back({std::string(), true});
  return *this;
}

PgResult::~PgResult() { PQclear(r_); }

int PgResult::rows() const { return PQntuples(r_); }

int PgResult::affected() const {
  const char* n = PQcmdTuples(r_);
  return n && *n ? std::atoi(n) : 0;
}

bool PgResult::is_null(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }

std::string PgResult::text(int row, int col) const {
  return std::string(PQgetvalue(r_, row, col), static_cast<std::size_t>(PQgetlength(r_, row, col)));
}

std::int64_t PgResult::int64(int row, int col) const {
  // Binary int8 is 8 big-endian bytes; int4 (COUNT is int8, but be lenient) 4.
  const char* p = PQgetvalue(r_, row, col);
  int len = PQgetlength(r_, row, col);
  if (len == 8) return static_cast<std::int64_t>(get_be64(p));
  std::int64_t v = 0;
  for (int i = 0; i < len; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  if (len == 4) v = static_cast<std::int32_t>(v);
  return v;
}

double PgResult::real(int row, int col) const {
  std::uint64_t bits = get_be64(PQgetvalue(r_, row, col));
  double x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

bool PgResult::boolean(int row, int col) const { return PQgetvalue(r_, row, col)[0] != 0; }

PgConn::PgConn(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
    std::string message = conn_ ? PQerrorMessage(conn_) : "out of memory";
    PQfinish(conn_);
    conn_ = nullptr;
    while (!message.empty() && message.back() == '\n') message.pop_back();
    throw PgError("postgres: cannot connect: " + message, "");
  }
}

PgConn::~PgConn() { PQfinish(conn_); }

bool PgConn::ok() const { return conn_ && PQstatus(conn_) == CONNECTION_OK; }

void PgConn::exec(const char* sql) { PQclear(check(conn_, PQexec(conn_, sql), sql)); }

const std::string& PgConn::statement_name(const char* sql, bool* is_new) {
  auto it = prepared_.find(sql);
  *is_new = it == prepared_.end();
  if (*is_new) it = prepared_.emplace(sql, "s" + std::to_string(next_name_++)).first;
  return it->second;
}

void PgConn::rollback() {
  pending_.clear();
  exec("ROLLBACK");
}

void PgConn::defer(const char* sql, PgParams params) {
  pending_.push_back({sql, std::move(params), true});
}

void PgConn::begin() { pending_.push_back({"BEGIN", PgParams(), false}); }

void PgConn::commit() {
  Pending last{"COMMIT", PgParams(), false};
  PQclear(pipeline(&last));
}

PgResult PgConn::query(const char* sql, const PgParams& params) {
  Pending last{sql, params, true};
  return PgResult(pipeline(&last));
}

PGresult* PgConn::pipeline(const Pending* last) {
  std::vector<Pending> batch = std::move(pending_);
  pending_.clear();
  if (last) batch.push_back(*last);
  if (batch.empty()) return nullptr;

  // What was sent, in order: each statement, preceded by its PREPARE the first time.
  struct Sent {
    const char* sql;
    bool is_last;
    bool is_prepare;
  };
  std::vector<Sent> sent;
  auto fail_send = [&](const char* sql) {
    std::string message = PQerrorMessage(conn_);
    if (PQpipelineStatus(conn_) != PQ_PIPELINE_OFF) PQexitPipelineMode(conn_);
    throw PgError("postgres: " + message + " (sending: " + std::string(sql).substr(0, 80) + ")",
                  "");
  };
  if (!PQenterPipelineMode(conn_)) fail_send("pipeline");
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const Pending& p = batch[i];
    const bool is_last = last && i + 1 == batch.size();
    if (!p.prepared) {
      if (!PQsendQueryParams(conn_, p.sql, 0, nullptr, nullptr, nullptr, nullptr, 1)) {
        fail_send(p.sql);
      }
      sent.push_back({p.sql, is_last, false});
      continue;
    }
    bool is_new = false;
    const std::string& name = statement_name(p.sql, &is_new);
    if (is_new) {
      if (!PQsendPrepare(conn_, name.c_str(), p.sql, 0, nullptr)) {
        prepared_.erase(p.sql);
        fail_send(p.sql);
      }
      sent.push_back({p.sql, false, true});
    }
    const auto& ps = p.params.params_;
    std::vector<const char*> values(ps.size());
    std::vector<int> lengths(ps.size());
    std::vector<int> formats(ps.size(), 1);
    for (std::size_t k = 0; k < ps.size(); ++k) {
      values[k] = ps[k].is_null ? nullptr : ps[k].bytes.data();
      lengths[k] = static_cast<int>(ps[k].bytes.size());
    }
    if (!PQsendQueryPrepared(conn_, name.c_str(), static_cast<int>(ps.size()), values.data(),
                             lengths.data(), formats.data(), 1)) {
      fail_send(p.sql);
    }
    sent.push_back({p.sql, is_last, false});
  }
  if (!PQpipelineSync(conn_)) fail_send("sync");

  // Read every result up to the sync point, keeping last's and the first error.
  PGresult* answer = nullptr;
  PGresult* error = nullptr;
  const char* error_sql = nullptr;
  for (const Sent& s : sent) {
    bool done = false;
    while (PGresult* r = PQgetResult(conn_)) {
      ExecStatusType st = PQresultStatus(r);
      done = done || st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
      if (st == PGRES_FATAL_ERROR && !error) {
        error = r;
        error_sql = s.sql;
      } else if (s.is_last && !answer && (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)) {
        answer = r;
      } else {
        PQclear(r);
      }
    }
    // A PREPARE that failed, or never ran (the pipeline aborted first), is prepared next time.
    if (s.is_prepare && !done) prepared_.erase(s.sql);
  }
  bool synced = false;
  while (PGresult* r = PQgetResult(conn_)) {
    synced = synced || PQresultStatus(r) == PGRES_PIPELINE_SYNC;
    PQclear(r);
    if (synced) break;
  }
  PQexitPipelineMode(conn_);
  if (error) {
    PQclear(answer);
    check(conn_, error, error_sql);  // throws
  }
  if (last && !answer) {
    throw PgError(
        "postgres: no result (connection lost?) for " + std::string(last->sql).substr(0, 80), "");
  }
  return answer;
}

}  // namespace attrkit::server
