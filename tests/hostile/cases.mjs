// The hostile page, shared by tests/js/hostile.test.mjs (Node, npm entry) and
// tests/e2e/hostile.test.mjs (Chromium, script tag): which names a page may pollute
// Object.prototype with, and what each hostile value must come back as. Built from js/src:
//   - ARGUMENT_NAMES: every property the SDK reads from an object the page hands it (client.js's
//     analytics calls and setAttribute's context, the init options the core reads, options.js's
//     wasmUrl, the snippet's and script.js's double-include markers, the command's arguments);
//   - PLATFORM_NAMES: every member of RequestInit (transport.js, core.js: fetch) and of the
//     Web Locks / addEventListener options dictionaries (stored_state.js, lifecycle.js), plus the
//     property descriptor fields of the Object.defineProperty calls (script.js, client.js,
//     bindings/convert.js);
//   - toJSON: asked by JSON.stringify of every object (own.js stringify avoids it).
// Each value is one that would visibly change what the SDK does if it were read.
export const ARGUMENT_NAMES = {
  distinctId: "polluted-person",
  attribute: "role",
  attributes: { role: "polluted" },
  value: "polluted",
  id: "polluted-context-id",
  wasmUrl: "http://127.0.0.1:9/missing.wasm",
  publicKey: "sk_live_polluted000000000000000000000",
  apiHost: "http://127.0.0.1:9",
  consent: "denied",
  persistence: "memory",
  debug: true,
  refetchBoosted: true,
  removeUnspecified: true,
  s: 1,
  __attrkitLoaded: true,
  // Members of the SDK's own option bags and answers (core.js, transport.js, config_fetch.js):
  // inherited, each would load another core, send a body, or read a failure as an answer.
  wasmBinary: "polluted",
  wasmModule: "polluted",
  fallback: "polluted",
  glueUrl: "http://127.0.0.1:9/glue.mjs",
  etag: "\"polluted\"",
  timeoutMs: 1,
  status: 200,
  retryAfter: 100000,
  0: "set",
  1: "user:attributes",
  2: [{ role: "polluted" }],
};

export const PLATFORM_NAMES = {
  method: "DELETE",
  headers: { "X-Polluted": "1" },
  body: "polluted",
  signal: "not a signal",
  keepalive: "yes",
  credentials: "bogus",
  mode: "bogus",
  integrity: "sha384-polluted",
  cache: "bogus",
  redirect: "bogus",
  referrer: "http://[bogus",
  referrerPolicy: "bogus",
  window: 1,
  priority: "bogus",
  duplex: "bogus",
  // Web Locks options (LockOptions) and event listener options.
  ifAvailable: true,
  steal: true,
  once: true,
  capture: true,
  passive: true,
  // Property descriptors.
  get: 1,
  set: 1,
  writable: false,
  enumerable: false,
  configurable: false,
};

/** Sets every name on Object.prototype as a polluting assignment would (enumerable, writable). The
 * descriptors have no prototype: once `get` is polluted, a literal descriptor would inherit it. */
export function pollute(names) {
  for (const k of Object.keys(names)) {
    Object.defineProperty(Object.prototype, k, { __proto__: null, value: names[k], writable: true, configurable: true, enumerable: true });
  }
}

export function unpollute(names) {
  for (const k of Object.keys(names)) delete Object.prototype[k];
}

/** Names that break Node's own fetch (undici), even for a request whose init and headers have no
 * prototype, as the SDK's are: undici reads them from its internal objects (an inherited `0` even
 * throws from inside undici, uncaught). Not the SDK's reads: the Node suite leaves them out and
 * checks that a bare fetch fails with them; Chromium's fetch reads only the init, and the Chromium
 * suite pollutes every name. (Which of them fails varies with undici's connection reuse.) */
export const NODE_FETCH_BREAKS = ["0", "body", "signal", "integrity", "referrer", "window", "get", "set", "writable"];
