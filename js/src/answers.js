// A push's answer made whole again. The core answers a set pushed again as exactly the same
// command, when its answer is the same as last time, with [ticket, wake, events] only (docs/engine.md
// "A repeated set"): the rest is the answer before it, kept here, with a fresh copy of its value so
// every caller gets an object of its own.
import { put } from "./own.js";

export class Answers {
  constructor() {
    this.last = null; // the last whole answer of engineCommand
  }

  /** engineCommand's answer -> the whole answer. */
  whole(r) {
    if (!Array.isArray(r)) return (this.last = r);
    // A set's answer has no other field (core/engine_docs.h write_doc).
    const { kind, effect, result } = this.last;
    const again = result && (result.ok ? { ok: true, value: copy(result.value) } : { ok: false, error: result.error });
    return { ticket: r[0], kind, effect, result: again, events: r[2], wake: r[1] };
  }
}

// The value is data the core decoded (objects, arrays, strings, numbers, booleans, null).
function copy(v) {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) {
    const out = [];
    for (let i = 0; i < v.length; i++) out.push(copy(v[i]));
    return out;
  }
  const out = {};
  for (const k of Object.keys(v)) {
    if (k === "__proto__") put(out, k, copy(v[k]));
    else out[k] = copy(v[k]);
  }
  return out;
}
