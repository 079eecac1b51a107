// The script-tag entry (dist/attrkit.js, an IIFE; js/build.mjs wraps it together with the
// classic-script core glue, which defines `attrkitCore` in the same closure). Loaded by the
// snippet: replays window.attrkit strictly in order, then replaces its push (DESIGN §2a).
import { makeClient } from "./client.js";
import { loadCore } from "./core.js";
import { report } from "./events.js";
import { Runtime } from "./runtime.js";

/* global attrkitCore, __ATTRKIT_WASM__ */
const LOADED = "__attrkitLoaded";
const w = window;
// Only valid while this script is being evaluated; the .wasm sits beside the script.
const src = document.currentScript?.src || new URL("/sdk/attrkit.js", location.href).href;

let queue = w.attrkit;
if (!Array.isArray(queue)) queue = w.attrkit = [];
if (!queue[LOADED]) {
  Object.defineProperty(queue, LOADED, { value: true });
  loadCore({ factory: attrkitCore, wasmUrl: new URL(__ATTRKIT_WASM__, src) }).then((core) => {
    const client = makeClient(new Runtime(core));
    // Drain with the array's own push still in place: a listener that pushes while the queue
    // drains appends behind the queued commands, so the order of submission holds.
    while (queue.length) client.push(queue.shift());
    queue.push = client.push;
    queue.analytics = client.analytics;
    queue.setAttribute = client.setAttribute;
  }, report);
}
