// This instance's stored state, and adopting the states of instances that are gone (DESIGN §5;
// docs/sdk.md "Persistence"). Each running instance stores its own state; on start it loads the
// newest stored state (the tab it replaces, usually) and adopts the writes of every instance that
// is gone. Ids make any mistake a resend: the server applies each write id once.
import { ADOPT_LOCK, instanceLock, instanceOf, legacyStateKey, stateKey } from "./ids.js";
import { own, stringify } from "./own.js";
import { readJson, warnOnce } from "./storage.js";

const SAVE_DELAY_MS = 250; // coalesces the snapshot writes of a burst of commands
// Where Web Locks cannot tell, a state nobody saved for this long belongs to a page that is gone
// (a live page with unsent writes saves at least at every retry, 300 s apart at most).
const STALE_MS = 10 * 60 * 1000;

export class StoredState {
  /**
   * Hooks: `closed()` the client is closed; `dispatch()` takes the engine's events (after a save,
   * which may fail writes); `pump()` dispatches and re-arms the loop.
   */
  constructor(core, storage, instance, { closed, dispatch, pump }) {
    this.core = core;
    this.storage = storage;
    this.instance = instance;
    this.closed = closed;
    this.dispatch = dispatch;
    this.pump = pump;
    this.workspace = this.key = ""; // key: this instance's stored state, once the workspace is known
    this.loading = null; // while the stored states are read: no batch may be cut before
    this.scans = Promise.resolve();
    this.closing = false; // the page goes away for good: the stored state says so ("closed")
    this.saveTimer = 0;
    this.unlock = null; // releases the Web Lock held while the stored state has writes
    this.ignored = new Set(); // keys found unreadable: discarded once, never read again
  }

  /** Once the workspace is known: loads and adopts what other instances stored. Resolves once
   * done: at once when no other state of the workspace has writes (nothing to adopt, so nothing
   * to take one at a time: no Web Lock is asked for, docs/sdk.md "Persistence"). */
  restore(workspace) {
    this.workspace = workspace;
    this.key = stateKey(this.instance, workspace);
    if (this.restoreNow()) return Promise.resolve();
    this.loading = this.adopt(true);
    return this.loading.then(() => {
      this.loading = null;
      this.pump();
    });
  }

  // The start without a lock, when every other state of the workspace is stored with no writes
  // (usually: a first visit, or the page this one replaces after it delivered everything). Whether
  // a page is gone matters only for taking writes, so the locks have nothing to tell: the newest
  // state's identity and view load, the states of pages that are gone are removed, as the scan
  // under the lock would. A state with writes (or one not written as this version writes it)
  // leaves it to the scan. False when the scan is still to run.
  restoreNow() {
    try {
      const states = this.read(Date.now());
      if (!states.every((s) => isEmptyArray(own(s.snap, "writes")))) return false;
      this.take(true, states, null);
    } catch {}
    this.pump();
    return true;
  }

  /** Another tab stored `value` under `key`: when it closed with unsent writes, take them now
   * rather than at the next load. */
  noticed(key, value) {
    if (this.key && key && key !== this.key && instanceOf(key, this.workspace) !== null &&
        /"closed":true/.test(value ?? "")) this.adopt(false);
  }

  // One scan at a time in this page, and across tabs one at a time under a Web Lock, so two tabs
  // do not both take the same closed tab's writes (harmless, but a resend).
  adopt(start) {
    const scan = () => this.scan(start).catch(() => {});
    this.scans = this.scans.then(() => {
      const locks = globalThis.navigator?.locks;
      try {
        if (locks) return locks.request(ADOPT_LOCK, scan).catch(scan);
      } catch {}
      return scan();
    });
    return this.scans;
  }

  async scan(start) {
    const held = await heldLocks();
    if (!this.closed()) this.take(start, this.read(Date.now()), held);
  }

  // The other stored states of the workspace, read now: {key, snap, instance, gone, saved}.
  read(now) {
    const ws = this.workspace;
    const states = [];
    for (const key of this.storage.keys()) {
      if (key === this.key || this.ignored.has(key)) continue;
      // The one key per workspace of earlier versions is read as a state that is gone.
      const instance = key === legacyStateKey(ws) && ws !== "client" && ws !== "config" ? "" : instanceOf(key, ws);
      if (instance === null) continue;
      const snap = readJson(this.storage.get(key));
      if (snap === null) continue; // removed meanwhile
      if (!snap || typeof snap !== "object" || Array.isArray(snap)) {
        this.discard(key);
        continue;
      }
      // gone: closed, or not saved for STALE_MS.
      const gone = !instance || snap.closed === true || !(now - snap.saved < STALE_MS);
      states.push({ key, snap, instance, gone, saved: typeof snap.saved === "number" ? snap.saved : 0 });
    }
    return states;
  }

  // Loads (start) and adopts `states`. `held`: the Web Locks held or waited for, null where none
  // could be asked (a state is then free only when gone).
  take(start, states, held) {
    const now = Date.now();
    const ws = this.workspace;
    // The identity and view carry on from the newest state (loaded whole when it is free).
    let primary = null;
    if (start) for (const s of states) if (!primary || s.saved > primary.saved) primary = s;
    const taken = [];
    for (const s of states) {
      // free: its writes may be taken (a live instance with writes holds its lock).
      const free = s.gone || (held !== null && !held.has(instanceLock(s.instance)));
      const writes = Array.isArray(s.snap.writes) && s.snap.writes.length > 0;
      let r;
      if (s === primary) r = this.core.engineLoadSnapshot(free ? s.snap : { ...s.snap, writes: [] }, ws, now);
      else if (writes && free) r = this.core.engineAdopt(s.snap, ws, now);
      if (r && !r.ok) {
        // Another version's state is left alone; a corrupt one goes, with a warning.
        if (r.error?.code === "snapshot_invalid" || r.error?.code === "snapshot_foreign") this.discard(s.key);
      } else if ((writes && free) || s.gone) {
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

  /** Stores this instance's state soon (a burst of commands is one write). */
  save() {
    if (!this.saveTimer && this.key) this.saveTimer = setTimeout(() => this.persist(), SAVE_DELAY_MS);
  }

  /** Stores this instance's state now; true when it reached localStorage. */
  persist() {
    clearTimeout(this.saveTimer);
    this.saveTimer = 0;
    if (this.closed() || !this.key) return false;
    const now = Date.now();
    // engineSave enforces the bounds (7 days, 256 KB): it may fail writes, told as error events.
    const snap = this.core.engineSave(now);
    this.dispatch();
    if (!snap) return false;
    snap.saved = now;
    if (this.closing) snap.closed = true;
    this.hold(snap.writes.length > 0);
    return this.storage.set(this.key, stringify(snap));
  }

  /** The client closes: what is left unsent is stored for another instance to take. */
  close() {
    this.closing = true;
    this.persist();
    this.hold(false);
  }

  stop() {
    clearTimeout(this.saveTimer);
  }

  /** Consent denied: this instance's stored state goes (the engine dropped its writes; what is
   * saved from now on stays in memory). Other instances' states are theirs to forget. */
  forget() {
    clearTimeout(this.saveTimer);
    this.saveTimer = 0;
    if (this.key) this.storage.remove(this.key);
    this.hold(false);
  }

  // A Web Lock named for this instance is held while its stored state has writes, so other tabs
  // see it is alive. Only then: a held lock keeps the page out of the back/forward cache.
  hold(busy) {
    if (busy && !this.unlock) {
      try {
        const locks = globalThis.navigator?.locks;
        if (!locks) return;
        const released = new Promise((r) => (this.unlock = r));
        locks.request(instanceLock(this.instance), () => released).catch(() => {});
      } catch {}
    } else if (!busy && this.unlock) {
      this.unlock();
      this.unlock = null;
    }
  }
}

const isEmptyArray = (a) => Array.isArray(a) && a.length === 0;

// Names of the Web Locks held or waited for on this origin; null where there are none to ask.
async function heldLocks() {
  try {
    const q = await globalThis.navigator.locks.query();
    return new Set([...q.held, ...q.pending].map((l) => l.name));
  } catch {
    return null;
  }
}
