// The Node half of the loader: what a browser bundle must never contain. Reached
// only through the package's Node entry (node.js, the `exports` "node" condition) and the test
// helpers. Debian's Emscripten 3.1.6 glue, built for the web, would fetch() a file path, which
// Node's fetch refuses: a file: URL is read here and handed over as bytes.
import { readFile } from "node:fs/promises";

import { loadCore as loadInBrowserWay } from "./core.js";
import { own } from "./own.js";

/**
 * loadCore() of core.js, plus what only Node can do.
 * @param {object} options                  as core.js's loadCore, and:
 * @param {string|URL} [options.glueUrl]    the ES-module glue to import when there is no `factory`
 * @param {string|URL} [options.wasmUrl]    also file: (read from disk); http(s): is fetched
 */
export async function loadCore(options) {
  const factory = own(options, "factory") ?? (await import(new URL(own(options, "glueUrl")).href)).default;
  let wasmBinary = own(options, "wasmBinary");
  const wasmUrl = own(options, "wasmUrl");
  if (!wasmBinary && !own(options, "wasmModule") && wasmUrl !== undefined && new URL(wasmUrl).protocol === "file:") {
    wasmBinary = await readFile(new URL(wasmUrl));
  }
  return loadInBrowserWay({ ...options, factory, wasmBinary });
}
