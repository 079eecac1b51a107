// The npm API (js/dist/attrkit.node.mjs, the package in Node; built by `node js/build.mjs`) against a REAL attrkit-server:
// the Promise API and the user-context call with their exact results, what reached the server
// (read back with the secret key), local failures that send nothing (fetch is wrapped to COUNT
// requests, which is observing, not mocking), and the key and apiHost rules of DESIGN §6.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, test } from "node:test";

import { api, sdkDir, startServer } from "./helpers/server.mjs";

const dist = `${sdkDir}/attrkit.node.mjs`; // what Node resolves "attrkit" to (the exports "node" condition)
if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`node js/build.mjs\``);
const { createClient, AttrkitError } = await import(dist);

// Every request the SDK makes, by "METHOD path".
const requests = [];
const realFetch = globalThis.fetch;
globalThis.fetch = (url, init) => {
  requests.push(`${init?.method ?? "GET"} ${new URL(url).pathname}`);
  return realFetch(url, init);
};
const count = (what) => requests.filter((r) => r === what).length;
const BATCH = "POST /api/v1/attributes/values/batch";

async function rejects(promise, code, status, attribute, message) {
  const err = await promise.then(
    (v) => assert.fail(`resolved ${JSON.stringify(v)}`),
    (e) => e,
  );
  assert.ok(err instanceof AttrkitError, `an AttrkitError, got ${err}`);
  assert.equal(err.code, code);
  assert.equal(err.status, status);
  if (attribute !== undefined) assert.equal(err.attribute, attribute);
  if (message !== undefined) assert.equal(err.message, message);
  return err;
}

describe("npm client against the server", () => {
  let server, client;
  const stored = async (id) => (await api(server, "GET", `/api/v1/persons/${encodeURIComponent(id)}/attributes`, { key: server.secretKey })).body;
  before(async () => {
    server = await startServer();
    client = await createClient({ publicKey: server.publicKey, apiHost: server.url });
  });
  after(async () => {
    client?.close();
    await server?.stop();
  });

  test("setAttribute resolves with the stored, normalised value", async () => {
    const r = await client.analytics.setAttribute({ distinctId: "user-1", attribute: "persona", value: "Teacher" });
    assert.deepEqual(Object.keys(r).sort(), ["attribute", "personId", "value"]);
    assert.equal(r.attribute, "persona");
    assert.equal(r.value, "teacher");
    const s = await stored("user-1");
    assert.equal(s.personId, r.personId);
    assert.equal(s.attributes.persona, "teacher");
  });

  test("setAttributes stores every value, normalised", async () => {
    const r = await client.analytics.setAttributes({
      distinctId: "user-2", attributes: { plan: "pro", team_size: "12", signup_date: "2024-06-15T10:00:00+02:00", topics: ["Math", "art", "math"] },
    });
    assert.deepEqual(r.attributes, { plan: "Pro", team_size: 12, signup_date: "2024-06-15T08:00:00.000Z", topics: ["math", "art"] });
    assert.deepEqual((await stored("user-2")).attributes, r.attributes);
  });

  test("the user-context call writes for context.id", async () => {
    const r = await client.setAttribute("subscription_status", "premium", { id: "user-123" });
    assert.equal(r.value, "premium");
    assert.equal((await stored("user-123")).attributes.subscription_status, "premium");
  });

  test("local validation failures reject at once, with no request", async () => {
    const before = requests.length;
    await rejects(client.analytics.setAttribute({ distinctId: "user-1", attribute: "plan", value: "Platinum" }), "attribute_value_invalid", 400, "plan",
      'plan: "Platinum" is not one of Free, Starter, Pro, Growth, Enterprise');
    await rejects(client.analytics.setAttribute({ distinctId: "user-1", attribute: "nope", value: 1 }), "attribute_not_defined", 400, "nope",
      '"nope" is not a declared attribute');
    await rejects(client.analytics.setAttribute({ distinctId: "user-1", attribute: "legacy_segment", value: "x" }), "attribute_archived", 400);
    await rejects(client.analytics.setAttribute({ distinctId: "user-1", attribute: "team_size", value: 1.5 }), "attribute_value_invalid", 400, "team_size",
      "team_size: 1.5 is not a whole number");
    // The value is echoed cut to 40 characters, never whole.
    await rejects(client.analytics.setAttribute({ distinctId: "user-1", attribute: "persona", value: "x".repeat(701) }), "attribute_value_invalid", 400, "persona",
      `persona: "${"x".repeat(40)}…" is not one of teacher, student`);
    await rejects(client.analytics.setAttribute({ distinctId: "anonymous", attribute: "plan", value: "Pro" }), "distinct_id_invalid", 400, undefined,
      'distinctId: "anonymous" is a placeholder, not a user id');
    await rejects(client.analytics.setAttributes({ distinctId: "user-1", attributes: { plan: "Pro", team_size: 0 } }), "attribute_value_invalid", 400, "team_size");
    await rejects(client.setAttribute("plan", "Pro", {}), "distinct_id_invalid", 400);
    await rejects(client.analytics.getAttributes({ distinctId: "" }), "distinct_id_invalid", 400, undefined, "distinctId: empty");
    await rejects(client.analytics.clearAttribute({ distinctId: "user-1", attribute: "nope" }), "attribute_not_defined", 400, "nope",
      '"nope" is not a declared attribute');
    await rejects(client.analytics.setAttribute({ distinctId: "user-1", attribute: "__proto__", value: "x" }), "attribute_not_defined", 400);
    await rejects(client.analytics.setAttribute(undefined), "distinct_id_invalid", 400);
    const getter = { get distinctId() { throw new Error("boom"); } };
    await rejects(client.analytics.setAttribute(getter), "invalid_command", 0);
    assert.equal(requests.length, before, `no request: ${requests.slice(before)}`);
    assert.equal(({}).polluted, undefined);
  });

  test("a failed write of several leaves the others unsent (all or nothing)", async () => {
    await rejects(client.analytics.setAttributes({ distinctId: "user-9", attributes: { plan: "Pro", role: "king" } }), "attribute_value_invalid", 400, "role");
    const r = await api(server, "GET", "/api/v1/persons/user-9/attributes", { key: server.secretKey });
    assert.equal(r.status, 404);
  });

  test("getAttributes resolves with this client's view of that person", async () => {
    await client.analytics.setAttributes({ distinctId: "user-3", attributes: { plan: "Starter", role: "admin" } });
    const r = await client.analytics.getAttributes({ distinctId: "user-3" });
    assert.deepEqual(r, { distinctId: "user-3", attributes: { plan: "Starter", role: "admin" } });
    assert.deepEqual(await client.analytics.getAttributes({ distinctId: "user-unknown" }), { distinctId: "user-unknown", attributes: {} });
  });

  test("clearAttribute goes through the outbox after earlier writes for that person", async () => {
    const before = count(BATCH);
    // Not awaited: the clear still lands after the write. Both are in the outbox at once, so the
    // clear replaces the write (the same person and attribute) and both settle with what was stored.
    const write = client.analytics.setAttribute({ distinctId: "user-4", attribute: "role", value: "member" });
    const cleared = await client.analytics.clearAttribute({ distinctId: "user-4", attribute: "role" });
    assert.equal((await write).value, null);
    assert.deepEqual(Object.keys(cleared).sort(), ["attribute", "personId", "value"]);
    assert.equal(cleared.value, null);
    assert.equal(cleared.attribute, "role");
    assert.equal(count("DELETE /api/v1/attributes/values"), 0, "no DELETE: the clear is a batch entry");
    assert.equal(count(BATCH), before + 1);
    const s = await stored("user-4");
    assert.equal(s.personId, cleared.personId);
    assert.equal(s.attributes.role, undefined);
    assert.deepEqual((await client.analytics.getAttributes({ distinctId: "user-4" })).attributes, {});
  });

  test("values are data", async () => {
    const r = await client.analytics.setAttribute({ distinctId: "user-5", attribute: "name", value: "<img src=x onerror=alert(1)>" });
    assert.equal(r.value, "<img src=x onerror=alert(1)>");
    assert.equal((await stored("user-5")).attributes.name, "<img src=x onerror=alert(1)>");
  });
});

describe("keys, hosts and the workspace flag", () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(async () => server?.stop());

  test("an sk_ key is refused and nothing is sent", async () => {
    const before = requests.length;
    await rejects(createClient({ publicKey: server.secretKey, apiHost: server.url }), "secret_key_in_browser", 0);
    await rejects(createClient({ publicKey: "sk_oops", apiHost: server.url }), "secret_key_in_browser", 0);
    assert.equal(requests.length, before);
  });

  test("a malformed key is invalid_key, and nothing is sent", async () => {
    const before = requests.length;
    await rejects(createClient({ publicKey: "pk_short", apiHost: server.url }), "invalid_key", 401);
    await rejects(createClient(undefined), "invalid_command", 0);
    assert.equal(requests.length, before);
  });

  test("apiHost must be https except for loopback", async () => {
    const before = requests.length;
    for (const apiHost of ["http://api.example.com", "http://10.0.0.1", "ftp://127.0.0.1", "https://user:pw@api.example.com", "not a url"]) {
      await rejects(createClient({ publicKey: server.publicKey, apiHost }), "invalid_api_host", 0);
    }
    assert.equal(requests.length, before);
    const local = await createClient({ publicKey: server.publicKey, apiHost: server.url.replace("127.0.0.1", "localhost") });
    assert.equal((await local.analytics.setAttribute({ distinctId: "user-l", attribute: "plan", value: "Pro" })).value, "Pro");
    local.close();
  });

  test("an unknown publishable key: config answers 401, createClient rejects, nothing is written", async () => {
    const before = count(BATCH);
    const configs = count("GET /api/v1/sdk/config");
    await rejects(createClient({ publicKey: `pk_live_${"x".repeat(32)}`, apiHost: server.url }), "invalid_key", 401);
    assert.equal(count(BATCH), before);
    assert.equal(count("GET /api/v1/sdk/config"), configs + 1);
  });

  test("clientAttributeWrites off: writes fail locally with 403, no write request", async () => {
    const off = await api(server, "PUT", "/api/v1/workspace/settings", { key: server.secretKey, body: { clientAttributeWrites: false } });
    assert.equal(off.status, 200);
    const c = await createClient({ publicKey: server.publicKey, apiHost: server.url });
    const writes = count(BATCH) + count("DELETE /api/v1/attributes/values");
    await rejects(c.analytics.setAttribute({ distinctId: "user-6", attribute: "plan", value: "Pro" }), "client_attribute_writes_disabled", 403);
    await rejects(c.analytics.clearAttribute({ distinctId: "user-6", attribute: "plan" }), "client_attribute_writes_disabled", 403);
    const p = await c.push(["set", "user:attributes", [{ plan: "Pro" }]]);
    assert.equal(p.ok, false);
    assert.equal(p.error.code, "client_attribute_writes_disabled");
    assert.equal(p.error.status, 403);
    assert.equal(count(BATCH) + count("DELETE /api/v1/attributes/values"), writes);
    c.close();
  });
});
