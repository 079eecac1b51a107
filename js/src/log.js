// What the SDK tells the developer on the console (DESIGN §2a "debug"; docs/sdk.md "Debug").
// With debug on, every decision is one line prefixed "[attrkit]": commands (debug), failures with
// the core's message (warn), batches, responses, retries and stops (info/warn). Without it, only
// the config-level failures warn, once each per client (bad key, writes disabled, consent denied;
// script.js warns sdk_unavailable itself). The console is looked up at call time and may throw.

const PREFIX = "[attrkit]";

export class Log {
  constructor() {
    this.on = false;
    this.warned = new Set();
  }

  debug(...a) {
    if (this.on) out("debug", a);
  }

  info(...a) {
    if (this.on) out("info", a);
  }

  warn(...a) {
    if (this.on) out("warn", a);
  }

  /** A config-level failure: one console.warn per kind for this client, debug or not. The
   * message starts "attrkit: ", as the storage and sdk_unavailable warnings do. */
  once(kind, message) {
    if (this.warned.has(kind)) return;
    this.warned.add(kind);
    try {
      console.warn(message);
    } catch {}
  }

  /** An AttrkitError as one line: code, attribute (unless the core's message starts with it, as
   * validation messages do: "plan: ..."), message. */
  error(e, what = "error") {
    if (!this.on || !e) return;
    const a = e.attribute;
    const attr = typeof a === "string" && !String(e.message).startsWith(`${a}:`) ? ` (${a})` : "";
    out("warn", [`${what} ${e.code}${attr}: ${e.message}`]);
  }
}

// One line of text: values as JSON (functions as "ƒ"), so every console prints the same line.
function out(level, args) {
  try {
    console[level]([PREFIX, ...args.map(text)].join(" "));
  } catch {}
}

function text(v) {
  if (typeof v === "string") return v;
  try {
    return JSON.stringify(v, (k, x) => (typeof x === "function" ? "ƒ" : x)) ?? String(v);
  } catch {
    return "(unreadable)";
  }
}
