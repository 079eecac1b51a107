// What a burst of writes costs the REAL Wasm core (issue 13): 5,000 updates of one attribute,
// through push commands and through the Promise API, keep the module's memory under 1 MiB (Wasm
// memory never shrinks, so it must not grow), the one delivered event stays small (a count of
// superseded writes, not their ids), and every Promise-API ticket still settles.
import assert from "node:assert/strict";
import { test } from "node:test";

import { loadTestCore } from "./helpers/core.mjs";

const MIB = 1024 * 1024;
const CONFIG = {
  workspace: "acme", clientAttributeWrites: true, definitionsVersion: "v1",
  attributes: [{ key: "plan", type: "single_choice", options: ["Free", "Pro", "Growth"] }, { key: "bio", type: "string" }],
};

function stored(batch) {
  return {
    results: batch.body.writes.map((w) => ({ id: w.id, ok: true, personId: `p_${w.distinctId}`, attribute: w.attribute, value: w.value })),
  };
}

// The Embind module's memory: HEAP8 views the whole Wasm memory (re-read: it is replaced on growth).
const memory = (core) => core.HEAP8.buffer.byteLength;

function start(core) {
  core.engineCreate("c1", {});
  assert.ok(core.engineConfigure(CONFIG, 0, false).ok);
  core.engineCommand(["do", "identify", ["u1"]], 0);
  core.engineTakeEvents();
}

// One burst sent as one batch and delivered; returns the module's memory afterwards.
function burst(core, send, at) {
  const tickets = send(at);
  const batch = core.engineTakeBatch(at + 2000, false);
  assert.equal(batch.body.writes.length, 2, "one write per attribute leaves");
  const done = core.engineCompleteBatch({ batchId: batch.batchId, status: 200, body: stored(batch), jitter: 0 }, at + 2001);
  assert.equal(done.outcome, "delivered");
  const events = core.engineTakeEvents();
  const delivered = events.filter((ev) => ev.type === "delivered");
  // A command's attributes are queued in key order (the core's JSON object order): bio, plan.
  assert.deepEqual(delivered.map((ev) => [ev.attribute, ev.superseded]), [["bio", 4999], ["plan", 4999]]);
  assert.ok(JSON.stringify(delivered).length < 1000, "the delivered events stay small");
  const settled = new Set(events.filter((ev) => ev.type === "settled" && ev.result.ok).map((ev) => ev.ticket));
  for (const t of tickets) assert.ok(settled.has(t), `ticket ${t} settled`);
  assert.deepEqual(core.engineInspect().outbox, []);
  return memory(core);
}

const values = (i) => ({ plan: ["Free", "Pro", "Growth"][i % 3], bio: `b${i}` });

test("5,000 push updates of one attribute: memory under 1 MiB, one small delivered event", async () => {
  const core = await loadTestCore();
  start(core);
  const before = memory(core);
  const after = burst(core, (at) => {
    for (let i = 0; i < 5000; i++) {
      const r = core.engineCommand(["set", "user:attributes", [values(i)]], at + i / 10);
      assert.equal(r.result?.ok, true);
      core.engineTakeEvents(); // as the runtime does after every call
    }
    return [];
  }, 10);
  assert.ok(after < MIB, `memory grew from ${before} to ${after} bytes`);
});

// 5,000 Promises pending at once each hold their own result until they settle: that costs memory
// in proportion (docs/engine.md "Memory"), but it is released once they settled, and a second
// burst reuses it instead of growing the module again.
test("5,000 Promise-API updates of one attribute: every ticket settles, the memory is reused", async () => {
  const core = await loadTestCore();
  start(core);
  const send = (at) => {
    const tickets = [];
    for (let i = 0; i < 5000; i++) {
      const r = core.engineWrite({ distinctId: "u1", attributes: values(i) }, at + i / 10);
      assert.equal(r.result, undefined, "settles on delivery");
      tickets.push(r.ticket);
      core.engineTakeEvents();
    }
    return tickets;
  };
  const first = burst(core, send, 10);
  const second = burst(core, send, 10_000);
  assert.equal(second, first, `a second burst grew the memory from ${first} to ${second} bytes`);
  assert.equal(core.engineInspect().pending.length, 0);
});
