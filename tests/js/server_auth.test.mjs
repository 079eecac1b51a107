// The authorisation matrix over real HTTP (DESIGN §6, §7): every endpoint x every kind of key x
// the workspace flag clientAttributeWrites on and off, table-driven.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";

import { api, startServer } from "./helpers/server.mjs";

let server;
before(async () => {
  server = await startServer();
  // The person the read endpoint looks up.
  const w = await api(server, "POST", "/api/v1/attributes/values", {
    key: server.secretKey,
    body: { distinctId: "auth-user", attribute: "role", value: "member" },
  });
  assert.equal(w.status, 200);
});
after(async () => {
  await server?.stop();
});

// access: "any" = pk or sk; "write" = sk, or pk while the flag is on; "secret" = sk only.
const endpoints = [
  { name: "GET config", access: "any", method: "GET", path: "/api/v1/sdk/config" },
  {
    name: "POST value", access: "write", method: "POST", path: "/api/v1/attributes/values",
    body: () => ({ distinctId: "auth-user", attribute: "plan", value: "Pro" }),
  },
  {
    name: "DELETE value", access: "write", method: "DELETE", path: "/api/v1/attributes/values",
    body: () => ({ distinctId: "auth-user", attribute: "persona" }),
  },
  {
    name: "POST batch", access: "write", method: "POST", path: "/api/v1/attributes/values/batch",
    body: () => ({ writes: [{ id: randomUUID(), distinctId: "auth-user", attribute: "plan", value: "Pro" }] }),
  },
  { name: "GET person", access: "secret", method: "GET", path: "/api/v1/persons/auth-user/attributes" },
  { name: "GET definitions", access: "secret", method: "GET", path: "/api/v1/attributes/definitions" },
  {
    name: "PUT definition", access: "secret", method: "PUT", path: "/api/v1/attributes/definitions/auth_probe",
    body: () => ({ type: "string" }),
  },
  { name: "GET settings", access: "secret", method: "GET", path: "/api/v1/workspace/settings" },
  {
    // Sets the flag to the value the row is testing, so the matrix itself never flips it.
    name: "PUT settings", access: "secret", method: "PUT", path: "/api/v1/workspace/settings",
    body: (flag) => ({ clientAttributeWrites: flag }),
  },
];

const unknownTail = "Zz9".repeat(11);
const callers = [
  { name: "no key", header: () => undefined, kind: "invalid" },
  { name: "empty bearer", header: () => "Bearer ", kind: "invalid" },
  { name: "malformed key", header: () => "Bearer pk_live_tooshort", kind: "invalid" },
  { name: "test-mode key", header: () => `Bearer pk_test_${unknownTail}`, kind: "invalid" },
  { name: "unknown pk", header: () => `Bearer pk_live_${unknownTail}`, kind: "invalid" },
  { name: "unknown sk", header: () => `Bearer sk_live_${unknownTail}`, kind: "invalid" },
  { name: "pk as sk", header: () => `Bearer sk_live_${server.publicKey.slice(8)}`, kind: "invalid" },
  { name: "pk, Basic scheme", header: () => `Basic ${server.publicKey}`, kind: "invalid" },
  { name: "pk, bare", header: () => server.publicKey, kind: "invalid" },
  { name: "pk", header: () => `Bearer ${server.publicKey}`, kind: "pk" },
  { name: "pk, lowercase scheme", header: () => `bearer ${server.publicKey}`, kind: "pk" },
  { name: "sk", header: () => `Bearer ${server.secretKey}`, kind: "sk" },
];

function expected(endpoint, kind, flag) {
  if (kind === "invalid") return [401, "invalid_key"];
  if (kind === "sk" || endpoint.access === "any") return [200, null];
  if (endpoint.access === "write") return flag ? [200, null] : [403, "client_attribute_writes_disabled"];
  return [403, "secret_key_required"];
}

async function setFlag(flag) {
  const res = await api(server, "PUT", "/api/v1/workspace/settings", {
    key: server.secretKey,
    body: { clientAttributeWrites: flag },
  });
  assert.equal(res.status, 200);
  assert.equal(res.body.clientAttributeWrites, flag);
}

for (const flag of [false, true]) {
  test(`auth matrix with clientAttributeWrites ${flag ? "on" : "off"}`, async () => {
    await setFlag(flag);
    let rows = 0;
    for (const endpoint of endpoints) {
      for (const caller of callers) {
        const headers = {};
        const h = caller.header();
        if (h !== undefined) headers.Authorization = h;
        const res = await api(server, endpoint.method, endpoint.path, {
          headers,
          body: endpoint.body?.(flag),
        });
        const [status, code] = expected(endpoint, caller.kind, flag);
        const where = `${endpoint.name} with ${caller.name} (flag ${flag})`;
        assert.equal(res.status, status, `${where}: ${res.text}`);
        if (code) {
          assert.equal(res.body?.error?.code, code, where);
          assert.equal(res.body.error.status, status, where);
        }
        rows++;
      }
    }
    assert.equal(rows, endpoints.length * callers.length);
  });
}

test("a refused publishable write stores nothing; the same write with the secret key does", async () => {
  await setFlag(false);
  const body = { distinctId: "auth-refused", attribute: "plan", value: "Growth" };
  const refused = await api(server, "POST", "/api/v1/attributes/values", { key: server.publicKey, body });
  assert.equal(refused.status, 403);
  const batch = await api(server, "POST", "/api/v1/attributes/values/batch", {
    key: server.publicKey,
    body: { writes: [{ id: "auth-refused-1", ...body }] },
  });
  assert.equal(batch.status, 403);
  const read = () =>
    api(server, "GET", "/api/v1/persons/auth-refused/attributes", { key: server.secretKey });
  assert.equal((await read()).status, 404);

  // The refused batch id was not recorded: once allowed, the same id applies.
  await setFlag(true);
  const retried = await api(server, "POST", "/api/v1/attributes/values/batch", {
    key: server.publicKey,
    body: { writes: [{ id: "auth-refused-1", ...body }] },
  });
  assert.equal(retried.body.results[0].ok, true);
  assert.equal((await read()).body.attributes.plan, "Growth");
});

test("401 comes before a body is looked at; 403 before it is parsed", async () => {
  const junk = { rawBody: "not json", headers: { "Content-Type": "application/json" } };
  const noKey = await api(server, "POST", "/api/v1/attributes/values", junk);
  assert.equal(noKey.status, 401);
  await setFlag(false);
  const pkOff = await api(server, "POST", "/api/v1/attributes/values", {
    ...junk,
    headers: { ...junk.headers, Authorization: `Bearer ${server.publicKey}` },
  });
  assert.equal(pkOff.status, 403);
  const sk = await api(server, "POST", "/api/v1/attributes/values", {
    ...junk,
    headers: { ...junk.headers, Authorization: `Bearer ${server.secretKey}` },
  });
  assert.equal(sk.status, 400);
  await setFlag(true);
});
