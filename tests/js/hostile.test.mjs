// A hostile or broken page, in Node, against the REAL server and the npm entry (the package's
// "node" condition, dist/attrkit.node.mjs): prototype pollution before and after load, throwing
// getters and Proxy traps, cyclic / huge / deep values, BigInt, Symbol, functions, toJSON tricks,
// tight loops of pushes, callbacks that throw or push re-entrantly (issue #14; DESIGN §6).
// For each: nothing is thrown into the process, Object.prototype and the globals are unchanged,
// the result carries the right code, and a later valid write still reaches the server.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, afterEach, before, beforeEach, describe, test } from "node:test";

import { ARGUMENT_NAMES, NODE_FETCH_BREAKS, PLATFORM_NAMES, pollute, unpollute } from "../hostile/cases.mjs";
import { api, sdkDir, startServer } from "./helpers/server.mjs";

const dist = `${sdkDir}/attrkit.node.mjs`;
if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`node js/build.mjs\``);
const { createClient, AttrkitError } = await import(dist);

const EVERY = { ...ARGUMENT_NAMES, ...PLATFORM_NAMES, toJSON: () => "polluted" };
// What Node's fetch survives (NODE_FETCH_BREAKS: checked below, covered in Chromium).
const ALL = Object.fromEntries(Object.entries(EVERY).filter(([k]) => !NODE_FETCH_BREAKS.includes(k)));

let server;
const stored = async (id) =>
  (await api(server, "GET", `/api/v1/persons/${encodeURIComponent(id)}/attributes`, { key: server.secretKey })).body?.attributes;
async function until(fn, what, ms = 20000) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > end) throw new Error(`timed out: ${what} (last ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const keysOf = (o) => Reflect.ownKeys(o).map(String).sort();
const code = async (p) => {
  try {
    await p;
    return "resolved";
  } catch (e) {
    return e instanceof AttrkitError ? e.code : `not an AttrkitError: ${e}`;
  }
};

// Whatever reaches the process uncaught fails the test that was running.
const escaped = [];
const onEscape = (e) => escaped.push(String(e?.stack ?? e));
let protoKeys;
let globalKeys;
before(async () => {
  server = await startServer();
  // Node's first fetch adds undici's global dispatcher (a global symbol): before any test looks.
  await (await fetch(`${server.url}/healthz`)).text();
  process.on("uncaughtException", onEscape);
  process.on("unhandledRejection", onEscape);
});
after(async () => {
  process.off("uncaughtException", onEscape);
  process.off("unhandledRejection", onEscape);
  await server?.stop();
});
beforeEach(() => {
  escaped.length = 0;
  protoKeys = keysOf(Object.prototype);
  globalKeys = keysOf(globalThis);
});
afterEach(() => {
  unpollute(EVERY); // whatever happened, the next test starts clean
  assert.deepEqual(escaped, [], "nothing thrown into the process");
  assert.deepEqual(keysOf(Object.prototype), protoKeys, "Object.prototype unchanged");
  assert.deepEqual(keysOf(globalThis), globalKeys, "no global added or removed");
});

const options = () => ({ publicKey: server.publicKey, apiHost: server.url });

describe("prototype pollution", () => {
  test("before load: every name the SDK reads or hands to fetch, polluted at once", async () => {
    pollute(ALL);
    let client;
    let results;
    try {
      client = await createClient(options());
      results = {
        write: await client.analytics.setAttribute({ distinctId: "hp-before", attribute: "role", value: "Admin" }),
        noId: await code(client.analytics.setAttribute({ attribute: "role", value: "x" })),
        noIdMany: await code(client.analytics.setAttributes({ attributes: { role: "x" } })),
        ctx: await code(client.setAttribute("role", "x", {})),
        push: await client.push(["do", "identify", ["hp-before-2"]]).then(() => client.push(["set", "user:attributes", [{ plan: "Pro" }]])),
      };
    } finally {
      unpollute(ALL);
    }
    assert.deepEqual(results.write, { personId: results.write.personId, attribute: "role", value: "admin" });
    assert.equal(results.noId, "distinct_id_invalid", "an inherited distinctId names nobody");
    assert.equal(results.noIdMany, "distinct_id_invalid");
    assert.equal(results.ctx, "distinct_id_invalid", "an inherited context id names nobody");
    assert.equal(results.push.ok, true);
    await until(async () => (await stored("hp-before-2"))?.plan === "Pro", "push write stored");
    assert.deepEqual(await stored("hp-before"), { role: "admin" }, "removeUnspecified/refetch not inherited");
    assert.equal((await stored("polluted-person"))?.role, undefined, "nothing written to the inherited person");
    client.close();
  });

  test("after load: the same names polluted while the client runs", async () => {
    const client = await createClient(options());
    pollute(ALL);
    let r;
    try {
      r = {
        write: await client.analytics.setAttribute({ distinctId: "hp-after", attribute: "team_size", value: 12 }),
        noId: await code(client.analytics.setAttribute({ attribute: "role", value: "x" })),
        clear: await client.analytics.clearAttribute({ distinctId: "hp-after", attribute: "team_size" }),
        again: await client.analytics.setAttribute({ distinctId: "hp-after", attribute: "plan", value: "pro" }),
      };
    } finally {
      unpollute(ALL);
    }
    assert.equal(r.write.value, 12);
    assert.equal(r.noId, "distinct_id_invalid");
    assert.equal(r.clear.value, null);
    assert.equal(r.again.value, "Pro");
    assert.deepEqual(await stored("hp-after"), { plan: "Pro" });
    client.close();
  });
});

// At once (each waits ~1 s for its flush window); nothing here pollutes a shared prototype.
describe("hostile arguments and values", { concurrency: true }, () => {
  let client;
  before(async () => {
    client = await createClient(options());
    await client.push(["do", "identify", ["hp-values"]]);
  });
  after(() => client?.close());

  const thrower = () => {
    throw new Error("getter says no");
  };
  const trap = new Proxy({}, { get: thrower, has: thrower, ownKeys: thrower, getOwnPropertyDescriptor: thrower, getPrototypeOf: thrower });
  const cyclic = { a: 1 };
  cyclic.self = cyclic;
  const cyclicArray = ["x"];
  cyclicArray.push(cyclicArray);
  let deep = "leaf";
  for (let i = 0; i < 100000; i++) deep = [deep];
  const sparse = [];
  sparse[1e9] = "x";

  const cases = [
    ["throwing getter in the request", () => client.analytics.setAttribute(Object.defineProperty({}, "distinctId", { get: thrower, enumerable: true })), "invalid_command"],
    ["throwing getter in a value", () => client.analytics.setAttributes({ distinctId: "hp-values", attributes: Object.defineProperty({}, "role", { get: thrower, enumerable: true }) }), "invalid_command"],
    ["Proxy as the request", () => client.analytics.setAttribute(trap), "invalid_command"],
    ["Proxy as the attributes", () => client.analytics.setAttributes({ distinctId: "hp-values", attributes: trap }), "invalid_command"],
    ["Proxy as a context", () => client.setAttribute("role", "x", trap), "invalid_command"],
    ["cyclic object", () => client.analytics.setAttribute({ distinctId: "hp-values", attribute: "role", value: cyclic }), "attribute_value_invalid"],
    ["cyclic array", () => client.analytics.setAttribute({ distinctId: "hp-values", attribute: "topics", value: cyclicArray }), "attribute_value_invalid"],
    ["100,000 levels deep", () => client.analytics.setAttribute({ distinctId: "hp-values", attribute: "role", value: deep }), "attribute_value_invalid"],
    ["a[1e9] sparse array", () => client.analytics.setAttribute({ distinctId: "hp-values", attribute: "topics", value: sparse }), "attribute_value_invalid"],
    ["10 MB string", () => client.analytics.setAttribute({ distinctId: "hp-values", attribute: "name", value: "x".repeat(10_000_000) }), "attribute_value_too_long"],
    ["BigInt", () => client.analytics.setAttribute({ distinctId: "hp-values", attribute: "team_size", value: 10n }), "attribute_value_invalid"],
    ["Symbol", () => client.analytics.setAttribute({ distinctId: "hp-values", attribute: "role", value: Symbol("x") }), "attribute_value_invalid"],
    ["function", () => client.analytics.setAttribute({ distinctId: "hp-values", attribute: "role", value: () => "Pro" }), "attribute_value_invalid"],
    ["toJSON object", () => client.analytics.setAttribute({ distinctId: "hp-values", attribute: "role", value: { toJSON: () => "admin" } }), "attribute_value_invalid"],
    ["BigInt distinct id", () => client.analytics.setAttribute({ distinctId: 10n, attribute: "role", value: "x" }), "distinct_id_invalid"],
    ["Symbol attribute", () => client.analytics.setAttribute({ distinctId: "hp-values", attribute: Symbol("role"), value: "x" }), "attribute_not_defined"],
  ];
  cases.forEach(([name, run, want], i) => {
    test(`${name}: ${want}, and a later write still arrives`, async () => {
      assert.equal(await code(run()), want);
      const id = `hp-values-${i}`; // the cases run at once: one person each
      await client.analytics.setAttribute({ distinctId: id, attribute: "name", value: name });
      assert.equal((await stored(id)).name, name);
    });
  });

  test("push with hostile commands resolves {ok: false}, never throws", async () => {
    const results = await Promise.all([
      client.push(trap),
      client.push(["set", "user:attributes", [trap]]),
      client.push(["set", "user:attributes", [{ name: cyclic }]]),
      client.push(["set", "user:attributes", [{ team_size: 10n }]]),
      client.push(["set", Symbol("x"), []]),
      client.push([() => {}, "x"]),
      client.push(deep),
    ]);
    assert.deepEqual(results.map((r) => r.ok), results.map(() => false));
    assert.deepEqual(results.map((r) => r.error.code), [
      "invalid_command", "invalid_command", "attribute_value_invalid", "attribute_value_invalid",
      "invalid_command", "invalid_command", "invalid_command",
    ]);
    assert.deepEqual(await client.push(["set", "user:attributes", [{ plan: "Pro" }]]), { ok: true, value: { plan: "Pro" } });
    await until(async () => (await stored("hp-values"))?.plan === "Pro", "plan stored");
  });
});

describe("loops and callbacks", () => {
  test("a tight loop of 20,000 pushes: all resolve, the last value is stored", async () => {
    const client = await createClient(options());
    await client.push(["do", "identify", ["hp-loop"]]);
    const all = [];
    for (let i = 0; i < 20000; i++) all.push(client.push(["set", "user:attributes", [{ name: `r${i}` }]]));
    const r = await Promise.all(all);
    assert.deepEqual(r.filter((x) => !x.ok).map((x) => x.error.code), []);
    await until(async () => (await stored("hp-loop"))?.name === "r19999", "last name stored");
    client.close();
  });

  test("callbacks that throw or push re-entrantly: the SDK carries on, in order", async () => {
    const client = await createClient(options());
    const reported = [];
    const origError = console.error;
    const origReport = globalThis.reportError;
    // Node has reportError in recent versions; either way the listener's error is reported, not thrown.
    globalThis.reportError = (e) => reported.push(e.message);
    console.error = (e) => reported.push(e?.message ?? String(e));
    try {
      let pushed = 0;
      await client.push(["on", "identified", [() => {
        throw new Error("listener boom");
      }]]);
      await client.push(["on", "delivered", [(ev) => {
        // Each delivery of role, then of team_size, pushes the next team_size (a chain of 3).
        if ((ev.attribute === "role" || ev.attribute === "team_size") && pushed < 3) client.push(["set", "user:attributes", [{ team_size: ++pushed }]]);
        throw new Error("delivered boom");
      }]]);
      const id = await client.push(["do", "identify", ["hp-cb", () => {
        client.push(["set", "user:attributes", [{ plan: "Pro" }]]); // re-entrant, from the callback
        throw new Error("callback boom");
      }]]);
      assert.equal(id.ok, true);
      await client.push(["set", "user:attributes", [{ role: "admin" }]]);
      await until(async () => {
        const s = await stored("hp-cb");
        return s?.team_size === 3 && s?.plan === "Pro" && s?.role === "admin";
      }, "writes from the callbacks stored");
    } finally {
      console.error = origError;
      if (origReport === undefined) delete globalThis.reportError;
      else globalThis.reportError = origReport;
    }
    assert.ok(reported.includes("listener boom"));
    assert.ok(reported.includes("callback boom"));
    assert.ok(reported.includes("delivered boom"));
    client.close();
  });
});
