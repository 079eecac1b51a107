// The engine protocol's names (core/engine.h; docs/engine.md), mirrored for the runtime: every
// place in js/src that reads an effect, an outcome or an event type names it through these, never
// as a string literal. The values are exactly the strings the engine's JSON carries; the keys are
// spelled as those strings, like the core's enumerators (CommandKind::init). The PURE marks let a
// bundler drop a table nothing reads.

/** What a command asks the runtime to do: the response's "effect". */
export const Effect = /* @__PURE__ */ Object.freeze({
  init: "init",
  identify: "identify",
  reset: "reset",
  write: "write",
  get: "get",
  on: "on",
  off: "off",
  debug: "debug",
  consent: "consent",
  none: "none",
});

/** Which call a response answers: its "kind" (the ones the runtime reads). */
export const Kind = /* @__PURE__ */ Object.freeze({
  init: "init",
  write: "write",
  clear: "clear",
});

/** A consent response's "consent". */
export const Consent = /* @__PURE__ */ Object.freeze({
  granted: "granted",
  pending: "pending",
  denied: "denied",
});

/** What became of a batch: completeBatch's "outcome". */
export const Outcome = /* @__PURE__ */ Object.freeze({
  delivered: "delivered",
  retry: "retry",
  offline: "offline",
  rejected: "rejected",
  stopped: "stopped",
});

/** takeEvents()'s "type"; all but SETTLED are also the names a page listens to (on/off). */
export const EventType = /* @__PURE__ */ Object.freeze({
  error: "error",
  ready: "ready",
  identified: "identified",
  delivered: "delivered",
  settled: "settled",
});
