// Key-value storage: localStorage when it is allowed and works, else (not allowed yet, no window,
// disabled, full, throwing) an in-memory map for this page. Values that could not be written stay readable from memory.
// Trouble is told once per page and kind ("unavailable", "full", "corrupt"), never per save:
// a page that saves every second must not flood the console.

const warned = new Set();

/** One console.warn per page for each kind of storage trouble. */
export function warnOnce(kind, message) {
  if (warned.has(kind)) return;
  warned.add(kind);
  try {
    console.warn(`attrkit: ${message}`);
  } catch {}
}

function trouble(e) {
  const full = e && (e.name === "QuotaExceededError" || e.code === 22 || e.code === 1014);
  if (full) warnOnce("full", "localStorage is full; unsent writes are kept in memory for this page only");
  else warnOnce("unavailable", "localStorage is unavailable; unsent writes are kept in memory for this page only");
}

/**
 * Storage that starts in memory and touches nothing of the page's until `enable()`: before consent
 * is granted, and with `persistence: "memory"`, localStorage (its getter included) is never read
 * (docs/sdk.md "Consent and persistence"). `disable()` goes back to memory only.
 */
export function openStorage() {
  const mem = new Map();
  let ls = null;
  return {
    enable() {
      try {
        ls = globalThis.localStorage ?? null; // the getter itself throws when storage is blocked
      } catch (e) {
        trouble(e);
      }
    },
    disable() {
      ls = null;
    },
    get(key) {
      if (mem.has(key)) return mem.get(key);
      try {
        return ls ? ls.getItem(key) : null;
      } catch (e) {
        trouble(e);
        return null;
      }
    },
    /** true when the value reached localStorage, false when it is only in memory. */
    set(key, value) {
      try {
        if (!ls) throw null;
        ls.setItem(key, value);
        mem.delete(key);
        return true;
      } catch (e) {
        if (ls) trouble(e);
        mem.set(key, value);
        return false;
      }
    },
    remove(key) {
      mem.delete(key);
      try {
        ls?.removeItem(key);
      } catch (e) {
        trouble(e);
      }
    },
    /** Every key, localStorage's and memory's. */
    keys() {
      const out = new Set(mem.keys());
      try {
        for (let i = 0; ls && i < ls.length; i++) out.add(ls.key(i));
      } catch (e) {
        trouble(e);
      }
      return out;
    },
  };
}

export function readJson(text) {
  if (typeof text !== "string") return null;
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // present but corrupt
  }
}
