// The npm entry (dist/attrkit.mjs after js/build.mjs): ESM, nothing runs at import time, so
// importing it in Node or an SSR pass never throws. "#attrkit-core-glue" is resolved by the
// build to the Emscripten ES-module glue; the .wasm is located beside the bundle.
import factory from "#attrkit-core-glue";

import { createClientWith } from "./client.js";
import { loadCore } from "./core.js";

export { AttrkitError } from "./errors.js";

/** @param {{publicKey: string, apiHost: string}} options */
export function createClient(options) {
  return createClientWith(
    () => loadCore({ factory, wasmUrl: new URL("attrkit-core.wasm", import.meta.url) }),
    options,
  );
}
