// Exactly-once and in-order over real HTTP (DESIGN §4, §7): idempotent batch ids, per-client
// sequence numbers, later-arrival-wins between clients, removeUnspecified.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { api, startServer } from "./helpers/server.mjs";

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

const batch = (writes, extra = {}) =>
  api(server, "POST", "/api/v1/attributes/values/batch", {
    key: server.publicKey,
    body: { writes, ...extra },
  });
const attributes = async (distinctId) => {
  const res = await api(server, "GET", `/api/v1/persons/${encodeURIComponent(distinctId)}/attributes`, {
    key: server.secretKey,
  });
  assert.equal(res.status, 200, res.text);
  return res.body.attributes;
};

test("a replayed write id answers its first result and is not applied again", async () => {
  const a = { id: "ord-id-1", distinctId: "ord-idem", attribute: "plan", value: "Starter" };
  const first = await batch([a]);
  assert.equal(first.status, 200);
  assert.equal(first.body.results[0].value, "Starter");

  const b = await batch([{ id: "ord-id-2", distinctId: "ord-idem", attribute: "plan", value: "Growth" }]);
  assert.equal(b.body.results[0].value, "Growth");

  // The retry of id 1 (even if its content changed) must not bring Starter back.
  const replay = await batch([{ ...a, value: "Enterprise" }]);
  assert.equal(replay.status, 200);
  assert.deepEqual(replay.body.results[0], first.body.results[0]);
  assert.equal((await attributes("ord-idem")).plan, "Growth");

  // Mixed with new writes in one batch: the replay is answered, the new one applied, in order.
  const mixed = await batch([
    { id: "ord-id-3", distinctId: "ord-idem", attribute: "role", value: "viewer" },
    a,
    { id: "ord-id-4", distinctId: "ord-idem", attribute: "team_size", value: 3 },
  ]);
  assert.deepEqual(mixed.body.results.map((r) => r.id), ["ord-id-3", "ord-id-1", "ord-id-4"]);
  assert.deepEqual(mixed.body.results[1], first.body.results[0]);
  assert.deepEqual(await attributes("ord-idem"), { plan: "Growth", role: "viewer", team_size: 3 });
});

test("a failed write's id also answers its first (failed) result", async () => {
  const bad = { id: "ord-fail-1", distinctId: "ord-fail", attribute: "plan", value: "Platinum" };
  const first = await batch([bad]);
  assert.equal(first.body.results[0].ok, false);
  const again = await batch([{ ...bad, value: "Pro" }]);
  assert.deepEqual(again.body.results[0], first.body.results[0]);
});

test("write ids are per workspace key space, not per person", async () => {
  const one = await batch([{ id: "ord-shared", distinctId: "ord-p1", attribute: "role", value: "admin" }]);
  const two = await batch([{ id: "ord-shared", distinctId: "ord-p2", attribute: "role", value: "viewer" }]);
  assert.deepEqual(two.body.results[0], one.body.results[0]);
  const read = await api(server, "GET", "/api/v1/persons/ord-p2/attributes", { key: server.secretKey });
  assert.equal(read.status, 404, "the replay did not create ord-p2");
});

test("an older seq from the same client is acknowledged but does not overwrite", async () => {
  const w = (id, value, clientId, seq) => ({ id, distinctId: "ord-seq", attribute: "plan", value, clientId, seq });
  await batch([w("ord-s5", "Pro", "client-A", 5)]);
  const late = await batch([w("ord-s3", "Free", "client-A", 3)]);
  assert.equal(late.body.results[0].ok, true);
  assert.equal(late.body.results[0].value, "Pro", "acknowledged with the stored value");
  assert.equal((await attributes("ord-seq")).plan, "Pro");

  // Another client: the later arrival wins, whatever its seq.
  await batch([w("ord-b1", "Starter", "client-B", 1)]);
  assert.equal((await attributes("ord-seq")).plan, "Starter");
  // Client A still cannot go back below 5 ...
  await batch([w("ord-s4", "Growth", "client-A", 4)]);
  assert.equal((await attributes("ord-seq")).plan, "Starter");
  // ... but moves on with 6.
  await batch([w("ord-s6", "Enterprise", "client-A", 6)]);
  assert.equal((await attributes("ord-seq")).plan, "Enterprise");
});

test("within one batch, a lower seq after a higher one from the same client is ignored", async () => {
  const res = await batch([
    { id: "ord-in-2", distinctId: "ord-inbatch", attribute: "role", value: "admin", clientId: "c", seq: 2 },
    { id: "ord-in-1", distinctId: "ord-inbatch", attribute: "role", value: "viewer", clientId: "c", seq: 1 },
  ]);
  assert.deepEqual(res.body.results.map((r) => r.value), ["admin", "admin"]);
  assert.equal((await attributes("ord-inbatch")).role, "admin");
});

test("removeUnspecified clears every other attribute of each person in the batch, in one step", async () => {
  await batch([
    { id: "ord-ru-1", distinctId: "ord-ru", attribute: "plan", value: "Pro" },
    { id: "ord-ru-2", distinctId: "ord-ru", attribute: "role", value: "admin" },
    { id: "ord-ru-3", distinctId: "ord-ru", attribute: "topics", value: ["math"] },
    { id: "ord-ru-4", distinctId: "ord-ru", attribute: "email", value: "sam@example.com" },
    { id: "ord-ru-5", distinctId: "ord-ru-other", attribute: "role", value: "viewer" },
  ]);
  const res = await batch(
    [
      { id: "ord-ru-6", distinctId: "ord-ru", attribute: "plan", value: "Growth" },
      { id: "ord-ru-7", distinctId: "ord-ru", attribute: "persona", value: "teacher" },
    ],
    { removeUnspecified: true },
  );
  assert.equal(res.status, 200);
  assert.deepEqual(await attributes("ord-ru"), { plan: "Growth", persona: "teacher" });
  assert.deepEqual(await attributes("ord-ru-other"), { role: "viewer" }, "other persons untouched");

  // Without the flag nothing else is cleared.
  await batch([{ id: "ord-ru-8", distinctId: "ord-ru", attribute: "role", value: "member" }], { removeUnspecified: false });
  assert.deepEqual(await attributes("ord-ru"), { plan: "Growth", persona: "teacher", role: "member" });
});
