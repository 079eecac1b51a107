// The public client: the three call shapes of DESIGN §2 over one Runtime. createClientWith is
// shared by the npm entry (index.js) and the script-tag entry (script.js); each passes its own
// way of loading the core.
import { AttrkitError, invalidCommand, toError } from "./errors.js";
import { earlyConfig } from "./early_config.js";
import { own as ownField, put } from "./own.js";
import { Runtime } from "./runtime.js";

/** Loads the core, runs init, waits for the first config answer. Rejects with AttrkitError
 * (secret_key_in_browser, invalid_key, invalid_api_host) when init fails: nothing is sent then;
 * and with the config request's error when it fails for good (401 invalid_key: docs/sdk.md). */
export async function createClientWith(loadCore, options) {
  // The core's download and compile start first: without the release snippet, the .wasm is the
  // longest wait of a start (docs/sdk.md "Start sequence"). loadCore() also runs the glue's setup
  // before it returns; the config request leaves then, still long before the core has loaded.
  const loading = loadCore();
  const early = earlyConfig(options);
  const rt = new Runtime(await loading, { early });
  const r = await rt.push(["do", "init", [options]]);
  if (!r.ok) {
    rt.close();
    throw r.error;
  }
  // The first config answer, or the cached copy applied before it (ready before the network).
  await Promise.race([rt.firstConfig, rt.configured.catch(() => {})]);
  if (rt.failure) {
    rt.close();
    throw rt.failure;
  }
  return makeClient(rt);
}

export function makeClient(rt) {
  // Reads caller-supplied fields once; a throwing getter becomes invalid_command.
  const guarded = (fn) => async (...a) => {
    try {
      return await fn(...a);
    } catch (e) {
      throw e instanceof AttrkitError ? e : invalidCommand("attrkit: the arguments could not be read");
    }
  };
  const settled = async (pending) => {
    const r = await pending;
    if (!r.ok) throw r.error;
    return r.value;
  };
  const write = (distinctId, attributes) => settled(rt.write({ distinctId, attributes }));
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
    // A publishable key cannot read the server (DESIGN §6): what this client believes is stored
    // for that person instead (the engine's answer), see docs/sdk.md.
    getAttributes: guarded(async (req) => {
      const [distinctId] = fields(req, "distinctId");
      checkId(distinctId);
      const out = {};
      const known = rt.believed(distinctId);
      for (const k of Object.keys(known)) put(out, k, known[k]);
      return { distinctId, attributes: out };
    }),
    // A write of kind clear in the outbox: ordered with that person's writes, retried, persisted.
    clearAttribute: guarded(async (req) => {
      const [distinctId, attribute] = fields(req, "distinctId", "attribute");
      const v = await settled(rt.clear({ distinctId, attribute }));
      return { personId: v.personId, attribute: v.attribute, value: null };
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

// Own properties only (DESIGN §6): an inherited Object.prototype.distinctId names nobody.
const fields = (req, ...names) => names.map((n) => ownField(req, n));
