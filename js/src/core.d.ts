// Types for js/src/core.js and the bindings of bindings/values.cpp (owner: "wasm").
// Other bindings (bindings/engine.cpp) add their members by merging into `CoreModule`.

export interface LoadCoreOptions {
  /** Where attrkit-core.wasm is: file: (Node reads it), http(s): or blob: (fetched). */
  wasmUrl?: string | URL;
  /** Where the ES-module glue attrkit-core.mjs is; ignored when `factory` is given. */
  glueUrl?: string | URL;
  /** The glue's factory (default export of attrkit-core.mjs, or `attrkitCore` of the script flavour). */
  factory?: (moduleArg: object) => Promise<CoreModule>;
  /** The .wasm bytes: nothing is fetched or read. */
  wasmBinary?: BufferSource;
  /** An already compiled module: nothing is fetched. */
  wasmModule?: WebAssembly.Module;
  /** Subresource-integrity hash for fetching an http(s) wasmUrl. */
  integrity?: string;
}

export interface CoreError {
  /** error_name() of core/error.h, e.g. "attribute_value_invalid". */
  code: string;
  /** error_status(): the HTTP status DESIGN §3 gives the code, 0 when never sent by a server. */
  status: number;
  /** A validation failure's sentence, written by the core and identical to the server's
   * (`team_size: 0 is below the minimum 1`, docs/validation.md "Messages"); absent otherwise. */
  message?: string;
}

export type CoreResult<T> = { ok: true; value: T } | { ok: false; error: CoreError };

/** Plain data as the core sees it (bindings/convert.h). */
export type CoreValue = null | boolean | number | string | CoreValue[] | { [key: string]: CoreValue };

export interface CoreModule {
  validateValue(definition: object, value: unknown): CoreResult<CoreValue>;
  validateWrite(config: object, key: unknown, value: unknown): CoreResult<CoreValue>;
  validateDistinctId(id: unknown): CoreResult<string>;
  parseConfig(config: unknown): CoreResult<CoreValue>;
  parseDefinition(definition: unknown): CoreResult<CoreValue>;
  /** to_js(to_json(value)): a detached plain-data copy, exactly what the core would see. */
  roundTrip(value: unknown): CoreValue;
}

export function loadCore(options?: LoadCoreOptions): Promise<CoreModule>;
