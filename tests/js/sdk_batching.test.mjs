// Batching as a web developer sees it (DESIGN §5), through the npm client (js/dist or
// $ATTRKIT_SDK_DIR) against a REAL attrkit-server: calls made together travel as one request, the
// count (50) and size (32 KB) thresholds cut batches, one attribute written many times collapses
// to its last value, and every write carries an id, the client id and an increasing seq. fetch is
// wrapped to record the request bodies (observing, not mocking: every request still goes out).
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, beforeEach, describe, test } from "node:test";

import { api, sdkDir, startServer } from "./helpers/server.mjs";

const dist = `${sdkDir}/attrkit.node.mjs`; // what Node resolves "attrkit" to (the exports "node" condition)
if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`node js/build.mjs\``);
const { createClient } = await import(dist);

const batches = []; // {bytes, body} of every batch request, in order
const realFetch = globalThis.fetch;
globalThis.fetch = (url, init) => {
  if (new URL(url).pathname.endsWith("/values/batch")) {
    batches.push({ bytes: Buffer.byteLength(init.body), body: JSON.parse(init.body) });
  }
  return realFetch(url, init);
};

describe("batching, against the server", () => {
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
  beforeEach(() => {
    batches.length = 0;
  });

  test("writes made together go as one request, in call order, with ids, client id and rising seqs", async () => {
    const attrs = { plan: "Pro", role: "admin", persona: "teacher", team_size: 7, hasInstalled: true };
    const done = Object.entries(attrs).map(([attribute, value]) =>
      client.analytics.setAttribute({ distinctId: "batch-one", attribute, value }));
    await Promise.all(done);
    assert.equal(batches.length, 1, "one request for five calls within the flush window");
    const writes = batches[0].body.writes;
    assert.deepEqual(writes.map((w) => w.attribute), Object.keys(attrs));
    const clientIds = new Set(writes.map((w) => w.clientId));
    assert.equal(clientIds.size, 1);
    assert.equal(new Set(writes.map((w) => w.id)).size, writes.length, "one id per write");
    for (let i = 1; i < writes.length; i++) assert.ok(writes[i].seq > writes[i - 1].seq, "seq rises in call order");
    assert.deepEqual((await stored("batch-one")).attributes, attrs);
  });

  test("the count threshold cuts 120 writes into 50 + 50 + 20", async () => {
    const ids = Array.from({ length: 120 }, (_, i) => `batch-count-${i}`);
    await Promise.all(ids.map((distinctId) => client.analytics.setAttribute({ distinctId, attribute: "plan", value: "Growth" })));
    assert.deepEqual(batches.map((b) => b.body.writes.length), [50, 50, 20]);
    assert.deepEqual(batches.flatMap((b) => b.body.writes.map((w) => w.distinctId)), ids, "in call order");
    for (const id of [ids[0], ids[77], ids[119]]) assert.equal((await stored(id)).attributes.plan, "Growth");
  });

  test("the size threshold keeps every request body under 32 KB", async () => {
    const big = (i) => [`${i}:`.padEnd(700, "x")];
    const ids = Array.from({ length: 60 }, (_, i) => `batch-size-${i}`);
    await Promise.all(ids.map((distinctId, i) => client.analytics.setAttribute({ distinctId, attribute: "feature_usage", value: big(i) })));
    assert.ok(batches.length >= 2, `60 writes of ~750 bytes need at least two requests, got ${batches.length}`);
    for (const b of batches) {
      assert.ok(b.bytes <= 32 * 1024, `a body of ${b.bytes} bytes`);
      assert.ok(b.body.writes.length < 50, "cut by size, not by count");
    }
    assert.equal(batches.reduce((n, b) => n + b.body.writes.length, 0), 60, "every write sent once");
    assert.deepEqual((await stored(ids[59])).attributes.feature_usage, big(59));
  });

  test("one attribute written 30 times in a window is sent once, with its last value", async () => {
    const values = ["Free", "Starter", "Pro", "Growth", "Enterprise"];
    const delivered = [];
    client.on("delivered", (e) => e.distinctId === "batch-collapse" && delivered.push(e));
    const calls = Array.from({ length: 30 }, (_, i) =>
      client.analytics.setAttribute({ distinctId: "batch-collapse", attribute: "plan", value: values[i % 5] }));
    const results = await Promise.all(calls);
    const last = values[29 % 5];
    assert.equal(batches.length, 1);
    assert.deepEqual(batches[0].body.writes.map((w) => [w.attribute, w.value]), [["plan", last]]);
    // One delivered event, for the write that was sent, counting the 29 it replaced.
    assert.equal(delivered.length, 1);
    assert.equal(delivered[0].writeId, batches[0].body.writes[0].id);
    assert.equal(delivered[0].superseded, 29);
    // Superseded calls settle with the outcome of the write that replaced them (docs/engine.md).
    for (const r of results) assert.equal(r.value, last);
    assert.equal((await stored("batch-collapse")).attributes.plan, last);
  });

  test("the push API coalesces too: identify, many sets, one request holding the last values", async () => {
    await client.push(["do", "identify", ["batch-push"]]);
    const pushes = [];
    for (let i = 1; i <= 20; i++) pushes.push(client.push(["set", "user:attributes", [{ team_size: i, role: i % 2 ? "member" : "viewer" }]]));
    for (const r of await Promise.all(pushes)) assert.equal(r.ok, true);
    // Resolved once queued (DESIGN §2a): wait for the delivery itself.
    await new Promise((resolve) => {
      const seen = new Set();
      client.on("delivered", (e) => {
        if (e.distinctId === "batch-push") seen.add(e.attribute);
        if (seen.size === 2) resolve();
      });
    });
    assert.equal(batches.length, 1);
    assert.deepEqual(batches[0].body.writes.map((w) => [w.attribute, w.value]).sort(), [["role", "viewer"], ["team_size", 20]]);
    assert.deepEqual((await stored("batch-push")).attributes, { team_size: 20, role: "viewer" });
  });
});
