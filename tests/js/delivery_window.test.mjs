// The flush window is bounded (DESIGN §5, docs/sdk.md "Flush window"): the first unsent write
// leaves within the window (1 s) however many writes follow it, including writes of one attribute
// that coalesce into one. A steady trickle is never held until it pauses. Real time (about 6 s),
// the npm client against a REAL attrkit-server; fetch is wrapped to record when each batch leaves
// (observing, not mocking: every request still goes out).
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, test } from "node:test";

import { api, sdkDir, startServer } from "./helpers/server.mjs";

const dist = `${sdkDir}/attrkit.node.mjs`;
if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`node js/build.mjs\``);
const { createClient } = await import(dist);

const sent = []; // {at, writes} of every batch request
const realFetch = globalThis.fetch;
globalThis.fetch = (url, init) => {
  if (new URL(url).pathname.endsWith("/values/batch")) sent.push({ at: Date.now(), writes: JSON.parse(init.body).writes });
  return realFetch(url, init);
};

let server, client;
before(async () => {
  server = await startServer();
  client = await createClient({ publicKey: server.publicKey, apiHost: server.url });
});
after(async () => {
  client?.close();
  globalThis.fetch = realFetch;
  await server?.stop();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

for (const [name, attribute, valueOf] of [
  ["one attribute (every write coalesces into the last)", () => "plan", (i) => ["Free", "Pro", "Growth"][i % 3]],
  ["a new attribute each time", (i) => ["plan", "role", "persona", "team_size"][i % 4], (i) => (i % 4 === 3 ? i : ["Free", "admin", "teacher"][i % 4])],
]) {
  test(`a write every 250 ms for 5 s, ${name}: a batch at least every 1.5 s`, { timeout: 20_000 }, async () => {
    sent.length = 0;
    const distinctId = `window-${attribute(0)}-${attribute(1)}`;
    const start = Date.now();
    const done = [];
    let i = 0;
    for (; Date.now() - start < 5000; i++) {
      done.push(client.analytics.setAttribute({ distinctId, attribute: attribute(i), value: valueOf(i) }));
      await sleep(250);
    }
    const end = Date.now();
    const results = await Promise.all(done);
    assert.equal(results.length, i);
    // While the trickle ran, no gap of more than 1.5 s without a batch (from its first write).
    const times = [start, ...sent.map((b) => b.at).filter((t) => t <= end)];
    assert.ok(times.length >= 4, `only ${times.length - 1} batches during 5 s of writes`);
    for (let k = 1; k < times.length; k++) {
      assert.ok(times[k] - times[k - 1] <= 1500, `a gap of ${times[k] - times[k - 1]} ms between batches`);
    }
    assert.ok(end - times.at(-1) <= 1500, `nothing sent in the last ${end - times.at(-1)} ms of writes`);
    // And the last write wins on the server.
    const stored = (await api(server, "GET", `/api/v1/persons/${distinctId}/attributes`, { key: server.secretKey })).body;
    assert.equal(stored.attributes[attribute(i - 1)], valueOf(i - 1));
  });
}
