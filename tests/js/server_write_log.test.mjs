// GET /api/v1/debug/writes over real HTTP (docs/server.md "Counting applications"): the server's
// own count, per batch write id, of how often it was applied, found stale, rejected or replayed.
// The delivery tests rely on it for "every write applied once"; this file proves the count itself:
// the outcomes, the filters, the secret-key-only access, and that it survives a restart.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";

import { api, startServer } from "./helpers/server.mjs";

let server;
before(async () => {
  server = await startServer({ keepDb: true });
});
after(async () => {
  await server?.stop();
  // keepDb: the restart test reopens the file, so the temporary folder is ours to remove.
  if (server) rmSync(path.dirname(server.db), { recursive: true, force: true });
});

const batch = (writes) => api(server, "POST", "/api/v1/attributes/values/batch", { key: server.publicKey, body: { writes } });
const debug = (query = "", key = server.secretKey) => api(server, "GET", `/api/v1/debug/writes${query}`, { key });
const counts = (w) => [w.applied, w.stale, w.rejected, w.replayed];

test("applied, stale, rejected and replayed are counted per write id, in arrival order", async () => {
  const w = (id, attribute, value, seq) => ({ id, distinctId: "log-1", attribute, value, clientId: "c-log", seq });
  assert.equal((await batch([w("l-a", "plan", "Pro", 10), w("l-b", "plan", "Gold", 11), w("l-c", "role", "admin", 12)])).status, 200);
  // A retry of l-a (its answer was lost) and an older seq for role from the same client.
  assert.equal((await batch([w("l-a", "plan", "Pro", 10), w("l-d", "role", "viewer", 5)])).status, 200);
  assert.equal((await batch([w("l-a", "plan", "Pro", 10)])).status, 200);

  const r = await debug("?distinctId=log-1");
  assert.equal(r.status, 200);
  assert.equal(r.body.truncated, false);
  assert.deepEqual(r.body.writes.map((x) => [x.id, x.distinctId, x.attribute, ...counts(x)]), [
    ["l-a", "log-1", "plan", 1, 0, 0, 2],
    ["l-b", "log-1", "plan", 0, 0, 1, 0],
    ["l-c", "log-1", "role", 1, 0, 0, 0],
    ["l-d", "log-1", "role", 0, 1, 0, 0],
  ]);
  const one = await debug("?id=l-a");
  assert.deepEqual(one.body.writes.map((x) => x.id), ["l-a"]);
  // Both filters at once, and a person never written.
  assert.deepEqual((await debug("?distinctId=log-1&id=l-d")).body.writes.map((x) => x.id), ["l-d"]);
  assert.deepEqual((await debug("?distinctId=nobody-here")).body.writes, []);
});

test("requests refused as a whole (envelope 400, 413, 401) log nothing", async () => {
  const good = { id: "l-env", distinctId: "log-2", attribute: "plan", value: "Pro" };
  assert.equal((await batch([good, { id: 7 }])).status, 400);
  const many = Array.from({ length: 101 }, (_, i) => ({ ...good, id: `l-many-${i}` }));
  assert.equal((await batch(many)).status, 413);
  const r = await api(server, "POST", "/api/v1/attributes/values/batch", { key: `pk_live_${"Zz9".repeat(11)}`, body: { writes: [good] } });
  assert.equal(r.status, 401);
  assert.deepEqual((await debug("?distinctId=log-2")).body.writes, []);
});

test("only a secret key may read it; bad parameters are 400", async () => {
  assert.equal((await debug("", null)).status, 401);
  const pk = await debug("", server.publicKey);
  assert.equal(pk.status, 403);
  assert.equal(pk.body.error.code, "secret_key_required");
  const badPerson = await debug("?distinctId=undefined");
  assert.equal(badPerson.status, 400);
  assert.equal(badPerson.body.error.code, "distinct_id_invalid");
  const badId = await debug(`?id=${"x".repeat(201)}`);
  assert.equal(badId.status, 400);
  assert.equal(badId.body.error.code, "invalid_request");
  // A distinct id with reserved characters is matched exactly once decoded.
  const odd = "log/3 ?&=é";
  assert.equal((await batch([{ id: "l-odd", distinctId: odd, attribute: "role", value: "member" }])).status, 200);
  const r = await debug(`?distinctId=${encodeURIComponent(odd)}`);
  assert.deepEqual(r.body.writes.map((x) => [x.id, x.distinctId, x.applied]), [["l-odd", odd, 1]]);
});

test("the count is on disk: it survives a restart, and a replay after it is still a replay", async () => {
  const db = server.db;
  await server.stop();
  server = await startServer({ db, keepDb: true });
  const before = (await debug("?id=l-c")).body.writes;
  assert.deepEqual(before.map(counts), [[1, 0, 0, 0]]);
  await batch([{ id: "l-c", distinctId: "log-1", attribute: "role", value: "admin", clientId: "c-log", seq: 12 }]);
  assert.deepEqual((await debug("?id=l-c")).body.writes.map(counts), [[1, 0, 0, 1]]);
});
