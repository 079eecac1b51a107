// The npm entry for browsers and bundlers (dist/attrkit.mjs after js/build.mjs; the package's
// `exports` "browser" and "default" conditions). ESM, nothing runs at import time. No `node:`
// import is reachable from here (Node gets node.js instead), and the .wasm is named by ONE
// literal `new URL("./<file>.wasm", import.meta.url)`: the form webpack 5, Vite, Parcel and
// Next.js follow to emit and serve the file (docs/wasm.md "Loading"). js/build.mjs defines
// __ATTRKIT_WASM_PATH__ as "./attrkit-core.<hash>.wasm" and checks the literal in its output.
// "#attrkit-core-glue" is resolved by the build to the Emscripten ES-module glue.
import factory from "#attrkit-core-glue";

import { createClientWith } from "./client.js";
import { loadCore } from "./core.js";
import { ownWasmUrl, unavailable } from "./options.js";

export { AttrkitError } from "./errors.js";

/* global __ATTRKIT_WASM__, __ATTRKIT_WASM_PATH__, __ATTRKIT_WASM_SRI__ */
/** @param {{publicKey: string, apiHost: string, wasmUrl?: string | URL}} options */
export function createClient(options) {
  return createClientWith(async () => {
    const wasmUrl = ownWasmUrl(options, null) ?? besideBundle(new URL(__ATTRKIT_WASM_PATH__, import.meta.url));
    // The wasm2js core: one literal import() so bundlers emit it too; fetched only where
    // WebAssembly cannot run (fallback.js). js/build.mjs names the content-hashed file.
    const fallback = () => import("./attrkit-core.fallback.mjs");
    return loadCore({ factory, wasmUrl, integrity: __ATTRKIT_WASM_SRI__, fallback }).catch((cause) => {
      throw unavailable(cause);
    });
  }, options);
}

// Vite's dev server (up to Vite 7) pre-bundles dependencies into node_modules/.vite/deps/ without
// the files their new URL(..., import.meta.url) name (vitejs/vite#8427), and answers that URL
// with index.html. There, the file is where the package put it: node_modules/attrkit/dist/.
// Relative to the URL above, so no second `import.meta.url` for bundlers to follow.
function besideBundle(url) {
  return /\/\.vite\/deps(_[^/]*)?\/[^/]*$/.test(url.pathname) ? new URL(`../../attrkit/dist/${__ATTRKIT_WASM__}`, url) : url;
}
