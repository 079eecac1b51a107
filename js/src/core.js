// Loads the attrkit core: the Embind module built by cmake/wasm.cmake
// (build/wasm/dist/attrkit-core.{mjs,wasm}). Owner: "wasm". The only file that knows how the
// .wasm bytes reach the glue; the runtime and the tests call loadCore() and nothing else here.
//
// Nothing runs at import time except URL arithmetic, so importing this file is safe in a
// browser, a worker, Node, or a bundler's SSR pass.

// Defaults follow the repository layout (js/src -> build/wasm/dist). The npm package build puts
// the two files next to this one and passes {glueUrl, wasmUrl} (or `factory`); see docs/wasm.md.
const DEFAULT_GLUE_URL = new URL("../../build/wasm/dist/attrkit-core.mjs", import.meta.url);
const DEFAULT_WASM_URL = new URL("../../build/wasm/dist/attrkit-core.wasm", import.meta.url);

/**
 * Instantiates a fresh core module (each call is independent: its own memory and state).
 * @param {object} [options]
 * @param {string|URL} [options.wasmUrl]    where attrkit-core.wasm is (file:, http(s):, blob:)
 * @param {string|URL} [options.glueUrl]    where attrkit-core.mjs is (ignored with `factory`)
 * @param {Function}   [options.factory]    the glue's default export, already imported
 * @param {BufferSource} [options.wasmBinary] the .wasm bytes: nothing is fetched or read
 * @param {WebAssembly.Module} [options.wasmModule] a compiled module: nothing is fetched
 * @param {string}     [options.integrity]  SRI hash checked by fetch() for an http(s) wasmUrl
 * @returns {Promise<object>} the Embind module (validateValue, validateWrite, ...)
 */
export async function loadCore(options = {}) {
  const wasmUrl = new URL(options.wasmUrl ?? DEFAULT_WASM_URL, import.meta.url);
  const factory =
    options.factory ?? (await import(new URL(options.glueUrl ?? DEFAULT_GLUE_URL, import.meta.url).href)).default;
  if (typeof factory !== "function") throw new TypeError("attrkit: the core glue has no factory export");

  let bytes = options.wasmBinary;
  if (!bytes && !options.wasmModule && wasmUrl.protocol === "file:") {
    // Node (or Deno/Bun): 3.1.6 glue would fetch() a file path and fail, so read the bytes here.
    // A computed specifier keeps bundlers from trying to resolve a Node built-in for browsers.
    const fs = "node:fs/promises";
    bytes = await (await import(fs)).readFile(wasmUrl);
  }
  if (bytes) return factory({ wasmBinary: bytes });

  // Browser: compile while downloading when the server says application/wasm. The glue's
  // instantiateWasm hook has no error path, so a failure rejects `failed` instead.
  let fail;
  const failed = new Promise((_, reject) => (fail = reject));
  const instantiateWasm = (imports, done) => {
    instantiate(wasmUrl, imports, options)
      .then(({ instance, module }) => done(instance, module))
      .catch(fail);
    return {}; // "instantiating asynchronously"
  };
  return Promise.race([factory({ instantiateWasm }), failed]);
}

async function instantiate(url, imports, { wasmModule, integrity }) {
  if (wasmModule) {
    return { instance: await WebAssembly.instantiate(wasmModule, imports), module: wasmModule };
  }
  const response = await fetch(url, { credentials: "same-origin", ...(integrity ? { integrity } : {}) });
  if (!response.ok) throw new Error(`attrkit: ${url} answered HTTP ${response.status}`);
  const type = response.headers.get("content-type") || "";
  if (typeof WebAssembly.instantiateStreaming === "function" && type.startsWith("application/wasm")) {
    return WebAssembly.instantiateStreaming(response, imports);
  }
  // Wrong MIME type (file servers, some CDNs): streaming would reject, so buffer instead.
  return WebAssembly.instantiate(await response.arrayBuffer(), imports);
}
