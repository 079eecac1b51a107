// The delivery loop (DESIGN §5; docs/sdk.md "Runtime loop"): ONE timer, set at engineNextWake();
// the batch the engine cuts, POSTed with fetch; its outcome handed back with engineCompleteBatch().
// When to send, what, and what an outcome means are the engine's decisions, never this file's.
import { Outcome } from "./protocol.js";
import { request } from "./transport.js";

export class Loop {
  /**
   * `timeoutMs`: the request timeout. Hooks: `closed()` the client is closed; `loading()` stored
   * states are being read, so no batch may be cut yet; `pump()` runs after every engine call;
   * `stopped(code)` delivery stopped for the page; `log` the debug console (log.js).
   */
  constructor(core, timeoutMs, { closed, loading, pump, stopped, log }) {
    this.core = core;
    this.timeoutMs = timeoutMs;
    this.closed = closed;
    this.loading = loading;
    this.pump = pump;
    this.stopped = stopped;
    this.log = log;
    this.timer = 0;
    this.at = 0; // when the timer fires (ms since epoch), while it is set
    this.busy = false; // a batch is in flight
    this.options = null; // {publicKey, apiHost} once init ran: nothing is armed before
  }

  start(options) {
    this.options = options;
  }

  /** Sets the one timer to the engine's next wake-up (`wake`, when the caller has it). A timer
   * already set to fire no later is kept (a burst of pushes sets it once): one that fires early
   * finds nothing due and re-arms. */
  arm(wake) {
    if (this.busy || !this.options || this.loading()) return this.stop();
    const now = Date.now();
    // `wake`: engineNextWake as a push's response already told it (its "wake").
    const at = wake ?? this.core.engineNextWake(now);
    if (at < 0 || (this.timer && this.at <= at)) return;
    clearTimeout(this.timer);
    this.at = at;
    this.timer = setTimeout(() => this.tick(false), Math.min(Math.max(0, at - now), 2 ** 31 - 1));
  }

  // Sends the batch the engine cuts now, if any (flush: page hidden, keepalive, no window; the
  // engine cuts none over keepaliveMaxBytes, and one in flight at most: never 60 KB in flight).
  async tick(flush) {
    this.stop();
    if (this.busy || this.closed() || this.loading()) return;
    const b = this.core.engineTakeBatch(Date.now(), flush);
    if (!b) return this.pump();
    this.busy = true;
    const log = this.log;
    log.debug(`batch ${b.batchId}: ${b.writeIds.length} write(s), ${b.bytes} B, attempt ${b.attempt}${flush ? ", keepalive" : ""}`);
    const outcome = await request("POST", `${this.options.apiHost}/api/v1/attributes/values/batch`,
      this.options.publicKey, { body: b.body, timeoutMs: this.timeoutMs, keepalive: flush });
    this.busy = false;
    if (this.closed()) return;
    log.debug(`batch ${b.batchId} response:`, outcome.status ?? Object.keys(outcome)[0]);
    const now = Date.now();
    const r = this.core.engineCompleteBatch({ ...outcome, batchId: b.batchId, jitter: Math.random() }, now);
    if (r.outcome === Outcome.retry || r.outcome === Outcome.offline) {
      log.warn(`batch ${b.batchId}: ${r.outcome}, next try in ${Math.round(r.retryAt - now)} ms`);
    } else if (r.outcome === Outcome.stopped) {
      log.warn(`batch ${b.batchId}: delivery stopped for this page (${r.code})`);
      this.stopped(r.code);
    } else if (r.outcome) {
      log.info(`batch ${b.batchId}: ${r.outcome}`, r.outcome === Outcome.delivered ? `${r.delivered} stored, ${r.rejected} rejected` : "");
    }
    this.pump();
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = 0;
  }
}
