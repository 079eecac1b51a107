// GET /api/v1/debug/writes (secret key): how many times each batch write id was applied, from the
// write log (docs/server.md, "Counting applications"). It exists so that delivery tests, and anyone
// debugging a client, can check "applied exactly once" on the server's own books instead of
// inferring it from stored values.
#include "core/validate.h"
#include "server/handlers.h"

namespace attrkit::server {
namespace {

constexpr std::size_t kMaxListedWrites = 10000;
constexpr std::size_t kMaxWriteIdBytes = 200;  // as batch write ids

Json optional_text(const std::optional<std::string>& s) { return s ? Json(*s) : Json(nullptr); }

}  // namespace

Reply get_debug_writes(ApiCall& call) {
  const std::string* distinct_id = nullptr;
  const std::string* write_id = nullptr;
  if (auto it = call.query.find("distinctId"); it != call.query.end()) {
    std::string message;
    if (validate_distinct_id(Json(it->second), &message) != Error::ok) {
      return Reply::error(api_error(Error::distinct_id_invalid, std::move(message)));
    }
    distinct_id = &it->second;
  }
  if (auto it = call.query.find("id"); it != call.query.end()) {
    if (it->second.empty() || it->second.size() > kMaxWriteIdBytes) {
      return Reply::error(api_error(Error::invalid_request, "\"id\" must be 1 to 200 bytes"));
    }
    write_id = &it->second;
  }
  std::vector<WriteLogCount> rows =
      call.tx.write_log_counts(call.who.workspace.id, distinct_id, write_id, kMaxListedWrites + 1);
  const bool truncated = rows.size() > kMaxListedWrites;
  if (truncated) rows.pop_back();
  Json writes = Json::array();
  for (const WriteLogCount& c : rows) {
    writes.push_back(Json{{"id", c.write_id},
                          {"distinctId", optional_text(c.distinct_id)},
                          {"attribute", optional_text(c.attribute)},
                          {"applied", c.applied},
                          {"stale", c.stale},
                          {"rejected", c.rejected},
                          {"replayed", c.replayed}});
  }
  return Reply::ok(Json{{"writes", std::move(writes)}, {"truncated", truncated}});
}

}  // namespace attrkit::server
