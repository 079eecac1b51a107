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
// ETag cache, this instance's stored state (and adopting the states of tabs that are gone), the
// page-lifecycle listeners. docs/sdk.md "Persistence" has the decisions.
import { invalidCommand, toError } from "./errors.js";
import { call, Emitter } from "./events.js";
import { openStorage, readJson, warnOnce } from "./storage.js";
import { request } from "./transport.js";

const PREFIX = "attrkit:v1:";
// One key per running SDK instance: `${STATE}${instance}:${workspace}`.
const STATE = `${PREFIX}s:`;
const INSTANCE_CHARS = 10;
const SAVE_DELAY_MS = 250; // coalesces the snapshot writes of a burst of commands
// Where Web Locks cannot tell, a state nobody saved for this long belongs to a page that is gone
// (a live page with unsent writes saves at least at every retry, 300 s apart at most).
const STALE_MS = 10 * 60 * 1000;

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
    this.instance = randomId(INSTANCE_CHARS);
    core.engineCreate(clientId(this.storage), { instance: this.instance });
    this.events = new Emitter();
    this.tickets = new Map(); // ticket -> resolve(result)
    this.waiters = []; // {test(), resolve()} re-checked after every pump (clearAttribute)
    this.delivered = new Map(); // distinctId -> Map(attribute -> stored value), this page
    this.timer = this.saveTimer = 0;
    this.busy = this.closed = false;
    this.options = this.config = this.ready = null;
    this.workspace = this.key = ""; // key: this instance's stored state, once the workspace is known
    this.loading = null; // while the stored states are read: no batch may be cut before
    this.scans = Promise.resolve();
    this.closing = false; // the page goes away for good: the stored state says so ("closed")
    this.unlock = null; // releases the Web Lock held while the stored state has writes
    this.ignored = new Set(); // keys found unreadable: discarded once, never read again
    let configured;
    this.configured = new Promise((r) => (configured = r)); // resolves once a config is applied
    this.onConfigured = configured;
    // Resolves once the first config request finished, whatever its outcome (createClient
    // waits for it, so local validation is usually available when it resolves).
    this.firstConfig = new Promise((r) => (this.attempted = r));
    const doc = globalThis.document;
    if (doc && typeof globalThis.addEventListener === "function") {
      // No unload handler (it would cost the page its back/forward cache): pagehide covers it.
      this.onHide = (e) => {
        if (e.type === "pagehide") this.hide(!e.persisted);
        else if (doc.visibilityState === "hidden") this.hide(false);
      };
      // Another tab closed with unsent writes: take them over now rather than at the next load.
      this.onStorage = (e) => {
        if (this.key && e.key && e.key !== this.key && instanceOf(e.key, this.workspace) !== null &&
            /"closed":true/.test(e.newValue ?? "")) this.adoptStored(false);
      };
      globalThis.addEventListener("pagehide", this.onHide);
      globalThis.addEventListener("storage", this.onStorage);
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
    this.dispatch();
    this.waiters = this.waiters.filter((w) => !(w.test() && (w.resolve(), true)));
    this.arm();
    this.save();
  }

  dispatch() {
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
          personId: ev.personId, writeId: ev.writeId, superseded: ev.superseded ?? [],
        });
      }
    }
  }

  arm() {
    clearTimeout(this.timer);
    this.timer = 0;
    if (this.busy || !this.options || this.loading) return;
    const now = Date.now();
    const at = this.core.engineNextWake(now);
    if (at >= 0) this.timer = setTimeout(() => this.tick(false), Math.min(Math.max(0, at - now), 2 ** 31 - 1));
  }

  // Sends the batch the engine cuts now, if any (flush: page hidden, keepalive, no window; the
  // engine cuts none over keepaliveMaxBytes, and one in flight at most: never 60 KB in flight).
  async tick(flush) {
    this.timer = 0;
    if (this.busy || this.closed || this.loading) return;
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

  // Hidden or leaving: one batch with keepalive (its fetch starts before tick's first await),
  // then everything still unsent, that batch included, is stored for the next page or tab.
  hide(closing) {
    if (this.closed) return;
    if (closing) this.closing = true;
    this.tick(true);
    this.persist();
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
    if (fresh) {
      this.onConfigured();
      // "ready" once the stored states are in too: the view and identity are then complete.
      this.restore(r.workspace).then(() => {
        if (this.closed) return;
        this.ready = { workspace: r.workspace, clientAttributeWrites: r.clientAttributeWrites };
        this.events.emit("ready", this.ready);
      });
    }
    this.pump();
    return true;
  }

  // ---- persistence ---------------------------------------------------------------------------
  //
  // Each running instance stores its own state; on start it loads the newest stored state (the
  // tab it replaces, usually) and adopts the writes of every instance that is gone. Ids make any
  // mistake a resend: the server applies each write id once. docs/sdk.md "Persistence".

  restore(workspace) {
    this.workspace = workspace;
    this.key = `${STATE}${this.instance}:${workspace}`;
    this.loading = this.adoptStored(true);
    return this.loading.then(() => {
      this.loading = null;
      this.pump();
    });
  }

  // One scan at a time in this page, and across tabs one at a time under a Web Lock, so two tabs
  // do not both take the same closed tab's writes (harmless, but a resend).
  adoptStored(start) {
    const scan = () => this.scan(start).catch(() => {});
    this.scans = this.scans.then(() => {
      const locks = globalThis.navigator?.locks;
      try {
        if (locks) return locks.request(`${PREFIX}adopt`, scan).catch(scan);
      } catch {}
      return scan();
    });
    return this.scans;
  }

  async scan(start) {
    const held = await heldLocks();
    if (this.closed) return;
    const now = Date.now();
    const ws = this.workspace;
    const states = [];
    for (const key of this.storage.keys()) {
      if (key === this.key || this.ignored.has(key)) continue;
      // The one key per workspace of earlier versions is read as a state that is gone.
      const instance = key === PREFIX + ws && ws !== "client" && ws !== "config" ? "" : instanceOf(key, ws);
      if (instance === null) continue;
      const snap = readJson(this.storage.get(key));
      if (snap === null) continue; // removed meanwhile
      if (!snap || typeof snap !== "object" || Array.isArray(snap)) {
        this.discard(key);
        continue;
      }
      // gone: closed, or not saved for STALE_MS; free: its writes may be taken (a live instance
      // with writes holds its lock).
      const gone = !instance || snap.closed === true || !(now - snap.saved < STALE_MS);
      const free = gone || (held !== null && !held.has(PREFIX + instance));
      const writes = Array.isArray(snap.writes) && snap.writes.length > 0;
      states.push({ key, snap, gone, free, writes, saved: typeof snap.saved === "number" ? snap.saved : 0 });
    }
    // The identity and view carry on from the newest state (loaded whole when it is free).
    let primary = null;
    if (start) for (const s of states) if (!primary || s.saved > primary.saved) primary = s;
    const taken = [];
    for (const s of states) {
      let r;
      if (s === primary) r = this.core.engineLoadSnapshot(s.free ? s.snap : { ...s.snap, writes: [] }, ws, now);
      else if (s.writes && s.free) r = this.core.engineAdopt(s.snap, ws, now);
      if (r && !r.ok) {
        // Another version's state is left alone; a corrupt one goes, with a warning.
        if (r.error?.code === "snapshot_invalid" || r.error?.code === "snapshot_foreign") this.discard(s.key);
      } else if ((s.writes && s.free) || s.gone) {
        taken.push(s.key);
      }
    }
    // Their keys go only once this instance's own state (holding their writes) is stored.
    if (taken.length && this.persist()) for (const key of taken) this.storage.remove(key);
    if (start) this.dispatch(); // restore() pumps once loading is over
    else this.pump(); // what was adopted is due now: arm the timer
  }

  discard(key) {
    this.ignored.add(key);
    this.storage.remove(key);
    warnOnce("corrupt", "discarded unreadable stored state");
  }

  save() {
    if (!this.saveTimer && this.key) this.saveTimer = setTimeout(() => this.persist(), SAVE_DELAY_MS);
  }

  /** Stores this instance's state now; true when it reached localStorage. */
  persist() {
    clearTimeout(this.saveTimer);
    this.saveTimer = 0;
    if (this.closed || !this.key) return false;
    const now = Date.now();
    // engineSave enforces the bounds (7 days, 256 KB): it may fail writes, told as error events.
    const snap = this.core.engineSave(now);
    this.dispatch();
    if (!snap) return false;
    snap.saved = now;
    if (this.closing) snap.closed = true;
    this.hold(snap.writes.length > 0);
    return this.storage.set(this.key, JSON.stringify(snap));
  }

  // A Web Lock named for this instance is held while its stored state has writes, so other tabs
  // see it is alive. Only then: a held lock keeps the page out of the back/forward cache.
  hold(busy) {
    if (busy && !this.unlock) {
      try {
        const locks = globalThis.navigator?.locks;
        if (!locks) return;
        const released = new Promise((r) => (this.unlock = r));
        locks.request(PREFIX + this.instance, () => released).catch(() => {});
      } catch {}
    } else if (!busy && this.unlock) {
      this.unlock();
      this.unlock = null;
    }
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
    this.closing = true; // what is left unsent is another instance's to take
    this.persist();
    this.hold(false);
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.saveTimer);
    if (this.onHide) {
      globalThis.removeEventListener("pagehide", this.onHide);
      globalThis.removeEventListener("storage", this.onStorage);
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
    id = randomId(16);
    storage.set(`${PREFIX}client`, id);
  }
  return id;
}

function randomId(n) {
  const bytes = new Uint8Array(n);
  if (globalThis.crypto?.getRandomValues) crypto.getRandomValues(bytes);
  else for (let i = 0; i < n; i++) bytes[i] = Math.random() * 256;
  return Array.from(bytes, (b) => (b % 36).toString(36)).join("");
}

// The instance of a state key of `workspace`, or null for any other key.
function instanceOf(key, workspace) {
  const n = STATE.length;
  const ok = key.length === n + INSTANCE_CHARS + 1 + workspace.length && key.startsWith(STATE) &&
    key[n + INSTANCE_CHARS] === ":" && key.endsWith(workspace);
  return ok ? key.slice(n, n + INSTANCE_CHARS) : null;
}

// Names of the Web Locks held or waited for on this origin; null where there are none to ask.
async function heldLocks() {
  try {
    const q = await globalThis.navigator.locks.query();
    return new Set([...q.held, ...q.pending].map((l) => l.name));
  } catch {
    return null;
  }
}

// FNV-1a: tells cached configs of different keys apart without storing a key.
function hash(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}
