// Two tabs of one site in real Chromium (one browser context: shared localStorage, storage events,
// Web Locks): every write is delivered exactly once (docs/sdk.md "Persistence"). Each tab is one
// SDK instance with its own write ids and stored state; the install's client id is shared.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { inspect, relayPage, statesOf, workspaceOf } from "./helpers/persistence.mjs";
import { startRelayedStack } from "./helpers/relayed_stack.mjs";
import { eventually, waitForEvents, waitForSdk, waitForStored } from "./helpers/stack.mjs";

let stack;
let relay; // passes everything
let cutOff; // refuses every batch: a tab using it cannot deliver
let workspace;
before(async () => {
  ({ stack, relays: [relay, cutOff] } = await startRelayedStack({ relays: 2 }));
  cutOff.rule = (e) => (e.writes ? { refuse: true } : undefined);
  workspace = await workspaceOf(stack);
});
after(() => stack?.stop());

const NETWORK_ERRORS = (text) => /Failed to load resource|ERR_EMPTY_RESPONSE|ERR_CONNECTION/.test(text);

// A second tab in the first one's browser context, with the page errors recorded.
async function secondTab(tab) {
  const page = await tab.context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  return { page, errors };
}

async function load(page, url) {
  await page.goto(url);
  await waitForSdk(page);
  await waitForEvents(page, "ready", 1);
}

// Date.now() can be held still in a page, so two tabs write in the same millisecond.
function clockControl() {
  const real = Date.now;
  let frozen = null;
  Date.now = () => (frozen === null ? real() : frozen);
  window.__freeze = (t) => {
    frozen = t;
  };
  window.__thaw = () => {
    frozen = null;
  };
}

test("two tabs writing in the same millisecond, same person and attribute: each write once", async () => {
  relay.log.length = 0;
  const a = await stack.open();
  await a.context.addInitScript(clockControl);
  const b = await secondTab(a);
  const url = relayPage(stack, relay.url, { name: "same-ms", before: `attrkit.push(["do", "identify", ["user-two-tabs"]]);` });
  await load(a.page, url);
  await load(b.page, url);
  const t = Date.now();
  for (const page of [a.page, b.page]) await page.evaluate((at) => window.__freeze(at), t);
  const ra = await a.page.evaluate(() => window.__push(["set", "user:attributes", [{ team_size: 5, plan: "Pro" }]]));
  const rb = await b.page.evaluate(() => window.__push(["set", "user:attributes", [{ team_size: 7, role: "admin" }]]));
  assert.equal(ra.ok && rb.ok, true);
  const [ia, ib] = [await inspect(a.page), await inspect(b.page)];
  for (const page of [a.page, b.page]) await page.evaluate(() => window.__thaw());
  const seqOf = (s, attr) => s.outbox.find((w) => w.attribute === attr).seq;
  assert.equal(seqOf(ia, "team_size"), seqOf(ib, "team_size"), "the same millisecond, the same seq");
  assert.equal(ia.clientId, ib.clientId, "one install");
  const ids = [...ia.outbox, ...ib.outbox].map((w) => w.id);
  assert.equal(new Set(ids).size, 4, `four distinct write ids: ${ids}`);

  const da = await waitForEvents(a.page, "delivered", 2);
  const db = await waitForEvents(b.page, "delivered", 2);
  // Each tab's write was applied as its own (a replay would have answered with the other's value).
  assert.deepEqual(Object.fromEntries(da.map((d) => [d.attribute, d.value])), { team_size: 5, plan: "Pro" });
  assert.deepEqual(Object.fromEntries(db.map((d) => [d.attribute, d.value])), { team_size: 7, role: "admin" });
  const stored = await stack.stored("user-two-tabs");
  assert.deepEqual({ plan: stored.plan, role: stored.role }, { plan: "Pro", role: "admin" });
  assert.ok([5, 7].includes(stored.team_size));
  // Exactly once: every id reached the server in exactly one request.
  const sent = (await relay.stored(4, (w) => w.distinctId === "user-two-tabs")).map((w) => w.id).sort();
  assert.deepEqual(sent, [...ids].sort());
  // Two instances, two stored states, neither overwriting the other.
  assert.equal(Object.keys(await statesOf(a.page)).length >= 2, true);
  assert.deepEqual(b.errors, []);
  await a.assertClean();
  await a.close();
});

test("a live tab's unsent writes are not taken by a tab opened beside it", async () => {
  const a = await stack.open({ allowConsoleError: NETWORK_ERRORS });
  await load(a.page, relayPage(stack, cutOff.url, { name: "live", before: `attrkit.push(["do", "identify", ["user-live"]]);` }));
  await a.page.evaluate(() => window.__push(["set", "user:attributes", [{ plan: "Starter" }]]));
  await eventually(() => cutOff.log.some((e) => e.writes), { message: "tab A tried to send" });
  const ida = (await inspect(a.page)).outbox.map((w) => w.id);
  const b = await secondTab(a);
  await load(b.page, relayPage(stack, relay.url, { name: "beside" }));
  // B's start (its stored-state scan) is over once "ready" fired: A holds its lock, so nothing moved.
  const ib = await inspect(b.page);
  assert.deepEqual(ib.outbox.filter((w) => ida.includes(w.id)), []);
  assert.deepEqual((await inspect(a.page)).outbox.map((w) => w.id), ida);
  // B first: were A to close first, B would rightly adopt A's writes and send them while the next
  // test is watching the relay.
  await b.page.close();
  await a.close();
});

test("a tab closed with undelivered writes: the other tab delivers them, same ids", async () => {
  relay.log.length = 0;
  const a = await stack.open({ allowConsoleError: NETWORK_ERRORS });
  const b = await secondTab(a);
  await load(b.page, relayPage(stack, relay.url, { name: "survivor" }));
  // Tab A cannot reach the server while it is open.
  await load(a.page, relayPage(stack, cutOff.url, { name: "closing", before: `attrkit.push(["do", "identify", ["user-closed-tab"]]);` }));
  const r = await a.page.evaluate(() => window.__push(["set", "user:attributes", [{ plan: "Enterprise", persona: "student" }]]));
  assert.equal(r.ok, true);
  await eventually(() => cutOff.log.some((e) => e.writes), { message: "tab A tried to send" });
  const ida = (await inspect(a.page)).outbox.map((w) => w.id);
  assert.equal(ida.length, 2);
  await a.page.close(); // pagehide: A's state is marked closed; B hears of it (storage event)
  await waitForStored(stack, "user-closed-tab", { plan: "Enterprise", persona: "student" });
  const closedTab = (w) => w.distinctId === "user-closed-tab";
  assert.deepEqual((await relay.stored(2, closedTab)).map((w) => w.id).sort(), [...ida].sort(), "delivered by B, under A's ids");
  assert.equal(cutOff.log.some((e) => e.forwarded && e.writes), false, "nothing of A's went through A");
  const delivered = await waitForEvents(b.page, "delivered", 2);
  assert.deepEqual(delivered.map((d) => d.writeId).sort(), [...ida].sort());
  // B's identity is its own (it never identified): adopting never changes who B's user is.
  assert.equal((await inspect(b.page)).identity, undefined);
  // A's stored state is gone once B stored what it took over.
  await eventually(async () => Object.values(await statesOf(b.page)).every((s) => s.writes.length === 0), {
    message: "no write left in storage",
  });
  assert.deepEqual(b.errors, []);
  await a.close();
});

test("a tab closed with undelivered writes and no other tab: the next page load delivers them", async () => {
  relay.log.length = 0;
  const a = await stack.open({ allowConsoleError: NETWORK_ERRORS });
  await load(a.page, relayPage(stack, cutOff.url, { name: "lonely", before: `attrkit.push(["do", "identify", ["user-next-load"]]);` }));
  await a.page.evaluate(() => window.__push(["set", "user:attributes", [{ hasInstalled: true }]]));
  await eventually(() => cutOff.log.some((e) => e.writes && e.writes.some((w) => w.distinctId === "user-next-load")), {
    message: "tab A tried to send",
  });
  const ida = (await inspect(a.page)).outbox.map((w) => w.id);
  const next = await a.context.newPage();
  await a.page.close();
  await load(next, relayPage(stack, relay.url, { name: "next-load" }));
  await waitForStored(stack, "user-next-load", { hasInstalled: true });
  assert.deepEqual((await relay.stored(1, (w) => w.distinctId === "user-next-load")).map((w) => w.id), ida);
  // The closed tab's identity carries on in the next page (it was the newest stored state).
  assert.equal((await inspect(next)).identity, "user-next-load");
  await a.close();
});

// Every Web Lock request and query the page makes, in order, with the lock's name.
function recordLocks() {
  window.__locks = [];
  const proto = Object.getPrototypeOf(navigator.locks);
  for (const name of ["request", "query"]) {
    const real = proto[name];
    proto[name] = function (...args) {
      window.__locks.push(name === "request" ? `request ${args[0]}` : "query");
      return real.apply(this, args);
    };
  }
}
const LOCKS_AT_READY = `attrkit.push(["on", "ready", [function () { window.__locksAtReady = window.__locks.slice(); }]]);`;
const locksAtReady = (page) => page.evaluate(() => window.__locksAtReady);

test("ready without a Web Lock when no stored state has writes; under the adopt lock when one has", async () => {
  relay.log.length = 0;
  const a = await stack.open({ allowConsoleError: NETWORK_ERRORS });
  await a.context.addInitScript(recordLocks);
  const page = (apiHost, name) => relayPage(stack, apiHost, { name, before: `attrkit.push(["do", "identify", ["user-locks"]]);\n${LOCKS_AT_READY}` });
  // A first visit: nothing stored, nothing to adopt.
  await load(a.page, page(relay.url, "locks-first"));
  assert.deepEqual(await locksAtReady(a.page), [], "first visit");
  await a.page.evaluate(() => window.__push(["set", "user:attributes", [{ plan: "Pro" }]]));
  await waitForEvents(a.page, "delivered", 1);
  const [first] = Object.keys(await statesOf(a.page));
  // The next page: the last one's state is closed and has no writes. The identity carries on and
  // that state goes, as under the lock.
  await load(a.page, page(relay.url, "locks-first"));
  assert.deepEqual(await locksAtReady(a.page), [], "a stored state without writes");
  assert.equal((await inspect(a.page)).identity, "user-locks");
  await eventually(async () => !(first in (await statesOf(a.page))), { message: "the closed state was removed" });
  // A page that cannot deliver leaves a write; the next page adopts it under the lock.
  await load(a.page, page(cutOff.url, "locks-cut"));
  await a.page.evaluate(() => window.__push(["set", "user:attributes", [{ plan: "Enterprise" }]]));
  await eventually(() => cutOff.log.some((e) => e.writes), { message: "the page tried to send" });
  const ids = (await inspect(a.page)).outbox.map((w) => w.id);
  await load(a.page, page(relay.url, "locks-adopt"));
  const locks = await locksAtReady(a.page);
  assert.ok(locks.includes("request attrkit:v1:adopt") && locks.includes("query"), `adopted under the lock: ${locks}`);
  await waitForStored(stack, "user-locks", { plan: "Enterprise" });
  assert.equal(ids.length, 1);
  assert.deepEqual((await relay.stored(1, (w) => ids.includes(w.id))).map((w) => w.id), ids, "delivered under its id");
  await a.close();
});
