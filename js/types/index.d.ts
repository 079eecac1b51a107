// Hand-written types of the npm package "attrkit" (docs/sdk.md). Checked by tsc over
// types/check.ts (npm run typecheck in js/).

export type AttributeValue = string | number | boolean | null | ReadonlyArray<string | number>;
export type Attributes = Record<string, AttributeValue>;

export interface ClientOptions {
  /** A publishable key, pk_live_...; an sk_ key is refused (secret_key_in_browser). */
  publicKey: string;
  /** https://host[:port][/path]; http only for localhost and loopback addresses. */
  apiHost: string;
  /** Log every decision to the console with an "[attrkit]" prefix (default false). */
  debug?: boolean;
  /** Until "granted" (the default) nothing is stored and nothing is sent; writes wait in memory.
   * "denied": writes fail with consent_denied. Change it later with ["do", "consent", [...]]. */
  consent?: Consent;
  /** "memory": localStorage is never touched; unsent writes live as long as the page. */
  persistence?: "localStorage" | "memory";
}

/** createClient's options: init's, and where the core's .wasm is. */
export interface CreateClientOptions extends ClientOptions {
  /**
   * Where the core's .wasm is, when not beside the bundle (a CDN; the file is
   * dist/attrkit-core.<hash>.wasm of the package). Relative URLs resolve against the page.
   * Default: the package's own file, which your bundler emits.
   */
  wasmUrl?: string | URL;
}

export type Consent = "granted" | "pending" | "denied";

export type ErrorCode =
  | "attribute_not_defined" | "attribute_value_invalid" | "attribute_value_too_long"
  | "attribute_archived" | "distinct_id_invalid" | "client_attribute_writes_disabled"
  | "invalid_key" | "secret_key_in_browser" | "invalid_command" | "queue_full" | "consent_denied"
  | "payload_too_large" | "rate_limited" | "invalid_request" | "invalid_config"
  | "invalid_api_host" | "snapshot_invalid" | "snapshot_foreign" | "snapshot_version"
  | "delivery_failed" | "secret_key_required" | "not_found" | "server_error"
  /** The core could not load (CSP without 'wasm-unsafe-eval', .wasm 404...): createClient rejects, the script tag answers with it. */
  | "sdk_unavailable"
  | (string & {});

export declare class AttrkitError extends Error {
  readonly name: "AttrkitError";
  readonly code: ErrorCode;
  /** The HTTP status of the code; 0 for codes the server never sends. */
  readonly status: number;
  readonly attribute?: string;
  /** On "error" events: the person and the write ids concerned, when known. */
  readonly distinctId?: string;
  readonly writeIds?: string[];
}

export type PushResult<T = unknown> = { ok: true; value: T } | { ok: false; error: AttrkitError };

export interface ReadyInfo { workspace: string; clientAttributeWrites: boolean }
export interface IdentifiedInfo { distinctId: string; changed: boolean }
export interface DeliveredInfo { distinctId: string; attribute: string; value: AttributeValue; personId?: string; writeId: string;
  /** how many older writes of this attribute this one replaced before they were sent (a count:
   * the event stays small whatever the burst) */
  superseded: number }
export interface EventMap {
  error: AttrkitError;
  ready: ReadyInfo;
  identified: IdentifiedInfo;
  delivered: DeliveredInfo;
}
export type EventName = keyof EventMap;

export interface UserAttributesOptions { refetchBoosted?: boolean; removeUnspecified?: boolean }

/** DESIGN §2a: [verb, name, args]. */
export type Command =
  | readonly ["do", "init", readonly [ClientOptions]]
  | readonly ["do", "identify", readonly [string] | readonly [string, ((distinctId: string) => void) | null]]
  | readonly ["do", "reset"] | readonly ["do", "reset", readonly []]
  | readonly ["do", "consent", readonly ["granted" | "denied"]]
  | readonly ["do", "debug", readonly [boolean]]
  | readonly ["set", "user:name" | "user:email" | "user:language", readonly [string]]
  | readonly ["set", "user:attributes", readonly [Attributes]
      | readonly [Attributes, UserAttributesOptions]
      | readonly [Attributes, boolean | null, (boolean | null)?]]
  | readonly ["get", "user:attributes"] | readonly ["get", "user:attributes", readonly []]
  | OnCommand<"error"> | OnCommand<"ready"> | OnCommand<"identified"> | OnCommand<"delivered">
  | readonly ["off", EventName] | readonly ["off", EventName, readonly [] | readonly [(payload: never) => void]];
type OnCommand<E extends EventName> = readonly ["on", E, readonly [(payload: EventMap[E]) => void]];

export interface SetAttributeRequest { distinctId: string; attribute: string; value: AttributeValue }
export interface SetAttributeResult { personId: string; attribute: string; value: AttributeValue }
export interface SetAttributesRequest { distinctId: string; attributes: Attributes }
export interface SetAttributesResult { personId: string; attributes: Attributes }
export interface GetAttributesResult { distinctId: string; attributes: Attributes }
export interface ClearAttributeResult { personId: string; attribute: string; value: null }

/** DESIGN §2b: every method rejects with AttrkitError. */
export interface Analytics {
  setAttribute(request: SetAttributeRequest): Promise<SetAttributeResult>;
  setAttributes(request: SetAttributesRequest): Promise<SetAttributesResult>;
  /** This client's view (a publishable key cannot read the server). */
  getAttributes(request: { distinctId: string }): Promise<GetAttributesResult>;
  clearAttribute(request: { distinctId: string; attribute: string }): Promise<ClearAttributeResult>;
}

/** One write as the engine holds it (core/snapshot.h), as listed by inspect(). */
export interface EngineWrite {
  id: string;
  seq: number;
  unit: number;
  attribute: string;
  value: unknown;
  created: number;
  tries: number;
  epoch: number;
  /** Absent: made before any identify (held). */
  distinctId?: string;
  clientId?: string;
  /** Not validated yet: the workspace config is not known. */
  raw?: true;
  removeUnspecified?: true;
  inFlight: boolean;
}

/** The engine's inspect() document (core/engine.h), for consoles and debugging. Read-only: a
 * fresh copy on every call; its shape may grow. */
export interface EngineState {
  clientId: string;
  workspace?: string;
  configured: boolean;
  identity?: string;
  /** The error code that stopped delivery for this page (e.g. "invalid_key"). */
  stopped?: ErrorCode;
  nextSeq: number;
  /** This client's view of the current user (get user:attributes). */
  view: Record<string, unknown>;
  /** Waiting for the workspace config. */
  pending: EngineWrite[];
  /** Made before any identify. */
  held: EngineWrite[];
  outbox: EngineWrite[];
  /** The id of the batch in flight. */
  inFlight?: string;
  /** When the next retry is due, ms since the epoch. */
  retryAt?: number;
  openTickets: number;
}

export interface Client {
  /** Never rejects, never throws. Unknown or malformed commands resolve {ok: false}. */
  push(command: Command): Promise<PushResult>;
  analytics: Analytics;
  /** DESIGN §2c: the user context's id is the distinct id. */
  setAttribute(key: string, value: AttributeValue, user: { id: string }): Promise<SetAttributeResult>;
  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): Promise<PushResult<null>>;
  off<E extends EventName>(event: E, listener?: (payload: EventMap[E]) => void): Promise<PushResult<null>>;
  /** The engine's state, synchronously; null once closed. */
  inspect(): EngineState | null;
  /** Persists what is still queued, then stops timers, listeners and the core. */
  close(): void;
}

/** `window.attrkit` once dist/attrkit.js has loaded (before that: the snippet's array). If the
 * core could not load, push resolves {ok: false} and the rest rejects with "sdk_unavailable". */
export interface AttrkitQueue {
  push(...commands: Command[]): Promise<PushResult>;
  analytics: Analytics;
  setAttribute: Client["setAttribute"];
  inspect(): EngineState | null;
}

export declare function createClient(options: CreateClientOptions): Promise<Client>;
