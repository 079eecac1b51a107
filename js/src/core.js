// Loads the attrkit core: the Embind module built by cmake/wasm.cmake
// (build/wasm/dist/attrkit-core.{mjs,wasm}). The browser half of the loader:
// fetch + instantiate. It ships in every browser bundle, so it holds no `node:` import, no
// dynamic import of a computed specifier and no URL of its own: the entries say where the
// .wasm is (index.js: a literal new URL(..., import.meta.url) that bundlers follow; script.js:
// beside the script). Reading a file: URL is Node-only and lives in core_node.js. See
// docs/wasm.md "Loading".
//
// Nothing runs at import time, so importing this file is safe in a browser, a worker, Node, or a
// bundler's SSR pass.
import { loadFallback, wasmUsable } from "./fallback.js";
import { own } from "./own.js";
import { fetchInit } from "./platform.js";

/**
 * Instantiates a fresh core module (each call is independent: its own memory and state).
 * @param {object} options
 * @param {Function}   options.factory      the glue's default export, already imported
 * @param {string|URL} [options.wasmUrl]    where the .wasm is (http(s):, blob:, data:)
 * @param {BufferSource} [options.wasmBinary] the .wasm bytes: nothing is fetched
 * @param {WebAssembly.Module} [options.wasmModule] a compiled module: nothing is fetched
 * @param {Promise}    [options.compiling]  a compile the page started (the release snippet's): its
 *                                          module is taken when it resolves to one, else wasmUrl is fetched
 * @param {string}     [options.integrity]  SRI hash checked by fetch() for an http(s) wasmUrl
 * @param {Function}   [options.fallback]   imports the wasm2js core (fallback.js), where Wasm cannot run
 * @returns {Promise<object>} the Embind module (validateValue, validateWrite, ...)
 */
export async function loadCore(options) {
  // Own properties only (DESIGN §6): an inherited wasmBinary / wasmModule must not replace the core.
  const [factory, wasmBinary, wasmModule, url, integrity, fallback, compiling] =
    ["factory", "wasmBinary", "wasmModule", "wasmUrl", "integrity", "fallback", "compiling"].map((k) => own(options, k));
  // Whether WebAssembly can run here: a module proves it; a compile the page started (the release
  // snippet's) answers it once it settles, below; otherwise the probe answers now (a tiny module
  // compiled on the main thread, which could wait for the page's compile to finish).
  const canFallBack = typeof fallback === "function";
  const pageCompile = !wasmModule && !wasmBinary && compiling !== undefined;
  if (canFallBack && !wasmModule && !pageCompile && !wasmUsable()) return loadFallback(fallback);
  if (typeof factory !== "function") throw new TypeError("attrkit: the core glue has no factory export");
  if (wasmBinary) return factory({ wasmBinary });
  if (!wasmModule && url === undefined) throw new TypeError("attrkit: loadCore needs wasmUrl, wasmBinary or wasmModule");

  // The download and compile start before the glue's own setup runs (it takes the main thread for
  // a while on a cold start), and V8 compiles while the bytes arrive (docs/sdk.md "Start sequence").
  // The setup does not wait for the page's compile either: it runs while that one finishes.
  const fetched = () => compile(new URL(url, globalThis.location?.href), integrity);
  const compiled = wasmModule ? Promise.resolve(wasmModule)
    : !pageCompile ? fetched()
    : started(compiling).then((module) => module ?? (canFallBack && !wasmUsable() ? Promise.reject(NO_WASM) : fetched()));
  compiled.catch(() => {}); // told through `failed` below; never an unhandled rejection on the page
  // The glue's instantiateWasm hook has no error path, so a failure rejects `failed` instead.
  let fail;
  const failed = new Promise((_, reject) => (fail = reject));
  const instantiateWasm = (imports, done) => {
    compiled
      .then((module) => WebAssembly.instantiate(module, imports).then((instance) => done(instance, module)))
      .catch(fail);
    return {}; // "instantiating asynchronously"
  };
  // The page's compile gave nothing and WebAssembly cannot run: the glue set up for it is left
  // unused (it never instantiated) and the wasm2js core loads instead.
  return Promise.race([factory({ instantiateWasm }), failed]).catch((e) => {
    if (e !== NO_WASM) throw e;
    return loadFallback(fallback);
  });
}

const NO_WASM = Symbol("attrkit: WebAssembly cannot run here");

// The module of a compile already under way, or null (none, it failed, or it gave something else).
async function started(compiling) {
  try {
    const module = await compiling;
    return module instanceof WebAssembly.Module ? module : null;
  } catch {
    return null;
  }
}

async function compile(url, integrity) {
  const response = await fetch(url, fetchInit({ credentials: "same-origin", integrity: integrity || undefined }));
  if (!response.ok) throw new Error(`attrkit: ${url} answered HTTP ${response.status}`);
  const type = response.headers.get("content-type") || "";
  if (typeof WebAssembly.compileStreaming === "function" && type.startsWith("application/wasm")) {
    return WebAssembly.compileStreaming(response);
  }
  // Wrong MIME type (file servers, some CDNs): streaming would reject, so buffer instead.
  return WebAssembly.compile(await response.arrayBuffer());
}
