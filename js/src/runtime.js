// The runtime: one core Engine plus the I/O the core must not do (DESIGN §4, §5; docs/sdk.md).
// It turns calls into engineCommand / engineWrite, acts on the effect the engine returns and
// dispatches engineTakeEvents() after every engine call (after a push, only when its response
// says events are waiting). It decides nothing the engine decides:
// results, errors, retries and ordering all come from there.
//
// The engine is the core module's own state (bindings/engine.cpp: one Engine per module), so
// one loaded module serves exactly one Runtime: createClient loads a fresh module per client.
//
// Owns: the core module (its engine), the page's listeners, the config once applied, and the
// parts it wires together (docs/sdk.md "Runtime files"): event dispatch (dispatch.js), the
// delivery loop (loop.js), the config fetch (config_fetch.js), this instance's stored state
// (stored_state.js), the page-lifecycle listeners (lifecycle.js), the console (log.js); init,
// consent and the config are its methods in startup.js.
//
// Consent and persistence (docs/sdk.md): until init ran with consent granted (or a later
// ["do", "consent", ["granted"]]), nothing is requested and storage is never touched; the engine
// holds the writes in memory. persistence "memory" never touches storage at all.
import { Answers } from "./answers.js";
import { Dispatch } from "./dispatch.js";
import { invalidCommand, toError } from "./errors.js";
import { call, Emitter } from "./events.js";
import { instanceId, newClientId } from "./ids.js";
import { watchPage } from "./lifecycle.js";
import { Log } from "./log.js";
import { Loop } from "./loop.js";
import { own } from "./own.js";
import { Consent, Effect, EventType, Kind } from "./protocol.js";
import { Startup } from "./startup.js";
import { openStorage } from "./storage.js";
import { StoredState } from "./stored_state.js";

const OWNER = Symbol("attrkit.runtime");

export class Runtime {
  /** `early`: the config request started before the core loaded (early_config.js), or null. */
  constructor(core, { early = null } = {}) {
    // Two runtimes on one module would share (and reset) one engine.
    if (core[OWNER]) throw new Error("attrkit: this core module already serves a client; load one per client");
    core[OWNER] = true;
    this.core = core;
    this.limits = core.engineConstants();
    this.storage = openStorage(); // memory only until storage is allowed (begin())
    // The install's id orders every tab's writes on the server (one seq rule); the instance id
    // keeps their write ids apart (two tabs in one millisecond). Until storage is allowed the
    // client id is a new one, in memory.
    const instance = instanceId();
    core.engineCreate(newClientId(), { instance });
    this.log = new Log();
    this.events = new Emitter();
    this.out = new Dispatch(this.events, this.log); // engine events -> Promises, listeners
    this.answers = new Answers(); // a repeated set's short answer -> a whole one
    this.closed = false;
    this.options = this.config = this.ready = null;
    this.early = early;
    this.consent = null; // "granted" | "pending" | "denied": a consent command, else init's option
    this.begun = false; // storage allowed and the config requested (consent granted)
    this.failure = null; // the config request failed for good: delivery stopped with this error
    const closed = () => this.closed;
    const pump = () => this.pump();
    this.stored = new StoredState(core, this.storage, instance, { closed, pump, dispatch: () => this.dispatch() });
    this.loop = new Loop(core, this.limits.requestTimeoutMs, {
      closed, pump, loading: () => !!this.stored.loading, log: this.log, stopped: (code) => this.stopped(code),
    });
    // Resolves once a config is applied; rejects when the config request failed for good.
    this.configured = new Promise((resolve, reject) => {
      this.onConfigured = resolve;
      this.onConfigFailed = reject;
    });
    this.configured.catch(() => {});
    // Resolves once the first config request finished, whatever its outcome (createClient
    // waits for it, so local validation is usually available when it resolves).
    this.firstConfig = new Promise((r) => (this.attempted = r));
    this.unwatch = watchPage({
      hide: (closing) => this.hide(closing),
      storage: (key, value) => this.stored.noticed(key, value),
    });
  }

  // ---- calls in ----------------------------------------------------------------------------

  /** A push command (DESIGN §2a): resolves {ok, value} | {ok: false, error}; never rejects. */
  push(cmd) {
    this.log.debug("command", cmd);
    return this.run((now) => this.answers.whole(this.core.engineCommand(cmd, now)), cmd);
  }

  /** engineWrite (the Promise API): {distinctId, attributes, removeUnspecified?}. */
  write(req) {
    this.log.debug("write", req);
    return this.run((now) => this.core.engineWrite(req, now));
  }

  /** engineClear (clearAttribute): {distinctId, attribute}, a write of kind clear in the outbox. */
  clear(req) {
    this.log.debug("clear", req);
    return this.run((now) => this.core.engineClear(req, now));
  }

  run(op, cmd) {
    if (this.closed) return Promise.resolve({ ok: false, error: invalidCommand("attrkit: the client is closed") });
    let r;
    try {
      r = op(Date.now());
    } catch {
      // A getter or Proxy trap threw while the core read the arguments: the core never saw
      // the command, so this is the one error the runtime reports itself.
      const error = invalidCommand("attrkit: the command could not be read");
      this.events.emit(EventType.error, error);
      return Promise.resolve({ ok: false, error });
    }
    if (r.kind === Kind.init && r.result && !r.result.ok) {
      const e = r.result.error;
      this.log.once(`init ${e.code}`, `attrkit: init failed (${e.code}): ${e.message}`);
    }
    // Most calls settle at once: one resolved Promise, no executor and no resolver functions.
    let answer;
    let resolve;
    if (r.result) answer = Promise.resolve(this.settled(r.result));
    else {
      answer = new Promise((res) => (resolve = res));
      this.out.wait(r.ticket, (result) => resolve(this.settled(result)));
    }
    try {
      if (cmd && (!r.result || r.result.ok)) this.act(r, cmd);
      // The response's wake is current unless listeners ran (events) and may have called again.
      this.pump(r.events, r.events ? undefined : r.wake);
    } catch {
      // Nothing here throws by design (listeners and storage are guarded); were it to, the call's
      // answer stands and the host page never sees it.
    }
    return answer;
  }

  /** A call's result as its Promise resolves to. */
  settled(result) {
    if (result.ok) this.log.debug("result", result.value);
    return result.ok ? { ok: true, value: result.value } : { ok: false, error: toError(result.error) };
  }

  // What the engine asked the runtime to do for a command that succeeded.
  act(r, cmd) {
    const fn = r.callback === undefined ? undefined : arg(cmd, r.callback);
    switch (r.effect) {
      case Effect.init:
        this.start(r.options).finally(this.attempted);
        break;
      case Effect.debug:
        this.log.on = r.enabled;
        break;
      case Effect.consent:
        this.consented(r.consent === Consent.granted);
        break;
      case Effect.identify:
        // At once, like every listener: a queue replayed after load keeps its submission order
        // even when the config is already in (its errors are emitted synchronously too).
        if (typeof fn === "function") call(fn, r.distinctId);
        this.events.emit(EventType.identified, { distinctId: r.distinctId, changed: !!r.changed });
        break;
      case Effect.on:
        this.events.on(r.event, fn);
        // "ready" is a state: a listener added afterwards still hears it, once.
        if (r.event === EventType.ready && this.ready) queueMicrotask(() => call(fn, this.ready));
        break;
      case Effect.off:
        this.events.off(r.event, fn);
        break;
    }
  }

  // ---- engine out ----------------------------------------------------------------------------

  // After a push, what its response said: `events` false when its call left none (no "events"),
  // `wake` the engine's next wake; each spares a crossing. Every other engine call is followed by
  // a full pump.
  pump(events = true, wake = undefined) {
    if (this.closed) return;
    if (events) this.dispatch();
    this.loop.arm(wake);
    this.stored.save();
  }

  dispatch() {
    this.out.take(this.core.engineTakeEvents());
  }

  // Hidden or leaving: one batch with keepalive (its fetch starts before tick's first await),
  // then everything still unsent, that batch included, is stored for the next page or tab.
  hide(closing) {
    if (this.closed) return;
    if (closing) this.stored.closing = true;
    this.loop.tick(true);
    this.stored.persist();
  }

  // ---- queries -------------------------------------------------------------------------------

  /** Synchronous view of the identity (restored identities included). */
  identity() {
    return this.closed ? undefined : this.core.engineIdentity() || undefined;
  }

  /** What this client believes `distinctId` has stored (the engine's answer; getAttributes). */
  believed(distinctId) {
    return this.closed ? {} : this.core.engineBelieved(distinctId);
  }

  /** The engine's inspect() document (core/engine.h), for consoles and debugging; null once closed. */
  inspect() {
    return this.closed ? null : this.core.engineInspect();
  }

  close() {
    if (this.closed) return;
    this.stored.close(); // what is left unsent is another instance's to take
    this.closed = true;
    this.loop.stop();
    this.stored.stop();
    this.unwatch();
    this.out.settleAll({ ok: false, error: invalidCommand("attrkit: the client is closed") });
    this.core.engineCreate("", {}); // frees what the engine held; the module goes with the client
  }
}

// init, consent and the config: startup.js (methods of Runtime, kept apart to keep each file small).
Object.assign(Runtime.prototype, Startup);

function arg(cmd, index) {
  try {
    return own(own(cmd, 2), index);
  } catch {
    return undefined;
  }
}
