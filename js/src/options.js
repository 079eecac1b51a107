// The loader options of the npm entries (index.js for browsers, node.js for Node). Read by own
// property only (DESIGN §6): an inherited `wasmUrl` from a polluted Object.prototype is ignored.
import { AttrkitError, invalidCommand } from "./errors.js";

/** `options.wasmUrl` when it is an own property, else `fallback`. */
export function ownWasmUrl(options, fallback) {
  let url;
  try {
    const own = options !== null && typeof options === "object" && Object.getOwnPropertyDescriptor(options, "wasmUrl");
    url = own ? options.wasmUrl : undefined;
  } catch {
    throw invalidCommand("attrkit: the options could not be read");
  }
  return url === undefined || url === null ? fallback : url;
}

/** The core could not be had (the .wasm 404s, a CSP refuses to compile it, ...): the same code
 * the script tag reports (docs/sdk.md), the cause in the message. */
export function unavailable(cause) {
  return new AttrkitError("sdk_unavailable", 0, `attrkit: the SDK could not load (${cause?.message ?? cause})`);
}
