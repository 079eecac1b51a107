// Failures a developer can see (issue 11; docs/sdk.md "When delivery stops", "Re-init", "Consent
// and persistence", "Debug"), in Node against a REAL server (and the fault proxy where a fault is
// needed): no Promise left pending when the key is refused or writes are disabled, consent holding
// every request until granted, re-init after a failed init, and the debug lines.
// fetch is wrapped to COUNT requests (observing, not mocking); console is wrapped to record lines.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { makeClient } from "../../js/src/client.js";
import { Runtime } from "../../js/src/runtime.js";
import { loadTestCore } from "./helpers/core.mjs";
import { loadSdk, startBackend, storedAttributes, until } from "./helpers/delivery.mjs";
import { api, startServer } from "./helpers/server.mjs";

const { createClient, AttrkitError } = await loadSdk();

const requests = [];
const realFetch = globalThis.fetch;
globalThis.fetch = (url, init) => {
  requests.push(`${init?.method ?? "GET"} ${new URL(url).pathname}`);
  return realFetch(url, init);
};
const CONFIG = "GET /api/v1/sdk/config";
const BATCH = "POST /api/v1/attributes/values/batch";
const count = (what, from = 0) => requests.slice(from).filter((r) => r === what).length;

// Console lines while `fn` runs: [level, text].
async function captureConsole(fn) {
  const lines = [];
  const saved = {};
  for (const level of ["debug", "info", "warn", "log", "error"]) {
    saved[level] = console[level];
    console[level] = (...a) => lines.push([level, a.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join(" ")]);
  }
  try {
    await fn(lines);
  } finally {
    Object.assign(console, saved);
  }
  return lines;
}

// A push-queue client over the real Wasm core (what the script tag builds), so commands can be
// pushed before init answered.
async function pushClient() {
  return makeClient(new Runtime(await loadTestCore()));
}

const UNKNOWN_KEY = `pk_live_${"u".repeat(32)}`;

describe("delivery stops: nothing left pending", () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(async () => server?.stop());

  test("a wrong pk_ key: createClient rejects invalid_key, with one warning", async () => {
    const from = requests.length;
    let err;
    const lines = await captureConsole(async () => {
      err = await createClient({ publicKey: UNKNOWN_KEY, apiHost: server.url }).then(() => null, (e) => e);
    });
    assert.ok(err instanceof AttrkitError);
    assert.equal(err.code, "invalid_key");
    assert.equal(err.status, 401);
    assert.equal(count(CONFIG, from), 1, "exactly one config request");
    assert.equal(count(BATCH, from), 0);
    const warnings = lines.filter(([l]) => l === "warn");
    assert.equal(warnings.length, 1, JSON.stringify(lines));
    assert.match(warnings[0][1], /invalid_key/);
  });

  test("a wrong pk_ key: every queued push and every later call resolves {ok: false, invalid_key}", async () => {
    const c = await pushClient();
    const from = requests.length;
    const errors = [];
    c.on("error", (e) => errors.push(e));
    const init = c.push(["do", "init", [{ publicKey: UNKNOWN_KEY, apiHost: server.url }]]);
    const queued = [
      c.push(["set", "user:name", ["Held before identify"]]),
      c.push(["do", "identify", ["user-401"]]),
      c.push(["set", "user:attributes", [{ plan: "Pro" }]]),
      c.push(["set", "user:attributes", [{ team_size: 3 }, { refetchBoosted: true }]]),
      c.push(["get", "user:attributes", []]),
    ];
    assert.deepEqual(await init, { ok: true, value: null }, "init itself is well formed");
    const started = Date.now();
    const results = await Promise.all(queued);
    assert.ok(Date.now() - started < 5000, "settled within a few seconds");
    for (const i of [0, 2, 3]) {
      assert.equal(results[i].ok, false, JSON.stringify(results[i]));
      assert.equal(results[i].error.code, "invalid_key");
      assert.equal(results[i].error.status, 401);
    }
    assert.equal(results[1].ok, true, "identify is not a write");
    assert.equal(results[4].ok, true, "get answers the view");
    const later = await c.push(["set", "user:attributes", [{ plan: "Free" }]]);
    assert.equal(later.error.code, "invalid_key");
    const later2 = await c.analytics.setAttribute({ distinctId: "user-401", attribute: "plan", value: "Pro" }).catch((e) => e);
    assert.equal(later2.code, "invalid_key");
    const clear = await c.analytics.clearAttribute({ distinctId: "user-401", attribute: "plan" }).catch((e) => e);
    assert.equal(clear.code, "invalid_key", "a clear waiting for the config rejects too");
    // One event for what was waiting; one each for the later calls (every failure has one).
    assert.equal(errors.filter((e) => e.writeIds?.length === 3).length, 1);
    assert.equal(count(CONFIG, from), 1);
    assert.equal(count(BATCH, from), 0);
    assert.equal(c.inspect().stopped, "invalid_key");
    c.close();
  });

  test("writes disabled: queued pushes and later calls fail with 403, createClient resolves", async () => {
    const off = await api(server, "PUT", "/api/v1/workspace/settings", { key: server.secretKey, body: { clientAttributeWrites: false } });
    assert.equal(off.status, 200);
    try {
      const c = await pushClient();
      const from = requests.length;
      let results;
      const lines = await captureConsole(async () => {
        c.push(["do", "init", [{ publicKey: server.publicKey, apiHost: server.url }]]);
        c.push(["do", "identify", ["user-403"]]);
        results = await Promise.all([
          c.push(["set", "user:attributes", [{ plan: "Pro" }]]),
          c.push(["set", "user:attributes", [{ role: "admin" }, { refetchBoosted: true }]]),
        ]);
        const later = await c.push(["set", "user:name", ["Sam"]]);
        results.push(later);
      });
      for (const r of results) {
        assert.equal(r.ok, false);
        assert.equal(r.error.code, "client_attribute_writes_disabled");
        assert.equal(r.error.status, 403);
      }
      assert.equal(count(BATCH, from), 0);
      assert.equal(lines.filter(([l, t]) => l === "warn" && /disabled/.test(t)).length, 1, JSON.stringify(lines));
      c.close();

      const npm = await createClient({ publicKey: server.publicKey, apiHost: server.url });
      const err = await npm.analytics.setAttribute({ distinctId: "user-403", attribute: "plan", value: "Pro" }).catch((e) => e);
      assert.equal(err.code, "client_attribute_writes_disabled");
      npm.close();
    } finally {
      await api(server, "PUT", "/api/v1/workspace/settings", { key: server.secretKey, body: { clientAttributeWrites: true } });
    }
  });

  test("writes disabled while the page runs: one 403 batch, then everything fails with it", async () => {
    const c = await createClient({ publicKey: server.publicKey, apiHost: server.url });
    const from = requests.length;
    await api(server, "PUT", "/api/v1/workspace/settings", { key: server.secretKey, body: { clientAttributeWrites: false } });
    try {
      const results = await Promise.all([
        c.analytics.setAttribute({ distinctId: "user-403b", attribute: "plan", value: "Pro" }).catch((e) => e),
        c.analytics.setAttribute({ distinctId: "user-403b", attribute: "role", value: "admin" }).catch((e) => e),
      ]);
      for (const e of results) assert.equal(e.code, "client_attribute_writes_disabled");
      const later = await c.push(["set", "user:attributes", [{ plan: "Free" }]]);
      assert.equal(later.ok, false);
      assert.equal(count(BATCH, from), 1, "exactly one request");
    } finally {
      await api(server, "PUT", "/api/v1/workspace/settings", { key: server.secretKey, body: { clientAttributeWrites: true } });
    }
    c.close();
  });
});

describe("consent", () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(async () => server?.stop());

  test("pending: no request until granted, then the held writes arrive once", async () => {
    const from = requests.length;
    const c = await createClient({ publicKey: server.publicKey, apiHost: server.url, consent: "pending" });
    const delivered = [];
    c.on("delivered", (d) => delivered.push(d));
    c.push(["do", "identify", ["user-consent"]]);
    const held = c.push(["set", "user:attributes", [{ plan: "Pro", team_size: 4 }]]);
    const boosted = c.analytics.setAttribute({ distinctId: "user-consent", attribute: "role", value: "admin" });
    await new Promise((r) => setTimeout(r, 1500)); // more than a flush window
    assert.equal(requests.length, from, "nothing left the page while consent is pending");
    assert.equal(c.inspect().pending.length, 3);

    assert.deepEqual(await c.push(["do", "consent", ["granted"]]), { ok: true, value: null });
    assert.deepEqual(await held, { ok: true, value: { plan: "Pro", team_size: 4 } });
    assert.equal((await boosted).value, "admin");
    await until(() => delivered.length === 3, "three deliveries");
    assert.deepEqual(await storedAttributes(server, "user-consent"), { plan: "Pro", team_size: 4, role: "admin" });
    assert.equal(count(CONFIG, from), 1);
    assert.equal(delivered.length, 3, "each write once");
    c.close();
  });

  test("denied: what waits is discarded with one consent_denied event; nothing is sent", async () => {
    const from = requests.length;
    const c = await pushClient();
    const errors = [];
    c.on("error", (e) => errors.push(e));
    let results, denied;
    const lines = await captureConsole(async () => {
      c.push(["do", "init", [{ publicKey: server.publicKey, apiHost: server.url, consent: "pending" }]]);
      c.push(["do", "identify", ["user-denied"]]);
      const a = c.push(["set", "user:attributes", [{ plan: "Pro" }]]);
      const b = c.push(["set", "user:name", ["Sam"]]);
      denied = await c.push(["do", "consent", ["denied"]]);
      results = await Promise.all([a, b]);
    });
    assert.deepEqual(denied, { ok: true, value: null });
    for (const r of results) assert.equal(r.error.code, "consent_denied");
    assert.equal(errors.length, 1);
    assert.equal(errors[0].code, "consent_denied");
    assert.equal(errors[0].writeIds.length, 2);
    assert.equal(lines.filter(([l]) => l === "warn").length, 1, "one warning, debug off");
    const later = await c.push(["set", "user:attributes", [{ plan: "Free" }]]);
    assert.equal(later.error.code, "consent_denied");
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(requests.length, from, "nothing was ever sent");
    // Granted later: writes from then on go.
    await c.push(["do", "consent", ["granted"]]);
    const r = await c.push(["set", "user:attributes", [{ plan: "Growth" }, true]]);
    assert.deepEqual(r, { ok: true, value: { plan: "Growth" } });
    assert.deepEqual(await storedAttributes(server, "user-denied"), { plan: "Growth" });
    c.close();
  });

  test("a bad consent value is a failed init, and says which setting", async () => {
    const err = await createClient({ publicKey: server.publicKey, apiHost: server.url, consent: "yes" }).catch((e) => e);
    assert.equal(err.code, "invalid_command");
    assert.match(err.message, /consent/);
  });
});

describe("re-init", () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(async () => server?.stop());

  test("a failed init leaves the SDK uninitialised; a corrected init stores the value", async () => {
    const c = await pushClient();
    const from = requests.length;
    const bad = await c.push(["do", "init", [{ publicKey: "pk_live_typo", apiHost: server.url }]]);
    assert.equal(bad.error.code, "invalid_key");
    const badHost = await c.push(["do", "init", [{ publicKey: server.publicKey, apiHost: "http://api.example.com" }]]);
    assert.equal(badHost.error.code, "invalid_api_host");
    c.push(["do", "identify", ["user-reinit"]]);
    const held = c.push(["set", "user:attributes", [{ plan: "Pro" }, true]]);
    assert.equal(requests.length, from, "nothing sent after a failed init");
    assert.equal(c.inspect().stopped, undefined);
    assert.deepEqual(await c.push(["do", "init", [{ publicKey: server.publicKey, apiHost: server.url }]]), { ok: true, value: null });
    assert.deepEqual(await held, { ok: true, value: { plan: "Pro" } });
    assert.deepEqual(await storedAttributes(server, "user-reinit"), { plan: "Pro" });
    c.close();
  });

  test("an sk_ key still stops the page for good", async () => {
    const c = await pushClient();
    const r = await c.push(["do", "init", [{ publicKey: server.secretKey, apiHost: server.url }]]);
    assert.equal(r.error.code, "secret_key_in_browser");
    const again = await c.push(["do", "init", [{ publicKey: server.publicKey, apiHost: server.url }]]);
    assert.equal(again.error.code, "secret_key_in_browser");
    c.close();
  });
});

describe("debug", () => {
  let backend;
  before(async () => {
    backend = await startBackend({ faults: [] });
  });
  after(async () => backend?.stop());

  test("debug: true logs commands, failures with their message, batches, responses, retries, stops", async () => {
    const { proxy, init, server } = backend;
    let c;
    const lines = await captureConsole(async () => {
      c = await createClient({ ...init, debug: true });
      await c.push(["do", "identify", ["user-debug"]]);
      await c.push(["set", "user:attributes", [{ plan: "Platinum" }]]); // refused locally
      proxy.script(1, { do: "status", status: 503 });
      const r = await c.push(["set", "user:attributes", [{ plan: "Pro" }, true]]); // 503, then stored
      assert.equal(r.ok, true);
      proxy.script(1, { do: "key", key: UNKNOWN_KEY }); // a real 401 from the server
      const s = await c.push(["set", "user:attributes", [{ plan: "Free" }, true]]);
      assert.equal(s.error.code, "invalid_key");
    });
    const text = lines.map(([l, t]) => `${l} ${t}`);
    const has = (re, what) => assert.ok(text.some((t) => re.test(t)), `${what}: ${re}\n${text.join("\n")}`);
    assert.ok(lines.filter(([, t]) => !t.startsWith("[attrkit]") && !t.startsWith("attrkit:")).length === 0);
    has(/^debug \[attrkit\] command \["do","identify"/, "a command");
    has(/^warn \[attrkit\] .*attribute_value_invalid: plan: \S/, "a validation failure with its message");
    has(/^debug \[attrkit\] batch \S+: 1 write\(s\), \d+ B, attempt 1/, "a batch cut");
    has(/^debug \[attrkit\] batch \S+ response: 503/, "a response");
    has(/^warn \[attrkit\] batch \S+: retry, next try in \d+ ms/, "a retry with its delay");
    has(/^debug \[attrkit\] batch \S+ response: 200/, "a success response");
    has(/^info \[attrkit\] batch \S+: delivered/, "an outcome");
    has(/^warn \[attrkit\] batch \S+: delivery stopped for this page \(invalid_key\)/, "a stop");
    has(/^info \[attrkit\] config /, "the config");
    assert.deepEqual(await storedAttributes(server, "user-debug"), { plan: "Pro" });
    c.close();
  });

  test("without debug nothing is logged for validation failures; do debug turns it on and off", async () => {
    const { init } = backend;
    let c;
    const quiet = await captureConsole(async () => {
      c = await createClient(init);
      await c.push(["do", "identify", ["user-quiet"]]);
      await c.push(["set", "user:attributes", [{ plan: "Platinum" }]]);
    });
    assert.deepEqual(quiet, []);
    const loud = await captureConsole(async () => {
      assert.deepEqual(await c.push(["do", "debug", [true]]), { ok: true, value: null });
      await c.push(["set", "user:attributes", [{ team_size: 0 }]]);
      await c.push(["do", "debug", [false]]);
      await c.push(["set", "user:attributes", [{ plan: "Platinum" }]]);
    });
    assert.ok(loud.some(([l, t]) => l === "warn" && /attribute_value_invalid: team_size: /.test(t)), JSON.stringify(loud));
    assert.ok(!loud.some(([, t]) => /Platinum|plan:/.test(t)), "nothing after debug off");
    c.close();
  });
});
