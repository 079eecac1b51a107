// The runtime: one core Engine plus the I/O the core must not do (DESIGN §4, §5; docs/sdk.md).
// It turns calls into engineCommand / engineWrite, acts on the effect the engine returns,
// dispatches engineTakeEvents() after every engine call, keeps ONE timer at engineNextWake(),
// sends engineTakeBatch() with fetch and reports the outcome with engineCompleteBatch(). It
// decides nothing the engine decides: results, errors, retries and ordering all come from there.
//
// The engine is the core module's own state (bindings/engine.cpp: one Engine per module), so
// one loaded module serves exactly one Runtime: createClient loads a fresh module per client.
//
// Owns: the core module (its engine), listeners, pending tickets, the config fetch and its
// ETag cache, the persisted snapshot, the page-lifecycle listeners.
import { invalidCommand, toError } from "./errors.js";
import { call, Emitter } from "./events.js";
import { openStorage, readJson } from "./storage.js";
import { request } from "./transport.js";

const PREFIX = "attrkit:v1:";
const SAVE_DELAY_MS = 250; // coalesces the snapshot writes of a burst of commands

const OWNER = Symbol("attrkit.runtime");

export class Runtime {
  constructor(core) {
    // Two runtimes on one module would share (and reset) one engine.
    if (core[OWNER]) throw new Error("attrkit: this core module already serves a client; load one per client");
    core[OWNER] = true;
    this.core = core;
    this.limits = core.engineConstants();
    this.storage = openStorage();
    core.engineCreate(clientId(this.storage), {});
    this.events = new Emitter();
    this.tickets = new Map(); // ticket -> resolve(result)
    this.waiters = []; // {test(), resolve()} re-checked after every pump (clearAttribute)
    this.delivered = new Map(); // distinctId -> Map(attribute -> stored value), this page
    this.timer = this.saveTimer = 0;
    this.busy = this.closed = false;
    this.options = this.config = this.ready = null;
    this.workspace = "";
    this.warned = false;
    let configured;
    this.configured = new Promise((r) => (configured = r)); // resolves once a config is applied
    this.onConfigured = configured;
    // Resolves once the first config request finished, whatever its outcome (createClient
    // waits for it, so local validation is usually available when it resolves).
    this.firstConfig = new Promise((r) => (this.attempted = r));
    const doc = globalThis.document;
    if (doc && typeof globalThis.addEventListener === "function") {
      this.onHide = (e) => {
        if (e.type === "pagehide" || doc.visibilityState === "hidden") this.hide();
      };
      globalThis.addEventListener("pagehide", this.onHide);
      doc.addEventListener("visibilitychange", this.onHide);
    }
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
        this.events.emit("error", error);
        return resolve({ ok: false, error });
      }
      if (r.result) settle(r.result);
      else this.tickets.set(r.ticket, settle);
      if (cmd && (!r.result || r.result.ok)) this.act(r, cmd);
      this.pump();
    });
  }

  // What the engine asked the runtime to do for a command that succeeded.
  act(r, cmd) {
    const fn = r.callback === undefined ? undefined : arg(cmd, r.callback);
    switch (r.effect) {
      case "init":
        this.start(r.options).finally(this.attempted);
        break;
      case "identify":
        if (typeof fn === "function") queueMicrotask(() => call(fn, r.distinctId));
        this.events.emit("identified", { distinctId: r.distinctId, changed: !!r.changed });
        break;
      case "on":
        this.events.on(r.event, fn);
        // "ready" is a state: a listener added afterwards still hears it, once.
        if (r.event === "ready" && this.ready) queueMicrotask(() => call(fn, this.ready));
        break;
      case "off":
        this.events.off(r.event, fn);
        break;
    }
  }

  // ---- engine out ----------------------------------------------------------------------------

  pump() {
    if (this.closed) return;
    for (const ev of this.core.engineTakeEvents()) {
      if (ev.type === "settled") {
        const settle = this.tickets.get(ev.ticket);
        this.tickets.delete(ev.ticket);
        settle?.(ev.result);
      } else if (ev.type === "error") {
        this.events.emit("error", toError(ev.error, ev));
      } else if (ev.type === "delivered") {
        if (!this.delivered.has(ev.distinctId)) this.delivered.set(ev.distinctId, new Map());
        this.delivered.get(ev.distinctId).set(ev.attribute, ev.value);
        this.events.emit("delivered", {
          distinctId: ev.distinctId, attribute: ev.attribute, value: ev.value,
          personId: ev.personId, writeId: ev.writeId,
        });
      }
    }
    this.waiters = this.waiters.filter((w) => !(w.test() && (w.resolve(), true)));
    this.arm();
    this.save();
  }

  arm() {
    clearTimeout(this.timer);
    this.timer = 0;
    if (this.busy || !this.options) return;
    const now = Date.now();
    const at = this.core.engineNextWake(now);
    if (at >= 0) this.timer = setTimeout(() => this.tick(false), Math.min(Math.max(0, at - now), 2 ** 31 - 1));
  }

  // Sends the batch the engine cuts now, if any (flush: page hidden, keepalive, no window).
  async tick(flush) {
    this.timer = 0;
    if (this.busy || this.closed) return;
    const b = this.core.engineTakeBatch(Date.now(), flush);
    if (!b) return this.pump();
    this.busy = true;
    const outcome = await request("POST", `${this.options.apiHost}/api/v1/attributes/values/batch`,
      this.options.publicKey, { body: b.body, timeoutMs: this.limits.requestTimeoutMs, keepalive: flush });
    this.busy = false;
    if (this.closed) return;
    this.core.engineCompleteBatch({ ...outcome, batchId: b.batchId, jitter: Math.random() }, Date.now());
    this.pump();
  }

  hide() {
    this.persist();
    this.tick(true);
  }

  // ---- config ------------------------------------------------------------------------------

  // GET the config with the cached ETag; on 304 (or while unreachable) the cached copy is used.
  // Until some config is applied, the engine keeps writes raw and unsent (DESIGN §3).
  async start(options) {
    this.options = options;
    const id = `${options.apiHost} ${hash(options.publicKey)}`; // never the key itself
    const cached = readJson(this.storage.get(`${PREFIX}config`));
    const cache = cached && cached.id === id && cached.config ? cached : null;
    for (let tries = 1; !this.closed; tries++) {
      const r = await request("GET", `${options.apiHost}/api/v1/sdk/config`, options.publicKey,
        { etag: cache?.etag, timeoutMs: this.limits.requestTimeoutMs });
      if (this.closed) return;
      if (r.status === 200) {
        if (this.configure(r.body) && r.etag) this.storage.set(`${PREFIX}config`, JSON.stringify({ id, etag: r.etag, config: r.body }));
        return;
      }
      if (r.status === 304 && cache) return void this.configure(cache.config);
      // Which failures retry, and after how long, is the core's retry policy (DESIGN §5).
      const advice = this.core.retryAdvice({ ...r, jitter: Math.random() }, tries);
      if (advice.delayMs === undefined) {
        // 401 invalid_key and the like: writes stay held (bounded) and nothing is sent.
        return void this.events.emit("error", toError(r.body?.error ?? { code: advice.code, status: r.status }));
      }
      if (tries === 1 && cache) this.configure(cache.config); // unreachable: validate against the last known
      this.attempted();
      await new Promise((res) => setTimeout(res, advice.delayMs));
    }
  }

  configure(config) {
    if (this.closed) return false;
    const now = Date.now();
    const r = this.core.engineConfigure(config, now);
    if (!r.ok) {
      this.pump();
      this.events.emit("error", toError(r.error));
      return false;
    }
    const fresh = !this.config;
    this.config = config;
    if (fresh) this.restore(r.workspace, now);
    this.pump();
    if (fresh) {
      this.ready = { workspace: r.workspace, clientAttributeWrites: r.clientAttributeWrites };
      this.onConfigured();
      this.events.emit("ready", this.ready);
    }
    return true;
  }

  // ---- persistence ---------------------------------------------------------------------------

  restore(workspace, now) {
    this.workspace = workspace;
    const text = this.storage.get(PREFIX + workspace);
    if (text === null) return;
    const snap = readJson(text);
    const r = snap === undefined ? { ok: false } : this.core.engineLoadSnapshot(snap, workspace, now);
    if (!r.ok) {
      this.storage.remove(PREFIX + workspace);
      if (!this.warned) console.warn("attrkit: discarded unreadable stored state", r.error?.code ?? "");
      this.warned = true;
    }
  }

  save() {
    if (!this.saveTimer && this.workspace) this.saveTimer = setTimeout(() => this.persist(), SAVE_DELAY_MS);
  }

  persist() {
    clearTimeout(this.saveTimer);
    this.saveTimer = 0;
    if (this.closed || !this.workspace) return;
    const snap = this.core.engineSnapshot();
    if (snap) this.storage.set(PREFIX + this.workspace, JSON.stringify(snap));
  }

  // ---- clearAttribute ------------------------------------------------------------------------

  /** Resolves once no write for distinctId waits in the engine (sent or failed). */
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
    this.persist();
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.saveTimer);
    if (this.onHide) {
      globalThis.removeEventListener("pagehide", this.onHide);
      globalThis.document.removeEventListener("visibilitychange", this.onHide);
    }
    for (const settle of this.tickets.values()) settle({ ok: false, error: invalidCommand("attrkit: the client is closed") });
    this.tickets.clear();
    this.core.engineCreate("", {}); // frees what the engine held; the module goes with the client
  }
}

function arg(cmd, index) {
  try {
    return cmd[2][index];
  } catch {
    return undefined;
  }
}

// One id per browser install (DESIGN §7 clientId), kept across pages and workspaces.
function clientId(storage) {
  let id = storage.get(`${PREFIX}client`);
  if (typeof id !== "string" || !/^[a-z0-9]{16}$/.test(id)) {
    const bytes = new Uint8Array(16);
    if (globalThis.crypto?.getRandomValues) crypto.getRandomValues(bytes);
    else for (let i = 0; i < 16; i++) bytes[i] = Math.random() * 256;
    id = Array.from(bytes, (b) => (b % 36).toString(36)).join("");
    storage.set(`${PREFIX}client`, id);
  }
  return id;
}

// FNV-1a: tells cached configs of different keys apart without storing a key.
function hash(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}
