// The public client: the three call shapes of DESIGN §2 over one Runtime. createClientWith is
// shared by the npm entry (index.js) and the script-tag entry (script.js); each passes its own
// way of loading the core.
import { AttrkitError, invalidCommand, toError } from "./errors.js";
import { own as ownField } from "./own.js";
import { request } from "./transport.js";
import { Runtime } from "./runtime.js";

/** Loads the core, runs init, waits for the first config answer. Rejects with AttrkitError
 * (secret_key_in_browser, invalid_key, invalid_api_host) when init fails: nothing is sent then;
 * and with the config request's error when it fails for good (401 invalid_key: docs/sdk.md). */
export async function createClientWith(loadCore, options) {
  const rt = new Runtime(await loadCore());
  const r = await rt.push(["do", "init", [options]]);
  if (!r.ok) {
    rt.close();
    throw r.error;
  }
  await rt.firstConfig;
  if (rt.failure) {
    rt.close();
    throw rt.failure;
  }
  return makeClient(rt);
}

export function makeClient(rt) {
  const gates = new Map(); // distinctId -> Promise of the last clearAttribute queued for it
  const gate = (id) => gates.get(id);

  // Reads caller-supplied fields once; a throwing getter becomes invalid_command.
  const guarded = (fn) => async (...a) => {
    try {
      return await fn(...a);
    } catch (e) {
      throw e instanceof AttrkitError ? e : invalidCommand("attrkit: the arguments could not be read");
    }
  };
  const write = async (distinctId, attributes) => {
    await gate(distinctId);
    const r = await rt.write({ distinctId, attributes });
    if (!r.ok) throw r.error;
    return r.value;
  };
  const checkId = (distinctId) => {
    const v = rt.core.validateDistinctId(distinctId);
    if (!v.ok) throw toError(v.error);
  };

  const analytics = {
    setAttribute: guarded(async (req) => {
      const [distinctId, attribute, value] = fields(req, "distinctId", "attribute", "value");
      const key = typeof attribute === "string" ? attribute : "";
      const v = await write(distinctId, { [key]: value });
      return { personId: v.personId, attribute: key, value: v.attributes[key] };
    }),
    setAttributes: guarded(async (req) => {
      const [distinctId, attributes] = fields(req, "distinctId", "attributes");
      const v = await write(distinctId, attributes);
      return { personId: v.personId, attributes: v.attributes };
    }),
    // A publishable key cannot read the server (DESIGN §6): this client's view instead, see
    // docs/sdk.md. Waits for a clearAttribute queued for the same person.
    getAttributes: guarded(async (req) => {
      const [distinctId] = fields(req, "distinctId");
      checkId(distinctId);
      await gate(distinctId);
      const out = {};
      for (const [k, v] of rt.delivered.get(distinctId) ?? []) own(out, k, v);
      if (rt.identity() === distinctId) {
        const r = await rt.push(["get", "user:attributes", []]);
        if (r.ok) for (const k of Object.keys(r.value)) own(out, k, r.value[k]);
      }
      return { distinctId, attributes: out };
    }),
    clearAttribute: guarded((req) => {
      const [distinctId, attribute] = fields(req, "distinctId", "attribute");
      const p = Promise.resolve(gate(distinctId)).then(() => clear(rt, distinctId, attribute));
      const settled = p.catch(() => {});
      gates.set(distinctId, settled);
      settled.then(() => gates.get(distinctId) === settled && gates.delete(distinctId));
      return p;
    }),
  };

  return {
    push: (...commands) => {
      let last;
      for (const cmd of commands.length ? commands : [undefined]) last = rt.push(cmd);
      return last;
    },
    analytics,
    // DESIGN §2c: key, value, and a user context whose id is the distinct id.
    setAttribute: guarded((key, value, context) =>
      analytics.setAttribute({ distinctId: ownField(context, "id"), attribute: key, value })),
    on: (event, fn) => rt.push(["on", event, [fn]]),
    off: (event, fn) => rt.push(fn === undefined ? ["off", event, []] : ["off", event, [fn]]),
    /** The engine's inspect() document (core/engine.h), synchronous; null once closed. */
    inspect: () => rt.inspect(),
    /** Persists what is still queued and stops timers, listeners and the core. */
    close: () => rt.close(),
  };
}

// DELETE once every earlier write for that person left the engine (DESIGN §2b; docs/sdk.md).
async function clear(rt, distinctId, attribute) {
  const v = rt.core.validateDistinctId(distinctId);
  if (!v.ok) throw toError(v.error);
  if (rt.consent === "denied") throw toError({ code: "consent_denied", message: "attrkit: consent was denied", attribute });
  await rt.configured; // rejects when delivery stopped for the page
  const key = typeof attribute === "string" ? attribute : "";
  const check = rt.core.validateClear(rt.config, key);
  if (!check.ok) throw toError({ ...check.error, attribute: key });
  await rt.drained(distinctId);
  if (rt.closed) throw invalidCommand("attrkit: the client is closed");
  const r = await request("DELETE", `${rt.options.apiHost}/api/v1/attributes/values`, rt.options.publicKey,
    { body: { distinctId, attribute: key }, timeoutMs: rt.limits.requestTimeoutMs });
  if (r.status === 200 && r.body) {
    rt.delivered.get(distinctId)?.delete(key);
    return { personId: r.body.personId, attribute: key, value: null };
  }
  if (r.status) throw toError(r.body?.error ?? { code: "server_error", status: r.status, attribute: key });
  throw toError({ code: "delivery_failed", status: 0, message: "attrkit: the server could not be reached", attribute: key });
}

// A call's arguments, by own property only (DESIGN §6): an inherited distinctId names nobody.
const fields = (req, ...names) => names.map((n) => ownField(req, n));

// Defines (never assigns) so a "__proto__" attribute stays an ordinary key.
function own(obj, key, value) {
  Object.defineProperty(obj, key, { __proto__: null, value, enumerable: true, writable: true, configurable: true });
}
