// The Engine: the state machine behind the push queue (DESIGN §2a, §4, §5). The JS runtime owns
// all I/O (timers, fetch, storage, listeners) and drives one Engine per page; native tests drive it
// directly. Calls return the typed responses of engine_types.h; engine_json.h turns them into the
// JSON the binding hands to JS (docs/engine.md documents the shapes and the behaviour).
//
// Owns: the identity, the workspace config once known, and every write not yet delivered
// (pending-config, held-before-identify, the Outbox), with its parts owning the rest: the View
// (this client's belief of the current user's stored values), the Tickets (calls that settle
// later), the events not yet taken. Deterministic: time is the `now` argument (ms since epoch),
// jitter comes in the outcome. Never throws, never reads a clock, never serialises JSON text.
//
// command(cmd, now), write(request, now) -> Response; every failure, synchronous or not, also
//   produces exactly one ErrorEvent.
// configure(config, now, provisional): config = GET /api/v1/sdk/config body. Validates the writes
//   kept raw so far, in order (failures become error events for their tickets). May be called
//   again. provisional = a cached copy applied before the server answered (docs/engine.md
//   "Provisional config"): writes it accepts are validated and queued, but no batch is cut (a
//   pagehide flush excepted) and a write it refuses is kept raw, with every later one, until the
//   server's copy (configure without provisional) decides: the copy may be stale.
// take_batch(now, flush) -> the batch to POST to {apiHost}/api/v1/attributes/values/batch, then
//   report with complete_batch. flush = true ignores the flush window (pagehide: keepalive).
// take_flush(now): take_batch(now, true) unless the batch is estimated over kKeepaliveMaxBytes (a
//   lone huge write or removeUnspecified group stays for the normal timer or the next page). At
//   most one batch is in flight, so a keepalive flush never has more than 60 KB in flight.
// complete_batch(outcome, now): outcome as retry.h reads it.
// next_wake(now) -> absolute ms to call take_batch at (<= now: at once), or -1: nothing to do.
// snapshot() -> the snapshot.h JSON to persist, or null while the workspace is unknown.
// save(now) -> snapshot() after enforcing the bounds of the stored state: writes kept 7 days are
//   failed (delivery_failed), then, over 256 KB (estimated), older values of one person and
//   attribute are collapsed and the oldest commands dropped (one error event, queue_full, with
//   every dropped write id). In-flight writes are never dropped.
// load_snapshot(snapshot, workspace, now): merges persisted state into this engine
// (docs/engine.md);
//   allowed once, until the first batch is taken. Engine::restore builds a new engine from a
//   snapshot alone.
// adopt(snapshot, workspace, now): takes over the writes of another instance's stored state (a
//   closed tab), at any time. They keep their ids, seqs and client id; identity and view are
//   untouched; held ones join this engine's held writes. Writes already here (same id) are skipped.
// inspect() -> {"clientId", "workspace"?, "configured", "identity"?, "stopped"?, "nextSeq",
//   "view", "pending": [writes], "held": [writes], "outbox": [writes], "inFlight"?, "retryAt"?,
//   "openTickets"} for the demo console (writes as in the snapshot, plus "inFlight").
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "command.h"
#include "definitions.h"
#include "engine_types.h"
#include "init_options.h"
#include "json.h"
#include "outbox.h"
#include "result.h"
#include "snapshot.h"
#include "tickets.h"
#include "view.h"
#include "write.h"

namespace attrkit {

struct EngineLimits {
  // Writes not yet sendable (made before any identify, or before the config is known).
  std::size_t max_held = 500;
  // Every write the engine keeps (a long outage must not grow memory and storage without bound).
  std::size_t max_queued = 5000;
  OutboxLimits outbox;
};

// Limits from JSON {"maxHeld", "maxQueued", "batchMaxWrites", "batchMaxBytes", "flushWindowMs"};
// a missing, non-numeric or non-positive field keeps its default.
EngineLimits engine_limits(const Json& j);
// The "instance" string of the same options object (the running SDK's part of its write ids);
// "" when absent or not a string.
std::string engine_instance(const Json& j);

// Keepalive requests share a 64 KiB budget per page (Fetch): a flush stays under this estimate.
constexpr std::size_t kKeepaliveMaxBytes = 60 * 1024;

class Engine {
 public:
  Engine();  // an empty client id; for Result<Engine>
  // `client_id` names the browser install (sent with every write, DESIGN §7); `instance` names
  // this running engine among the install's tabs and goes into its write ids
  // ("<clientId>-<instance>-<seq>"; "<clientId>-<seq>" when empty), so two tabs writing in the
  // same millisecond never share an idempotency key.
  explicit Engine(std::string client_id, EngineLimits limits = {}, std::string instance = {});

  Response command(const Json& cmd, double now);
  // command() for a command that crossed encoded (the Wasm build's byte stream; any encoding that
  // gives each command one string): `read()` returns its Json. When `encoded` is the last
  // command's encoding and that command was a set, it is not read again: the set runs again as
  // parsed, which is what reading the same encoding gives (docs/engine.md "A repeated set"), and
  // the Response says `repeated` when its answer equals that command's last one.
  template <class Read>
  Response command_encoded(std::string_view encoded, const Read& read, double now) {
    if (last_set_ && encoded == last_set_->encoded) return answered(run_set_again(now), now);
    Response response = command(read(), now);
    if (last_set_) last_set_->encoded.assign(encoded.data(), encoded.size());
    return response;
  }
  // The Promise API (DESIGN §2b): {"distinctId", "attributes": {...}, "removeUnspecified"?}.
  // Writes for that distinct id whatever the current identity; settles once stored.
  Response write(const Json& request, double now);
  // clearAttribute (DESIGN §2b): {"distinctId", "attribute"}. A write of kind clear: ordered,
  // coalesced, retried and persisted with that person's writes; settles once stored with
  // {"distinctId", "personId", "attribute", "value": null}.
  Response clear(const Json& request, double now);
  ConfigureResponse configure(const Json& config, double now, bool provisional = false);
  std::optional<Batch> take_batch(double now, bool flush = false);
  std::optional<Batch> take_flush(double now);
  CompleteResponse complete_batch(const Json& outcome, double now);
  double next_wake(double now) const;
  Events take_events();
  Json snapshot() const;
  Json save(double now);
  StoredResponse load_snapshot(const Json& snapshot, std::string_view workspace, double now);
  StoredResponse adopt(const Json& snapshot, std::string_view workspace, double now);
  static Result<Engine> restore(const Json& snapshot, std::string_view workspace,
                                EngineLimits limits = {});
  Json inspect() const;

  // ---- engine_control.cpp: what the runtime decides about the page (docs/sdk.md) ----
  // The config request failed for good (401 invalid_key, 403, other 4xx): nothing can ever be
  // sent, so stop as a 401 on a batch does: every waiting write and every later one fails with
  // `error` (empty message: the code's default), told by exactly one error event. Not `for_good`
  // (the config could not be fetched within the retry limits): only the writes waiting now fail.
  void stop_delivery(ErrorObject error, bool for_good = true);
  // The install's client id became readable (consent granted, storage allowed): later writes carry
  // it; writes already made keep the one they were made with.
  void set_client_id(std::string id) { client_id_ = std::move(id); }

  const std::string& client_id() const { return client_id_; }
  const std::string& identity() const { return identity_; }  // empty: none
  // What this client believes `distinct_id` has stored: the values the server acknowledged for it
  // on this page, overlaid with the view when it is the current identity (getAttributes).
  Json believed(const std::string& distinct_id) const;

 private:
  struct SetRequest {
    const Json* attributes = nullptr;
    bool refetch_boosted = false;
    bool remove_unspecified = false;
    bool write_api = false;
    std::string distinct_id;  // write(): explicit; commands: the current identity
  };

  void fail(Response& response, ErrorObject error);
  // `r` with what the runtime needs after the call: whether events wait, the next wake.
  Response answered(Response r, double now) const;
  Response run_command(const Json& cmd, double now);
  Response run_set_again(double now);
  void run_set(Response& response, const Command& c, double now);
  Response run_write(const Json& request, double now);
  Response run_clear(const Json& request, double now);
  std::optional<ErrorObject> read_write_request(const Json& request, SetRequest* req) const;
  void do_init(Response& response, const Json& options);
  void do_identify(Response& response, const Json& distinct_id, int callback, double now);
  void do_set(Response& response, const SetRequest& req, double now);
  // Why no write (nor clear) may be made now: delivery stopped, consent denied, writes disabled.
  std::optional<ErrorObject> writes_refused() const;
  // Whether a write made now is validated at once: a config is known, no raw write waits before it
  // (FIFO), and the config is not a provisional copy that refuses writes (it may be stale).
  bool validating() const;
  // Whether `writes` more fit the bounds (`waiting`: not yet sendable).
  bool room_for(std::size_t writes, bool waiting) const;
  // At the bound of what waits: collapses repeated writes (core/collapse.h) and says whether a
  // one-attribute write of `attribute` may then be taken (it replaces an older one). Issue #14.
  // `raw`: the write is kept raw (pending_), else validated (held_).
  bool collapse_for(const SetRequest& req, const std::string& attribute, bool raw);
  std::int64_t collapse_barrier();
  void do_get(Response& response);
  void do_consent(Response& response, bool granted);
  // Every write not in flight fails with `error` as one error event (consent denied).
  void drop_queued(const ErrorObject& error);

  std::int64_t take_seq(double now);
  std::size_t queued() const { return pending_.size() + held_.size() + outbox_.size(); }
  void attach_held(double now);
  void enqueue_ready(Write w, double now);
  void process_pending(double now);
  void stop(Error code, const std::string& message);
  // One error event for `writes` (their ids and how many they superseded), and their tickets fail.
  void fail_writes(std::vector<Write> writes, const ErrorObject& error, std::uint64_t ticket = 0);
  // Validates held and unsent outbox writes again under config_ (it changed):
  // engine_revalidate.cpp.
  void revalidate_queued();
  void deliver(const Write& w, const Json& value, const std::string& person_id);
  Result<SnapshotData> read_stored(const Json& snapshot, std::string_view workspace) const;
  void merge(SnapshotData s, double now);
  // Fails (delivery_failed) the writes of `writes` made kMaxStoredAgeMs before `now` or earlier.
  void drop_stale(std::vector<Write>& writes, double now);
  void enforce_size_cap();
  // The outbox's writes not in flight, out of it (and the retry time it had), and back in.
  std::vector<Write> take_outbox(double* retry_at);
  void refill_outbox(std::vector<Write> writes, double retry_at);
  std::size_t front_batch_bytes() const;

  std::string client_id_;
  std::string instance_;
  EngineLimits limits_;
  std::int64_t next_seq_ = 1;
  std::optional<InitOptions> init_;
  std::optional<Config> config_;
  bool provisional_ = false;  // config_ is a cached copy the server has not confirmed yet
  std::string workspace_;
  std::string identity_;           // empty: none
  bool identity_touched_ = false;  // identify or reset called on this page
  Error stopped_ = Error::ok;
  bool consent_denied_ = false;  // writes fail with consent_denied until consent is granted
  bool consent_told_ = false;    // a consent command ran: it wins over init's "consent" option
  bool batch_taken_ = false;
  bool loaded_ = false;         // a snapshot was loaded (or restored): later ones are adopted
  std::vector<Write> pending_;  // raw, in order, until the config is known
  std::vector<Write> held_;     // validated, made before any identify
  Outbox outbox_;
  View view_;
  // distinct id -> {attribute: value} the server acknowledged on this page (null: cleared).
  std::map<std::string, Json> acknowledged_;
  Tickets tickets_;
  Events events_;
  // The last command, while it is a set (command_encoded): parsed, its encoding, its last answer.
  struct LastSet {
    Command command;
    std::string encoded;  // empty until command_encoded sets it: command() alone never repeats
    Effect effect = Effect::none;
    std::optional<CallResult> result;
  };
  std::optional<LastSet> last_set_;
};

}  // namespace attrkit
