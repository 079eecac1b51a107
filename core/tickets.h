// Calls that settle later (docs/engine.md "Commands and their results"): a set made before the
// config is known settles once its writes are validated; a refetchBoosted set, a write() and a
// clear() once their writes are stored; a get made while raw writes wait settles, in queue order,
// with the view it would have had. Settling is a SettledEvent with the call's ticket.
// Owns: the ticket counter, the open tickets and the waiting gets.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine_types.h"
#include "json.h"
#include "view.h"

namespace attrkit {

class Tickets {
 public:
  // How a call waiting for its writes settles.
  enum class Shape : std::uint8_t {
    values,     // set_*: {attribute: value}
    write_api,  // write(): {"distinctId", "personId", "attributes"}
    clear,      // clear(): {"distinctId", "personId", "attribute", "value": null}
  };
  struct PendingGet {
    std::uint64_t ticket = 0;
    std::int64_t after_seq = 0;  // writes with a lower seq come before it
    View view;                   // the view as it will be at its place in the queue
  };

  std::uint64_t issue() { return next_++; }

  // `ticket` settles once its `writes` writes are resolved (until_stored: by the server; else
  // once validated, see settle_validated).
  void wait(std::uint64_t ticket, std::size_t writes, bool until_stored, Shape shape,
            const std::string& distinct_id);
  bool open(std::uint64_t ticket) const { return open_.count(ticket) > 0; }
  // The values of a command validated after the config arrived: settles it unless it waits for
  // the server.
  void settle_validated(std::uint64_t ticket, const Json& values, Events& events);
  // One write of the ticket was stored (value as stored) or failed.
  void stored(std::uint64_t ticket, const std::string& attribute, const Json& value,
              const std::string& person_id, Events& events);
  void failed(std::uint64_t ticket, const ErrorObject& error, Events& events);
  void settle(std::uint64_t ticket, CallResult result, Events& events);

  void wait_get(std::uint64_t ticket, std::int64_t after_seq, View view);
  std::vector<PendingGet>& gets() { return gets_; }
  // Answers the gets made before the write `seq` (all of them: INT64_MAX).
  void settle_gets_before(std::int64_t seq, Events& events);

  std::size_t size() const { return open_.size() + gets_.size(); }

 private:
  struct Ticket {
    Shape shape = Shape::values;
    bool until_stored = false;
    std::size_t remaining = 0;  // writes not yet resolved
    std::string distinct_id;
    std::string person_id;
    Json values = json_object();
    std::optional<ErrorObject> error;  // the first failure
  };
  void resolved(std::uint64_t ticket, Ticket& t, Events& events);

  std::uint64_t next_ = 1;
  std::map<std::uint64_t, Ticket> open_;
  std::vector<PendingGet> gets_;
};

}  // namespace attrkit
