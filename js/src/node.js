// The npm entry for Node (dist/attrkit.node.mjs; the package's `exports` "node" condition: Node,
// Deno, Bun, and the server side of SSR frameworks). The same API as index.js; the .wasm beside
// this file is read from disk (core_node.js), since Node's fetch() cannot load a file: URL.
// Nothing runs at import time: importing it during SSR sends nothing and reads nothing.
import factory from "#attrkit-core-glue";

import { createClientWith } from "./client.js";
import { loadCore } from "./core_node.js";
import { ownWasmUrl, unavailable } from "./options.js";

export { AttrkitError } from "./errors.js";

/* global __ATTRKIT_WASM_PATH__ */
/** @param {{publicKey: string, apiHost: string, wasmUrl?: string | URL}} options */
export function createClient(options) {
  return createClientWith(async () => {
    // Not `new URL(literal, import.meta.url)`: a server bundler would emit the file again.
    const file = __ATTRKIT_WASM_PATH__;
    const wasmUrl = ownWasmUrl(options, null) ?? new URL(file, import.meta.url);
    const fallback = () => import("./attrkit-core.fallback.mjs"); // node --jitless: no WebAssembly
    return loadCore({ factory, wasmUrl, fallback }).catch((cause) => {
      throw unavailable(cause);
    });
  }, options);
}
