// Types for js/src/core.js and the core module's bindings: bindings/values.cpp (validation) and
// bindings/engine.cpp (the Engine; the JSON shapes are core/engine_json.h's, the names
// js/src/protocol.js's).

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
  /** A compile already under way (the release snippet's): its module is taken when it resolves to
   * a WebAssembly.Module, else wasmUrl is fetched. */
  compiling?: PromiseLike<unknown>;
  /** Subresource-integrity hash for fetching an http(s) wasmUrl. */
  integrity?: string;
}

export interface CoreError {
  /** error_name() of core/error.h, e.g. "attribute_value_invalid". */
  code: string;
  /** error_status(): the HTTP status DESIGN §3 gives the code, 0 when never sent by a server. */
  status: number;
  /** A validation failure's sentence, written by the core and identical to the server's
   * (`team_size: 0 is below the minimum 1`, docs/validation.md "Messages"). The engine's results
   * and events always carry one (the code's default sentence otherwise); the validation
   * bindings leave it out when there is none. */
  message?: string;
  /** The engine's results and events: the attribute the error is about, when there is one. */
  attribute?: string;
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

// ---- the Engine (bindings/engine.cpp; core/engine_json.h documents every shape) ----------------

export type Effect = "init" | "identify" | "reset" | "write" | "get" | "on" | "off" | "debug" | "consent" | "none";
export type CallKind =
  | "init" | "identify" | "reset" | "set_name" | "set_email" | "set_language" | "set_attributes"
  | "get_attributes" | "on" | "off" | "debug" | "consent" | "write" | "clear";
export type ListenerEvent = "error" | "ready" | "identified" | "delivered";
export type BatchOutcome = "delivered" | "retry" | "offline" | "rejected" | "stopped";

export type EngineResult = { ok: true; value: unknown } | { ok: false; error: CoreError };

/** engineCommand / engineWrite / engineClear. No `result`: a "settled" event with the ticket follows. */
export interface EngineResponse {
  ticket: number;
  kind?: CallKind;
  effect: Effect;
  result?: EngineResult;
  options?: { publicKey: string; apiHost: string; consent: "granted" | "pending" | "denied"; persistence: "localStorage" | "memory"; debug: boolean };
  enabled?: boolean;
  consent?: "granted" | "denied";
  distinctId?: string;
  changed?: boolean;
  event?: ListenerEvent;
  callback?: number;
  /** Events are waiting: engineTakeEvents() has some (absent: it has none). */
  events?: true;
  /** engineNextWake(now) after the call (ms since epoch; -1: nothing to send). */
  wake?: number;
}

export type EngineEvent =
  | { type: "error"; error: CoreError; ticket?: number; writeIds?: string[]; distinctId?: string }
  | { type: "delivered"; writeId: string; distinctId: string; attribute: string; value: unknown; personId?: string; superseded?: number }
  | { type: "settled"; ticket: number; result: EngineResult };

export interface EngineBatch { batchId: string; body: object; writeIds: string[]; attempt: number; bytes: number; removeUnspecified?: true }

/** What the runtime saw of a batch request (core/retry.h): a status and body, or a network failure. */
export interface BatchOutcomeInput {
  batchId: string; status?: number; retryAfter?: number; network?: boolean; timeout?: boolean; offline?: boolean;
  body?: unknown; jitter?: number;
}

export type EngineComplete =
  | { ok: true; outcome: BatchOutcome; delivered?: number; rejected?: number; failed?: number; retryAt?: number; code?: string }
  | { ok: false; error: CoreError };

export interface EngineConstants {
  requestTimeoutMs: number; offlineRecheckMs: number; maxTries: number; maxWriteAgeMs: number;
  snapshotVersion: number; maxStoredAgeMs: number; maxSnapshotBytes: number; keepaliveMaxBytes: number;
}

export interface CoreModule {
  /** A new engine for this module (the old one is dropped). options: the limits and "instance". */
  engineCreate(clientId: string, options: object): void;
  engineRestore(snapshot: unknown, workspace: string, limits: object): CoreResult<null>;
  /** A set pushed again as the same command, answered as last time: [ticket, wake, events] only
   * (docs/engine.md "A repeated set"; answers.js makes it whole). */
  engineCommand(cmd: unknown, now: number): EngineResponse | [ticket: number, wake: number, events: boolean];
  engineWrite(request: { distinctId: unknown; attributes: unknown; removeUnspecified?: unknown }, now: number): EngineResponse;
  engineClear(request: { distinctId: unknown; attribute: unknown }, now: number): EngineResponse;
  /** provisional: a cached copy applied before the server answered (docs/engine.md). */
  engineConfigure(config: unknown, now: number, provisional: boolean):
    | { ok: true; workspace: string; clientAttributeWrites: boolean; definitionsVersion: string }
    | { ok: false; error: CoreError };
  engineTakeBatch(now: number, flush: boolean): EngineBatch | null;
  engineCompleteBatch(outcome: BatchOutcomeInput, now: number): EngineComplete;
  engineNextWake(now: number): number;
  engineTakeEvents(): EngineEvent[];
  engineSnapshot(): object | null;
  engineSave(now: number): object | null;
  engineLoadSnapshot(snapshot: unknown, workspace: string, now: number): { ok: true; restored: number } | { ok: false; error: CoreError };
  engineAdopt(snapshot: unknown, workspace: string, now: number): { ok: true; adopted: number } | { ok: false; error: CoreError };
  /** The debug dump for consoles (core/engine.h inspect()); the runtime uses the queries below. */
  engineInspect(): Record<string, unknown>;
  /** The current distinct id, "" for none. */
  engineIdentity(): string;
  engineClientId(): string;
  /** What this client believes `distinctId` has stored (getAttributes). */
  engineBelieved(distinctId: string): Record<string, unknown>;
  engineStopDelivery(error: { code: string; message?: string }, forGood: boolean): void;
  engineSetClientId(id: string): void;
  engineConstants(): EngineConstants;
  parseCommand(cmd: unknown): CoreResult<Record<string, unknown>>;
  parseInitOptions(options: unknown): CoreResult<Record<string, unknown>>;
  retryAdvice(outcome: unknown, tries: number): { class: "success" | "retry" | "offline" | "reject" | "stop"; delayMs?: number; code?: string };
}

export function loadCore(options?: LoadCoreOptions): Promise<CoreModule>;
