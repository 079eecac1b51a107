// Listeners for "error", "ready", "identified", "delivered". The core decides which event names
// exist (push ["on", name, [fn]] is validated there); this only stores and calls functions.
// A listener that throws never breaks the SDK or the other listeners: it is reported.

export function report(e) {
  try {
    if (typeof reportError === "function") reportError(e); // the page's window.onerror
    else console.error(e);
  } catch {}
}

export function call(fn, arg) {
  try {
    fn(arg);
  } catch (e) {
    report(e);
  }
}

export class Emitter {
  constructor() {
    this.sets = new Map();
  }
  on(type, fn) {
    if (!this.sets.has(type)) this.sets.set(type, new Set());
    this.sets.get(type).add(fn);
  }
  // Without a function: every listener of that type.
  off(type, fn) {
    if (typeof fn === "function") this.sets.get(type)?.delete(fn);
    else this.sets.delete(type);
  }
  emit(type, arg) {
    for (const fn of [...(this.sets.get(type) ?? [])]) call(fn, arg);
  }
}
