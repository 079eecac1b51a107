// Key-value storage: localStorage when it works, else (no window, disabled, full, throwing) an
// in-memory map for this page. Values that could not be written stay readable from memory.

export function openStorage() {
  const mem = new Map();
  let ls = null;
  try {
    ls = globalThis.localStorage ?? null; // the getter itself throws when storage is blocked
  } catch {}
  return {
    get(key) {
      if (mem.has(key)) return mem.get(key);
      try {
        return ls ? ls.getItem(key) : null;
      } catch {
        return null;
      }
    },
    set(key, value) {
      try {
        ls.setItem(key, value);
        mem.delete(key);
      } catch {
        mem.set(key, value);
      }
    },
    remove(key) {
      mem.delete(key);
      try {
        ls?.removeItem(key);
      } catch {}
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
