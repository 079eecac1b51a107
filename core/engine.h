// The Engine: the state machine behind the push queue (DESIGN §2a, §4, §5). The JS runtime owns
// all I/O (timers, fetch, storage, listeners) and drives one Engine per page; native tests drive it
// directly. Every input and output is JSON so one coarse binding per method suffices.
//
// Owns: the client id, the next sequence number, the current identity, the workspace config once
// known, every write not yet delivered (pending-config, held-before-identify, outbox), this client's
// view of the current user's attributes, the tickets of commands that settle later, and the events
// not yet taken. Deterministic: time is the `now` argument (ms since epoch), jitter comes in the
// outcome. Never throws, never reads a clock, never serialises JSON text.
//
// ---- command(cmd, now) and write(request, now) return ------------------------------------------
//   {"ticket": n,                  // every call gets a new ticket
//    "kind": "init"|"identify"|"reset"|"set_name"|"set_email"|"set_language"|"set_attributes"|
//            "get_attributes"|"on"|"off"|"debug"|"consent"|"write"   (absent when it did not parse)
//    "effect": "init"|"identify"|"reset"|"write"|"get"|"on"|"off"|"debug"|"consent"|"none",
//              what the runtime does
//    "result"?: {"ok": true, "value": v} | {"ok": false, "error": ErrorObject}
//               present when settled now; absent: a "settled" event with this ticket comes later
//    "options"?: {"publicKey", "apiHost", "consent", "persistence", "debug"}   effect init
//    "enabled"?: bool                           effect debug: log (true) or stop logging
//    "consent"?: "granted"|"denied"             effect consent (engine_control.cpp)
//    "distinctId"?: s, "changed"?: bool          effect identify (changed: a different user)
//    "event"?: "error"|"ready"|"identified"|"delivered"   effect on/off
//    "callback"?: i}                             index in args of the function to call (identify,
//                                                 once resolved) or to add/remove (on/off)
//   Values: init -> null; identify -> {"distinctId"}; reset, on, off -> null;
//   set_* -> {attribute: normalised value} when queued, or (refetchBoosted) {attribute: stored
//   value} once the server stored them; get_attributes -> the view object;
//   write -> {"distinctId", "personId", "attributes": {attribute: stored value}} once stored.
//   ErrorObject = {"code", "status", "message", "attribute"?} (engine_errors.h).
//   Every failure, synchronous or not, also produces exactly one "error" event.
//
// ---- events (take_events() returns them in order and forgets them) -----------------------------
//   {"type": "error", "error": ErrorObject, "ticket"?: n, "writeIds"?: [...], "distinctId"?: s}
//   {"type": "delivered", "writeId", "distinctId", "attribute", "value" (as stored),
//    "personId"?, "superseded": [older write ids this one replaced]}
//   {"type": "settled", "ticket": n, "result": {"ok": true, "value"} | {"ok": false, "error"}}
//
// ---- configure(config, now) ---------------------------------------------------------------------
//   config = GET /api/v1/sdk/config body. -> {"ok": true, "workspace", "clientAttributeWrites",
//   "definitionsVersion"} | {"ok": false, "error"}. Validates the writes kept raw so far, in order
//   (failures become error events for their tickets). May be called again with a newer config.
//
// ---- take_batch(now, flush) -> null | {"batchId", "body", "writeIds", "attempt", "bytes"} --------
//   POST body to {apiHost}/api/v1/attributes/values/batch, then report with complete_batch.
//   flush = true ignores the flush window (pagehide: send with keepalive). A flush never cuts a
//   batch whose estimated body is over kKeepaliveMaxBytes (a lone huge write or removeUnspecified
//   group): it stays for the normal timer or the next page. At most one batch is in flight, so a
//   keepalive flush never has more than one batch (< 60 KB) in flight.
// ---- complete_batch(outcome, now) ----------------------------------------------------------------
//   outcome: see retry.h. -> {"ok": true, "outcome": "delivered"|"retry"|"offline"|"rejected"|
//   "stopped", "retryAt"?: ms} | {"ok": false, "error"} (unknown batch id, malformed outcome).
// ---- next_wake(now) -> absolute ms to call take_batch at (<= now: at once), or -1: nothing to do.
// ---- snapshot() -> the snapshot.h JSON to persist, or null while the workspace is unknown.
// ---- save(now) -> snapshot() after enforcing the bounds of the stored state: writes kept 7 days
//   are failed (delivery_failed), then, over 256 KB (estimated), older values of one person and
//   attribute are collapsed and the oldest commands dropped (one error event, queue_full, with
//   every dropped write id). In-flight writes are never dropped.
// ---- load_snapshot(snapshot, workspace, now) -> {"ok": true, "restored": n} | {"ok": false,
//   "error"}: merges persisted state into this engine (see docs/engine.md); allowed once, until
//   the first batch is taken. Engine::restore builds a new engine from a snapshot alone.
// ---- adopt(snapshot, workspace, now) -> {"ok": true, "adopted": n} | {"ok": false, "error"}:
//   takes over the writes of another instance's stored state (a closed tab), at any time. They
//   keep their ids, seqs and client id; identity and view are untouched; held ones join this
//   engine's held writes. Writes already here (same id) are skipped. See docs/engine.md.
// ---- inspect() -> {"clientId", "workspace"?, "configured", "identity"?, "stopped"?, "nextSeq",
//   "view", "pending": [writes], "held": [writes], "outbox": [writes], "inFlight"?, "retryAt"?}
//   for the demo console (writes as in the snapshot, plus "inFlight").
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "definitions.h"
#include "init_options.h"
#include "json.h"
#include "number_text.h"
#include "outbox.h"
#include "result.h"
#include "snapshot.h"
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

// The constants the runtime needs: {"requestTimeoutMs", "offlineRecheckMs", "maxTries",
// "maxWriteAgeMs", "snapshotVersion", "maxStoredAgeMs", "maxSnapshotBytes", "keepaliveMaxBytes"}.
Json engine_constants();

class Engine {
 public:
  Engine();  // an empty client id; for Result<Engine>
  // `client_id` names the browser install (sent with every write, DESIGN §7); `instance` names
  // this running engine among the install's tabs and goes into its write ids
  // ("<clientId>-<instance>-<seq>"; "<clientId>-<seq>" when empty), so two tabs writing in the
  // same millisecond never share an idempotency key.
  explicit Engine(std::string client_id, EngineLimits limits = {}, std::string instance = {});

  Json command(const Json& cmd, double now);
  // The Promise API (DESIGN §2b): {"distinctId", "attributes": {...}, "removeUnspecified"?}.
  // Writes for that distinct id whatever the current identity; settles once stored.
  Json write(const Json& request, double now);
  Json configure(const Json& config, double now);
  Json take_batch(double now, bool flush = false);
  // take_batch(now, true) unless the batch it would cut is estimated over kKeepaliveMaxBytes:
  // what the page sends with keepalive as it goes away (pagehide, hidden).
  Json take_flush(double now);
  Json complete_batch(const Json& outcome, double now);
  double next_wake(double now) const;
  Json take_events();
  Json snapshot() const;
  Json save(double now);
  Json load_snapshot(const Json& snapshot, std::string_view workspace, double now);
  Json adopt(const Json& snapshot, std::string_view workspace, double now);
  static Result<Engine> restore(const Json& snapshot, std::string_view workspace, EngineLimits limits = {});
  Json inspect() const;

  // ---- engine_control.cpp: what the runtime decides about the page (docs/sdk.md) ----
  // The config request failed for good (401 invalid_key, 403, other 4xx): nothing can ever be
  // sent, so stop as a 401 on a batch does: every waiting write and every later one fails with
  // `error` = {"code", "message"?}, told by exactly one error event. Not `for_good` (the config
  // could not be fetched within the retry limits): only the writes waiting now fail. -> {"ok": true}.
  Json stop_delivery(const Json& error, bool for_good = true);
  // The install's client id became readable (consent granted, storage allowed): later writes carry
  // it; writes already made keep the one they were made with.
  void set_client_id(std::string id);

  const std::string& client_id() const { return client_id_; }

 private:
  struct Ticket {
    bool write_api = false;     // settles with {"distinctId", "personId", "attributes"}
    bool until_stored = false;  // refetchBoosted or write(): settles on delivery
    std::size_t remaining = 0;  // writes not yet resolved
    std::string distinct_id;
    std::string person_id;
    Json values = json_object();
    Json error;                 // the first failure, null while none
  };
  struct PendingGet {
    std::uint64_t ticket = 0;
    std::uint32_t epoch = 0;
    std::int64_t after_seq = 0;  // writes with a lower seq come before it
    Json view;
  };
  struct SetRequest {
    const Json* attributes = nullptr;
    bool refetch_boosted = false;
    bool remove_unspecified = false;
    bool write_api = false;
    std::string distinct_id;  // write(): explicit; commands: the current identity
  };

  Json respond(std::uint64_t ticket, const char* kind, const char* effect) const;
  Json fail(Json response, Error e, const std::string& message = std::string(),
            const std::string& attribute = std::string());
  Json do_init(Json response, const Json& options);
  Json do_identify(Json response, const Json& distinct_id, int callback, double now);
  Json do_set(Json response, const SetRequest& req, double now);
  Json do_get(Json response);
  Json do_consent(Json response, bool granted);
  // Every write not in flight fails with `code` as one error event (consent denied).
  void drop_queued(Error code, const std::string& message = std::string());

  std::int64_t take_seq(double now);
  std::size_t queued() const { return pending_.size() + held_.size() + outbox_.size(); }
  void new_epoch();
  void attach_held(double now);
  void enqueue_ready(Write w, double now);
  void apply_to_view(const Json& values, const std::vector<std::int64_t>& seqs, bool remove, std::int64_t unit);
  void process_pending(double now);
  void settle_gets_before(std::int64_t seq);
  void stop(Error code, const std::string& message);
  // One error event for `writes` (their ids and superseded ids), and their tickets fail.
  void fail_writes(std::vector<Write> writes, const Json& error, std::uint64_t ticket = 0);
  void deliver(const Write& w, const Json& value, const std::string& person_id);
  void resolve_ticket(std::uint64_t ticket, const std::string& attribute, const Json* value,
                      const std::string& person_id, const Json* error);
  void settle(std::uint64_t ticket, Json result);
  Result<SnapshotData> read_stored(const Json& snapshot, std::string_view workspace) const;
  void merge(SnapshotData s, double now);
  std::string write_id(std::int64_t seq) const { return id_prefix_ + integer_text(seq); }
  // Fails (delivery_failed) the writes of `writes` made kMaxStoredAgeMs before `now` or earlier.
  void drop_stale(std::vector<Write>& writes, double now);
  void enforce_size_cap();
  // The outbox's writes not in flight, out of it (and the retry time it had), and back in.
  std::vector<Write> take_outbox(double* retry_at);
  void refill_outbox(std::vector<Write> writes, double retry_at);
  std::size_t front_batch_bytes() const;

  std::string client_id_;
  std::string id_prefix_;         // "<clientId>-" or "<clientId>-<instance>-"
  EngineLimits limits_;
  std::int64_t next_seq_ = 1;
  std::uint64_t next_ticket_ = 1;
  std::optional<InitOptions> init_;
  std::optional<Config> config_;
  std::string workspace_;
  std::string identity_;          // empty: none
  std::uint32_t epoch_ = 1;       // bumped by reset and by identify with a different id
  bool identity_touched_ = false; // identify or reset called on this page
  Json view_ = json_object();
  std::map<std::string, std::int64_t> view_seq_;  // seq of the write behind each view entry
  std::int64_t view_floor_ = 0;   // results of writes older than the last removeUnspecified are stale
  Error stopped_ = Error::ok;
  bool consent_denied_ = false;   // writes fail with consent_denied until consent is granted
  bool consent_told_ = false;     // a consent command ran: it wins over init's "consent" option
  bool batch_taken_ = false;
  bool loaded_ = false;           // a snapshot was loaded (or restored): later ones are adopted
  std::vector<Write> pending_;    // raw, in order, until the config is known
  std::vector<Write> held_;       // validated, made before any identify
  Outbox outbox_;
  std::map<std::uint64_t, Ticket> tickets_;
  std::vector<PendingGet> pending_gets_;
  Json events_ = json_array();
};

}  // namespace attrkit
