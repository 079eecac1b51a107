// clearAttribute through the outbox (DESIGN §2b, §5; docs/sdk.md): a clear made while the server
// cannot be reached is delivered once it can, and after a reload (the next client on the same
// storage), exactly once and in order with the writes made around it. Real server, the fault
// proxy in front of it refusing connections, a Map standing in for localStorage. Real time; each
// wait is bounded (about 10 s of backoff in all).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { BATCH_PATH } from "./helpers/fault_proxy.mjs";
import { appliedCounts, loadSdk, startBackend, storedAttributes, track, until } from "./helpers/delivery.mjs";

// localStorage as a page has it: string values, shared by every client of this process.
const items = new Map();
globalThis.localStorage = {
  getItem: (k) => (items.has(k) ? items.get(k) : null),
  setItem: (k, v) => void items.set(k, String(v)),
  removeItem: (k) => void items.delete(k),
  key: (i) => [...items.keys()][i] ?? null,
  get length() {
    return items.size;
  },
};

const { createClient } = await loadSdk();
let backend;
before(async () => {
  backend = await startBackend();
});
after(async () => {
  await backend?.stop();
  delete globalThis.localStorage;
});

const batchesFor = (user) => backend.proxy.log.filter((e) => e.path === BATCH_PATH && e.forwarded && e.writes?.some((w) => w.distinctId === user));
const sentEntries = (user) => batchesFor(user).flatMap((e) => e.writes.filter((w) => w.distinctId === user));

// Each write id the server saw for `user`: applied exactly once (retries are replays, not re-applications).
async function appliedOnce(user) {
  const counts = await appliedCounts(backend.server, { distinctId: user });
  assert.ok(counts.size > 0, "the server saw the writes");
  for (const [id, c] of counts) assert.equal(c.applied + c.stale, 1, `${id} applied once: ${JSON.stringify(c)}`);
  return counts;
}

test("a clear made while the server is unreachable goes once it is back, in order, exactly once", { timeout: 60_000 }, async () => {
  const client = await createClient(backend.init);
  const user = "clear-offline";
  try {
    await client.analytics.setAttributes({ distinctId: user, attributes: { role: "admin", plan: "Pro" } });
    await backend.proxy.refuse();
    const before = track(client.analytics.setAttribute({ distinctId: user, attribute: "team_size", value: 5 }));
    const clear = track(client.analytics.clearAttribute({ distinctId: user, attribute: "role" }));
    const later = track(client.analytics.setAttribute({ distinctId: user, attribute: "plan", value: "Growth" }));
    await until(() => (client.inspect().outbox[0]?.tries ?? 0) >= 2, "two refused tries", 20_000);
    assert.deepEqual([before.state, clear.state, later.state], ["pending", "pending", "pending"]);
    assert.deepEqual(await storedAttributes(backend.server, user), { role: "admin", plan: "Pro" });
    await backend.proxy.accept();
    await until(() => clear.state !== "pending" && later.state !== "pending", "settled once back", 30_000);
    assert.equal(clear.state, "resolved", clear.error?.code);
    assert.deepEqual({ ...clear.value, personId: typeof clear.value.personId }, { personId: "string", attribute: "role", value: null });
    // One request carried the three, in the order they were made.
    const entries = sentEntries(user).slice(-3);
    assert.deepEqual(entries.map((w) => [w.attribute, w.clear === true ? "clear" : w.value]),
      [["team_size", 5], ["role", "clear"], ["plan", "Growth"]]);
    assert.equal("value" in entries[1], false, "a clear carries no value");
    assert.deepEqual(await storedAttributes(backend.server, user), { plan: "Growth", team_size: 5 });
    await appliedOnce(user);
    assert.deepEqual((await client.analytics.getAttributes({ distinctId: user })).attributes, { plan: "Growth", team_size: 5 });
  } finally {
    await backend.proxy.accept();
    client.close();
  }
});

test("a clear made offline survives a reload and is delivered by the next page, exactly once", { timeout: 60_000 }, async () => {
  const user = "clear-reload";
  const first = await createClient(backend.init);
  await first.analytics.setAttributes({ distinctId: user, attributes: { role: "admin", plan: "Pro" } });
  await backend.proxy.refuse();
  let next;
  try {
    const pending = [
      first.analytics.setAttribute({ distinctId: user, attribute: "plan", value: "Starter" }),
      first.analytics.clearAttribute({ distinctId: user, attribute: "role" }),
      first.analytics.setAttribute({ distinctId: user, attribute: "team_size", value: 9 }),
    ];
    for (const p of pending) p.catch(() => {}); // they end with the page
    await until(() => (first.inspect().outbox[0]?.tries ?? 0) >= 1, "a refused try", 20_000);
    const stored = [...items.values()].find((v) => v.includes('"clear":true'));
    assert.ok(stored, "the clear is in the stored state");
    first.close(); // the page goes away; its writes are the next page's to send
    await backend.proxy.accept();
    next = await createClient(backend.init);
    await until(() => sentEntries(user).some((w) => w.clear === true), "the next page sent the clear", 20_000);
    await until(() => next.inspect().outbox.length === 0, "the outbox drained", 20_000);
  } finally {
    await backend.proxy.accept();
    next?.close();
  }
  assert.deepEqual(await storedAttributes(backend.server, user), { plan: "Starter", team_size: 9 });
  const entries = sentEntries(user).filter((w) => w.attribute !== "role" || w.clear === true).slice(-3);
  assert.deepEqual(entries.map((w) => [w.attribute, w.clear === true ? "clear" : w.value]),
    [["plan", "Starter"], ["role", "clear"], ["team_size", 9]]);
  const counts = await appliedOnce(user);
  const clearId = sentEntries(user).find((w) => w.clear === true).id;
  assert.equal(counts.get(clearId).applied, 1);
});
