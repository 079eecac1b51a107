// The script-tag entry (dist/attrkit.js, an IIFE; js/build.mjs wraps it together with the
// classic-script core glue, which defines `attrkitCore` in the same closure). Loaded by the
// snippet: replays window.attrkit strictly in order, then replaces its push (DESIGN §2a).
//
// Nothing here may throw into the host page. If the core cannot load (a CSP without
// 'wasm-unsafe-eval', the .wasm 404s, ...) the page gets one console.warn, and the same API
// answers with an AttrkitError "sdk_unavailable" (docs/sdk.md): push resolves {ok: false},
// the Promise API rejects, inspect() is null.
import { makeClient } from "./client.js";
import { loadCore } from "./core.js";
import { AttrkitError } from "./errors.js";
import { earlyConfig } from "./early_config.js";
import { call } from "./events.js";
import { importChecked } from "./fallback.js";
import { own } from "./own.js";
import { EventType } from "./protocol.js";
import { Runtime } from "./runtime.js";

/* global attrkitCore, __ATTRKIT_WASM__, __ATTRKIT_WASM_SRI__, __ATTRKIT_FALLBACK__, __ATTRKIT_FALLBACK_SRI__ */
const LOADED = "__attrkitLoaded";
const w = window;
// Only valid while this script is being evaluated; the .wasm sits beside the script.
const src = document.currentScript?.src || new URL("/sdk/attrkit.js", location.href).href;

let queue = w.attrkit;
if (!Array.isArray(queue)) queue = w.attrkit = [];
if (!Object.getOwnPropertyDescriptor(queue, LOADED)) {
  Object.defineProperty(queue, LOADED, { __proto__: null, value: true }); // no inherited get/set
  // The config request for an init already queued goes first, while the core loads (docs/sdk.md
  // "Start sequence"); the core still decides whether its answer is used. It starts from the
  // first microtask, as soon as this script has run, rather than from inside it: a stack capture
  // of the request (seen under CDP, most likely DevTools' network initiator) then re-parses one
  // small function, not this whole file.
  let early = null;
  // The release snippet's compile of the .wasm, under way since the page ran it (snippet.js): used
  // only when it is this release's .wasm (a snippet left from another release names another file).
  let compiling;
  Promise.resolve()
    .then(() => {
      try {
        const snippetWasm = own(queue, "w");
        if (Array.isArray(snippetWasm) && snippetWasm[0] === __ATTRKIT_WASM__) compiling = snippetWasm[1];
        early = earlyConfig(queuedInit(queue));
      } catch {}
    })
    .then(() => loadCore({
      factory: attrkitCore,
      wasmUrl: new URL(__ATTRKIT_WASM__, src),
      integrity: __ATTRKIT_WASM_SRI__, // SRI of the .wasm and the fallback: baked in by js/build.mjs
      compiling,
      fallback: () => importChecked(new URL(__ATTRKIT_FALLBACK__, src), __ATTRKIT_FALLBACK_SRI__),
    }))
    .then((core) => {
      const client = makeClient(new Runtime(core, { early }));
      // Drain with the array's own push still in place: a listener that pushes while the queue
      // drains appends behind the queued commands, so the order of submission holds.
      while (queue.length) client.push(queue.shift());
      install(client);
    })
    .catch(unavailable);
}

// The options of the first ["do", "init", [options]] in the queue (plain arrays only), or null;
// null too when a consent command other than "granted" is queued (nothing may be sent then).
function queuedInit(q) {
  let init = null;
  for (let i = 0; i < q.length; i++) {
    const c = q[i];
    if (!Array.isArray(c) || c[0] !== "do") continue;
    if (c[1] === "consent" && !(Array.isArray(c[2]) && c[2][0] === "granted")) return null;
    if (c[1] === "init" && !init) init = Array.isArray(c[2]) ? c[2][0] : null;
  }
  return init;
}

function install(api) {
  queue.push = api.push;
  queue.analytics = api.analytics;
  queue.setAttribute = api.setAttribute;
  queue.inspect = api.inspect;
}

function unavailable(cause) {
  const error = new AttrkitError("sdk_unavailable", 0,
    `attrkit: the SDK could not load, nothing will be recorded on this page (${cause?.message ?? cause})`);
  try {
    console.warn(error.message);
  } catch {}
  // The queued commands cannot run; error listeners queued among them hear why, once.
  for (const cmd of queue.splice(0)) {
    try {
      if (cmd[0] === "on" && cmd[1] === EventType.error && typeof cmd[2][0] === "function") call(cmd[2][0], error);
    } catch {}
  }
  const reject = async () => {
    throw error;
  };
  install({
    push: async () => ({ ok: false, error }),
    analytics: { setAttribute: reject, setAttributes: reject, getAttributes: reject, clearAttribute: reject },
    setAttribute: reject,
    inspect: () => null,
  });
}
