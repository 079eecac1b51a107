// The runtime: one core Engine plus the I/O the core must not do (DESIGN §4, §5; docs/sdk.md).
// It turns calls into engineCommand / engineWrite, acts on the effect the engine returns and
// dispatches engineTakeEvents() after every engine call. It decides nothing the engine decides:
// results, errors, retries and ordering all come from there.
//
// The engine is the core module's own state (bindings/engine.cpp: one Engine per module), so
// one loaded module serves exactly one Runtime: createClient loads a fresh module per client.
//
// Owns: the core module (its engine), the page's listeners, the config once applied, and the
// parts it wires together (docs/sdk.md "Runtime files"): event dispatch (dispatch.js), the
// delivery loop (loop.js), the config fetch (config_fetch.js), this instance's stored state
// (stored_state.js), the page-lifecycle listeners (lifecycle.js).
import { fetchConfig } from "./config_fetch.js";
import { Dispatch } from "./dispatch.js";
import { invalidCommand, toError } from "./errors.js";
import { call, Emitter } from "./events.js";
import { clientId, instanceId } from "./ids.js";
import { watchPage } from "./lifecycle.js";
import { Loop } from "./loop.js";
import { own } from "./own.js";
import { Effect, EventType } from "./protocol.js";
import { openStorage } from "./storage.js";
import { StoredState } from "./stored_state.js";

const OWNER = Symbol("attrkit.runtime");

export class Runtime {
  constructor(core) {
    // Two runtimes on one module would share (and reset) one engine.
    if (core[OWNER]) throw new Error("attrkit: this core module already serves a client; load one per client");
    core[OWNER] = true;
    this.core = core;
    this.limits = core.engineConstants();
    this.storage = openStorage();
    // The install's id orders every tab's writes on the server (one seq rule); the instance id
    // keeps their write ids apart (two tabs in one millisecond).
    const instance = instanceId();
    core.engineCreate(clientId(this.storage), { instance });
    this.events = new Emitter();
    this.delivered = new Map(); // distinctId -> Map(attribute -> stored value), this page
    this.out = new Dispatch(this.events, this.delivered); // engine events -> Promises, listeners
    this.waiters = []; // {test(), resolve()} re-checked after every pump (clearAttribute)
    this.closed = false;
    this.options = this.config = this.ready = null;
    const closed = () => this.closed;
    const pump = () => this.pump();
    this.stored = new StoredState(core, this.storage, instance, { closed, pump, dispatch: () => this.dispatch() });
    this.loop = new Loop(core, this.limits.requestTimeoutMs, { closed, pump, loading: () => !!this.stored.loading });
    this.configured = new Promise((r) => (this.onConfigured = r)); // resolves once a config is applied
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
    return this.run((now) => this.core.engineCommand(cmd, now), cmd);
  }

  /** engineWrite (the Promise API): {distinctId, attributes, removeUnspecified?}. */
  write(req) {
    return this.run((now) => this.core.engineWrite(req, now));
  }

  run(op, cmd) {
    return new Promise((resolve) => {
      const settle = (result) =>
        resolve(result.ok ? { ok: true, value: result.value } : { ok: false, error: toError(result.error) });
      if (this.closed) return resolve({ ok: false, error: invalidCommand("attrkit: the client is closed") });
      let r;
      try {
        r = op(Date.now());
      } catch {
        // A getter or Proxy trap threw while the core read the arguments: the core never saw
        // the command, so this is the one error the runtime reports itself.
        const error = invalidCommand("attrkit: the command could not be read");
        this.events.emit(EventType.error, error);
        return resolve({ ok: false, error });
      }
      if (r.result) settle(r.result);
      else this.out.wait(r.ticket, settle);
      if (cmd && (!r.result || r.result.ok)) this.act(r, cmd);
      this.pump();
    });
  }

  // What the engine asked the runtime to do for a command that succeeded.
  act(r, cmd) {
    const fn = r.callback === undefined ? undefined : arg(cmd, r.callback);
    switch (r.effect) {
      case Effect.init:
        this.start(r.options).finally(this.attempted);
        break;
      case Effect.identify:
        if (typeof fn === "function") queueMicrotask(() => call(fn, r.distinctId));
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

  pump() {
    if (this.closed) return;
    this.dispatch();
    this.waiters = this.waiters.filter((w) => !(w.test() && (w.resolve(), true)));
    this.loop.arm();
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

  // ---- config ------------------------------------------------------------------------------

  // Until some config is applied, the engine keeps writes raw and unsent (DESIGN §3).
  start(options) {
    this.options = options;
    this.loop.start(options);
    return fetchConfig(options, {
      core: this.core, storage: this.storage, timeoutMs: this.limits.requestTimeoutMs,
      closed: () => this.closed, apply: (config) => this.configure(config), attempted: this.attempted,
      fail: (error) => this.events.emit(EventType.error, error),
    });
  }

  configure(config) {
    if (this.closed) return false;
    const now = Date.now();
    const r = this.core.engineConfigure(config, now);
    if (!r.ok) {
      this.pump();
      this.events.emit(EventType.error, toError(r.error));
      return false;
    }
    const fresh = !this.config;
    this.config = config;
    if (fresh) {
      this.onConfigured();
      // "ready" once the stored states are in too: the view and identity are then complete.
      this.stored.restore(r.workspace).then(() => {
        if (this.closed) return;
        this.ready = { workspace: r.workspace, clientAttributeWrites: r.clientAttributeWrites };
        this.events.emit(EventType.ready, this.ready);
      });
    }
    this.pump();
    return true;
  }

  // ---- queries -------------------------------------------------------------------------------

  /** Resolves once no write for distinctId waits in the engine (sent or failed; clearAttribute). */
  drained(distinctId) {
    const test = () => {
      const s = this.core.engineInspect();
      return ![...s.pending, ...s.outbox].some((w) => w.distinctId === distinctId);
    };
    if (test()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  /** Synchronous view of the identity (restored identities included). */
  identity() {
    return this.closed ? undefined : this.core.engineInspect().identity;
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

function arg(cmd, index) {
  try {
    return own(own(cmd, 2), index);
  } catch {
    return undefined;
  }
}
