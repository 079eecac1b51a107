// The no-Wasm fallback (DESIGN §9; docs/wasm.md "The no-Wasm fallback"): the same core compiled
// to JavaScript by Emscripten's wasm2js (cmake/wasm.cmake, attrkit-core.fallback.mjs), loaded only
// where WebAssembly cannot be used: no WebAssembly at all (Safari's Lockdown Mode, old WebViews,
// Node --jitless) or a CSP without 'wasm-unsafe-eval', which refuses to compile any module.
// A missing or tampered .wasm is not such a case: that stays sdk_unavailable.
import { fetchInit } from "./platform.js";

// The smallest valid module: "\0asm", version 1.
const EMPTY_MODULE = [0, 97, 115, 109, 1, 0, 0, 0];

/** Whether this realm may compile and instantiate WebAssembly at all. */
export function wasmUsable() {
  try {
    return new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(EMPTY_MODULE))) instanceof WebAssembly.Instance;
  } catch {
    return false;
  }
}

/** The fallback core: `load()` imports its glue (a module namespace, the factory its default). */
export async function loadFallback(load) {
  const glue = await load();
  if (typeof glue?.default !== "function") throw new TypeError("attrkit: the fallback core has no factory export");
  return glue.default({});
}

/** import() of `url` after fetch() checked its bytes against `integrity` (the script-tag flavour:
 * import() itself takes no integrity). The module loads from the HTTP cache the check filled. */
export async function importChecked(url, integrity) {
  const res = await fetch(url, fetchInit({ credentials: "same-origin", integrity: integrity || undefined }));
  if (!res.ok) throw new Error(`attrkit: ${url} answered HTTP ${res.status}`);
  return import(/* @vite-ignore */ `${url}`);
}
