// Persistence in real Chromium (DESIGN §5; docs/sdk.md "Persistence"): writes made just before a
// reload arrive after it under the same write ids; storage that is full, throws or holds corrupt
// data still delivers, with one warning; the key is never stored; writes kept 7 days are dropped.
// The SDK talks to the real server through a relay (helpers/relay.mjs) that can hold or refuse a
// request, so the test knows exactly which request carried which write id.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { inspect, relayPage, sdkWarnings, STATE_PREFIX, statesOf, storageOf, workspaceOf } from "./helpers/persistence.mjs";
import { startRelayedStack } from "./helpers/relayed_stack.mjs";
import { eventually, waitForEvents, waitForSdk, waitForStored } from "./helpers/stack.mjs";

let stack;
let relay;
let workspace;
before(async () => {
  ({ stack, relay } = await startRelayedStack());
  workspace = await workspaceOf(stack);
});
after(() => stack?.stop());

const isBatch = (e) => e.method === "POST" && e.path.endsWith("/values/batch");
const idsOf = (entry) => entry.writes.map((w) => w.id);

async function loaded(tab, url) {
  await tab.page.goto(url);
  await waitForSdk(tab.page);
  await waitForEvents(tab.page, "ready", 1);
}

test("a reload while a batch is in flight: the next page resends it under the same ids", async () => {
  let release;
  const held = new Promise((r) => (release = r));
  let first = null;
  relay.rule = (e) => {
    if (!isBatch(e) || first) return undefined;
    first = e;
    return { hold: held }; // the server is slow: this request is still out when the page goes
  };
  const tab = await stack.open();
  const url = relayPage(stack, relay.url, { name: "inflight", before: `attrkit.push(["do", "identify", ["user-inflight"]]);` });
  await loaded(tab, url);
  const r = await tab.page.evaluate(() => window.__push(["set", "user:attributes", [{ plan: "Growth", team_size: 41 }]]));
  assert.equal(r.ok, true);
  await eventually(() => first, { message: "the batch reached the relay" });
  const before = await inspect(tab.page);
  const ids = before.outbox.map((w) => w.id);
  assert.equal(ids.length, 2);
  assert.equal(before.inFlight !== undefined, true, "the batch is in flight");
  assert.deepEqual(idsOf(first), ids);
  const stored = Object.values(await statesOf(tab.page));
  assert.ok(stored.some((s) => s.writes.some((w) => w.id === ids[0])), "the in-flight writes are stored");

  relay.log.length = 0;
  await tab.page.reload();
  await waitForSdk(tab.page);
  const delivered = await waitForEvents(tab.page, "delivered", 2);
  assert.deepEqual(delivered.map((d) => d.writeId).sort(), [...ids].sort(), "delivered after the reload, same ids");
  const resent = relay.log.filter((e) => isBatch(e) && e.writes?.some((w) => w.distinctId === "user-inflight"));
  assert.equal(resent.length, 1);
  assert.deepEqual(idsOf(resent[0]), ids);
  assert.deepEqual(await stack.stored("user-inflight"), { plan: "Growth", team_size: 41 });
  // The slow first request now reaches the server too: the same ids, applied once, nothing changes.
  release();
  await eventually(() => first.forwarded, { message: "the held request answered" });
  assert.deepEqual(await stack.stored("user-inflight"), { plan: "Growth", team_size: 41 });
  // Delivered: nothing is left stored for the next page.
  await eventually(async () => Object.values(await statesOf(tab.page)).every((s) => s.writes.length === 0), {
    message: "no write left in storage",
  });
  const all = JSON.stringify(await storageOf(tab.page));
  assert.ok(!all.includes(stack.server.publicKey), "the key is never stored");
  assert.ok(!all.includes(stack.server.secretKey));
  relay.rule = () => undefined;
  await tab.assertClean();
  await tab.close();
});

test("writes made just before a navigation arrive after the reload with the same ids", async () => {
  // The keepalive flush at pagehide is refused by the network: only the stored state can deliver.
  relay.log.length = 0;
  relay.rule = (e) => (isBatch(e) ? { refuse: true } : undefined);
  const tab = await stack.open({ allowConsoleError: (text) => /Failed to load resource|ERR_EMPTY_RESPONSE|ERR_CONNECTION/.test(text) });
  const url = relayPage(stack, relay.url, { name: "navigate", before: `attrkit.push(["do", "identify", ["user-navigate"]]);` });
  await loaded(tab, url);
  // Set and leave in the same task: inside the flush window, nothing was sent before pagehide.
  const ids = await tab.page.evaluate(() => {
    window.attrkit.push(["set", "user:attributes", [{ role: "viewer", signup_date: "2024-06-15" }]]);
    const out = window.attrkit.inspect().outbox.map((w) => w.id);
    window.location.reload();
    return out;
  });
  assert.equal(ids.length, 2);
  const navigating = (e) => isBatch(e) && e.writes?.some((w) => w.distinctId === "user-navigate");
  await eventually(() => relay.log.some(navigating), { message: "the keepalive flush was attempted" });
  const flushed = relay.log.find(navigating);
  assert.deepEqual(idsOf(flushed), ids, "the pagehide flush carried them");
  relay.rule = () => undefined;
  await waitForSdk(tab.page);
  await waitForStored(stack, "user-navigate", { role: "viewer", signup_date: "2024-06-15" });
  // Chromium may retry the refused request itself once the relay passes again: the same ids
  // then reach the server twice, and are applied once.
  const stored = await relay.stored(2, (w) => w.distinctId === "user-navigate");
  assert.deepEqual([...new Set(stored.map((w) => w.id))].sort(), [...ids].sort(), "the server got exactly those ids");
  await tab.close();
});

// Storage trouble: each page must still deliver, and say so once in the console.
async function deliversDespite(tab, user, expectWarning) {
  await loaded(tab, relayPage(stack, relay.url, { name: user, before: `attrkit.push(["do", "identify", [${JSON.stringify(user)}]]);` }));
  // Several writes and saves: still one warning.
  for (const plan of ["Free", "Starter", "Pro"]) {
    const r = await tab.page.evaluate((p) => window.__push(["set", "user:attributes", [{ plan: p }, { refetchBoosted: true }]]), plan);
    assert.deepEqual(r, { ok: true, value: { plan } });
    await new Promise((res) => setTimeout(res, 300)); // past the save debounce: one save per write
  }
  assert.deepEqual(await stack.stored(user), { plan: "Pro" });
  const warnings = sdkWarnings(tab);
  assert.equal(warnings.length, 1, warnings.join("\n"));
  assert.match(warnings[0], expectWarning);
  await tab.assertClean();
}

test("localStorage full: delivery goes on, state in memory, one warning", async () => {
  relay.rule = () => undefined;
  const tab = await stack.open();
  await tab.page.addInitScript(() => {
    // Fill the origin's quota before any page script: big chunks, then smaller ones.
    let n = 0;
    for (const size of [1 << 20, 1 << 14, 1 << 8, 1]) {
      const chunk = "x".repeat(size);
      try {
        for (;;) localStorage.setItem(`fill-${size}-${n++}`, chunk);
      } catch {}
    }
  });
  await deliversDespite(tab, "user-full", /localStorage is full/);
  await tab.close();
});

test("localStorage that throws on every access: delivery goes on, one warning", async () => {
  const tab = await stack.open();
  await tab.page.addInitScript(() => {
    for (const name of ["getItem", "setItem", "removeItem", "key"]) {
      Storage.prototype[name] = function () {
        throw new DOMException("storage disabled", "SecurityError");
      };
    }
  });
  await deliversDespite(tab, "user-throws", /localStorage is unavailable/);
  await tab.close();
});

test("a localStorage getter that throws (storage blocked): delivery goes on, one warning", async () => {
  const tab = await stack.open();
  await tab.page.addInitScript(() => {
    Object.defineProperty(window, "localStorage", {
      get() {
        throw new DOMException("blocked", "SecurityError");
      },
    });
  });
  await deliversDespite(tab, "user-blocked", /localStorage is unavailable/);
  await tab.close();
});

test("corrupt stored state is discarded once, with one warning, and delivery goes on", async () => {
  const tab = await stack.open();
  const corrupt = {
    [`${STATE_PREFIX}garbage001:${workspace}`]: "{not json",
    [`${STATE_PREFIX}refused001:${workspace}`]: JSON.stringify({ v: 1, workspace, clientId: "x", nextSeq: "no", epoch: 1, writes: [] }),
    [`attrkit:v1:${workspace}`]: "\u0000\u0001 binary",
  };
  await tab.page.addInitScript((entries) => {
    if (sessionStorage.getItem("seeded")) return;
    sessionStorage.setItem("seeded", "1");
    for (const [k, v] of Object.entries(entries)) localStorage.setItem(k, v);
  }, corrupt);
  await deliversDespite(tab, "user-corrupt", /discarded unreadable stored state/);
  const left = await storageOf(tab.page);
  for (const key of Object.keys(corrupt)) assert.equal(left[key], undefined, `${key} removed`);
  // Not retried forever: the next page finds nothing to complain about.
  tab.consoleLines.length = 0;
  await tab.page.reload();
  await waitForSdk(tab.page);
  await waitForEvents(tab.page, "ready", 1);
  assert.deepEqual(sdkWarnings(tab), []);
  await tab.close();
});

test("stored writes older than 7 days are dropped with an error event; younger ones go", async () => {
  relay.log.length = 0;
  const tab = await stack.open();
  const now = Date.now();
  const day = 24 * 3600 * 1000;
  const state = {
    v: 1, workspace, clientId: "oldinstall000000", nextSeq: now, epoch: 1, saved: now - day, closed: true,
    writes: [
      { id: "oldinstall000000-gone000001-5", seq: 5, unit: 5, attribute: "plan", value: "Enterprise",
        created: now - 8 * day, tries: 0, epoch: 1, distinctId: "user-old" },
      { id: "oldinstall000000-gone000001-6", seq: 6, unit: 6, attribute: "persona", value: "teacher",
        created: now - 3600 * 1000, tries: 1, epoch: 1, distinctId: "user-old" },
    ],
  };
  await tab.page.addInitScript(
    ([key, text]) => {
      if (!sessionStorage.getItem("seeded")) {
        sessionStorage.setItem("seeded", "1");
        localStorage.setItem(key, text);
      }
    },
    [`${STATE_PREFIX}gone000001:${workspace}`, JSON.stringify(state)],
  );
  await loaded(tab, relayPage(stack, relay.url, { name: "old" }));
  const [error] = await waitForEvents(tab.page, "error", 1);
  assert.equal(error.code, "delivery_failed");
  assert.deepEqual(error.writeIds, ["oldinstall000000-gone000001-5"]);
  await waitForStored(stack, "user-old", { persona: "teacher" });
  assert.deepEqual(await stack.stored("user-old"), { persona: "teacher" });
  assert.deepEqual((await relay.stored(1, (w) => w.distinctId === "user-old")).map((w) => w.id), ["oldinstall000000-gone000001-6"]);
  // The adopted state's key is gone once this page stored what it took over.
  await eventually(async () => !(`${STATE_PREFIX}gone000001:${workspace}` in (await storageOf(tab.page))), {
    message: "the old state's key removed",
  });
  await tab.close();
});
