// The config request started before the core is loaded (docs/sdk.md "Start sequence"): the
// request for GET /api/v1/sdk/config need not wait for the .wasm to download and compile. It is
// started only for options that are plainly what the core accepts: a publishable key (pk_live_...,
// so never a secret key) and an API host already in the core's normalised form (https, or http on
// loopback; no path), with consent granted (the default) and storage allowed for the cached ETag
// (persistence "localStorage", the default); never when consent is pending or denied (DESIGN §2a:
// nothing is sent then). The core still validates init and decides; fetchConfig uses this answer
// only when the options the core returned are exactly these, and otherwise discards it.
import { CONFIG_KEY, hash } from "./ids.js";
import { openStorage, readJson } from "./storage.js";
import { request } from "./transport.js";

const KEY = /^pk_live_[A-Za-z0-9]{8,200}$/;
const HOST = /^(https:\/\/[a-z0-9-]+(\.[a-z0-9-]+)*|http:\/\/(localhost|127(\.\d{1,3}){3}))(:\d{1,5})?$/;
// The core's requestTimeoutMs (DESIGN §5): the core's constants are not known yet.
const TIMEOUT_MS = 10_000;

// An own data property (no getter runs, nothing inherited from Object.prototype is read).
function own(o, name) {
  try {
    const d = Object.getOwnPropertyDescriptor(o, name);
    return d && "value" in d ? d.value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts the config request for init `options` when they are clearly allowed; null otherwise.
 * Returns {publicKey, apiHost, etag, response: Promise<outcome>} (transport.js outcome).
 */
export function earlyConfig(options) {
  if (options === null || typeof options !== "object") return null;
  const publicKey = own(options, "publicKey");
  const apiHost = own(options, "apiHost");
  if (typeof publicKey !== "string" || typeof apiHost !== "string" || !KEY.test(publicKey) || !HOST.test(apiHost)) return null;
  const consent = own(options, "consent");
  const persistence = own(options, "persistence");
  if ((consent !== undefined && consent !== "granted") || (persistence !== undefined && persistence !== "localStorage")) return null;
  const storage = openStorage();
  storage.enable(); // read only: the ETag of the cached config, as the runtime will read it
  const cached = readJson(storage.get(CONFIG_KEY));
  const etag = cached && cached.id === `${apiHost} ${hash(publicKey)}` && cached.config ? cached.etag : undefined;
  const response = request("GET", `${apiHost}/api/v1/sdk/config`, publicKey, { etag, timeoutMs: TIMEOUT_MS });
  return { publicKey, apiHost, etag, response };
}
