// The ids and names attrkit keeps in the browser: this install's client id, a running instance's
// id, and the localStorage keys and Web Lock names built from them (docs/sdk.md "Persistence").
// Every key and lock name starts with PREFIX, so nothing else on the origin is ever read.

export const PREFIX = "attrkit:v1:";
/** The cached config (config_fetch.js). */
export const CONFIG_KEY = `${PREFIX}config`;
/** The lock under which one tab at a time adopts stored states (stored_state.js). */
export const ADOPT_LOCK = `${PREFIX}adopt`;
const CLIENT_KEY = `${PREFIX}client`;
// One key per running SDK instance: `${STATE}${instance}:${workspace}`.
const STATE = `${PREFIX}s:`;
const INSTANCE_CHARS = 10;

/** A new id for one running SDK instance (one page load, one tab). */
export const instanceId = () => randomId(INSTANCE_CHARS);

/** The key of an instance's stored state for a workspace. */
export const stateKey = (instance, workspace) => `${STATE}${instance}:${workspace}`;

/** The Web Lock an instance holds while its stored state has writes. */
export const instanceLock = (instance) => PREFIX + instance;

/** The key the earlier versions stored a workspace's one state under. */
export const legacyStateKey = (workspace) => PREFIX + workspace;

/** A new id for one browser install: kept in memory until storage may be written. */
export const newClientId = () => randomId(16);

/** The install's stored id (DESIGN §7 clientId, kept across pages and workspaces); where none is
 * stored yet, `current` (the id this page used so far) becomes it. */
export function clientId(storage, current) {
  const id = storage.get(CLIENT_KEY);
  if (typeof id === "string" && /^[a-z0-9]{16}$/.test(id)) return id;
  storage.set(CLIENT_KEY, current);
  return current;
}

/** Forgets the install's id (consent denied). */
export const forgetClientId = (storage) => storage.remove(CLIENT_KEY);

function randomId(n) {
  const bytes = new Uint8Array(n);
  if (globalThis.crypto?.getRandomValues) crypto.getRandomValues(bytes);
  else for (let i = 0; i < n; i++) bytes[i] = Math.random() * 256;
  return Array.from(bytes, (b) => (b % 36).toString(36)).join("");
}

// The instance of a state key of `workspace`, or null for any other key.
export function instanceOf(key, workspace) {
  const n = STATE.length;
  const ok = key.length === n + INSTANCE_CHARS + 1 + workspace.length && key.startsWith(STATE) &&
    key[n + INSTANCE_CHARS] === ":" && key.endsWith(workspace);
  return ok ? key.slice(n, n + INSTANCE_CHARS) : null;
}

// FNV-1a: tells cached configs of different keys apart without storing a key.
export function hash(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}
