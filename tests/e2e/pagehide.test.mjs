// Page hide in real Chromium (DESIGN §5): the SDK flushes one batch with keepalive on pagehide and
// on visibilitychange to hidden, never more than 60 KB of keepalive bodies in flight (Chromium
// refuses keepalive requests past 64 KiB), stores the rest for the next page, and registers no
// unload handler. A fetch wrapper installed before any page script records every keepalive
// request the SDK makes (the SDK looks fetch up at call time) in sessionStorage, which survives
// the navigation.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { relayPage, statesOf } from "./helpers/persistence.mjs";
import { startRelayedStack } from "./helpers/relayed_stack.mjs";
import { eventually, waitForEvents, waitForSdk } from "./helpers/stack.mjs";

let stack;
let relay;
before(async () => ({ stack, relay } = await startRelayedStack()));
after(() => stack?.stop());

const KEEPALIVE_BUDGET = 60 * 1024;
const isBatch = (e) => e.method === "POST" && e.path.endsWith("/values/batch");

// Runs before any page script: records {bytes, inFlight} for each keepalive fetch, where inFlight
// is the total of keepalive bodies not yet settled, this one included.
function recordKeepalive() {
  const real = window.fetch;
  let inFlight = 0;
  window.fetch = function (input, init) {
    if (!init || !init.keepalive) return real.apply(this, arguments);
    const bytes = new TextEncoder().encode(typeof init.body === "string" ? init.body : "").length;
    inFlight += bytes;
    const log = JSON.parse(sessionStorage.getItem("keepalive") || "[]");
    log.push({ bytes, inFlight, body: init.body });
    sessionStorage.setItem("keepalive", JSON.stringify(log));
    const done = () => {
      inFlight -= bytes;
    };
    const p = real.apply(this, arguments);
    p.then(done, done);
    return p;
  };
}

async function opened(name, before) {
  const tab = await stack.open();
  await tab.page.addInitScript(recordKeepalive);
  const url = relayPage(stack, relay.url, { name, before });
  await tab.page.goto(url);
  await waitForSdk(tab.page);
  await waitForEvents(tab.page, "ready", 1);
  return { tab, url };
}

const keepalives = (page) => page.evaluate(() => JSON.parse(sessionStorage.getItem("keepalive") || "[]"));
const item = (k, n) => `${k}-`.padEnd(n, "x");

test("leaving with 150 KB unsent: one keepalive batch under 60 KB, the rest delivered by the next page", async () => {
  relay.log.length = 0;
  // The page's own pagehide handler (registered before the SDK's) makes the writes as it leaves.
  const { tab, url } = await opened("many", `
    addEventListener("pagehide", function () {
      for (var k = 0; k < 60; k++) {
        var items = [];
        for (var i = 0; i < 4; i++) items.push(("leave-" + k + "-" + i + "-").padEnd(600, "x"));
        window.attrkit.analytics.setAttributes({ distinctId: "leaver-" + k, attributes: { feature_usage: items } })
          .catch(function () {});
      }
    });`);
  await tab.page.goto(url); // the same page again: pagehide, then a new load of the SDK
  await waitForSdk(tab.page);
  const log = await keepalives(tab.page);
  assert.ok(log.length >= 1, "a keepalive flush was sent");
  for (const k of log) assert.ok(k.inFlight <= KEEPALIVE_BUDGET, `keepalive in flight: ${k.inFlight} bytes`);
  const flushed = JSON.parse(log[0].body).writes;
  assert.ok(flushed.length > 0 && flushed.length < 60, `${flushed.length} writes in the flush`);
  // Everything arrives: the flushed ones and the stored rest (re-sent ids are applied once).
  const leavers = () => relay.storedWrites().filter((w) => w.distinctId.startsWith("leaver-"));
  await eventually(() => new Set(leavers().map((w) => w.distinctId)).size === 60, {
    timeout: 30000,
    message: "all 60 people stored",
  });
  const last = await stack.stored("leaver-59");
  assert.equal(last.feature_usage.length, 4);
  assert.equal(last.feature_usage[0], item("leave-59-0", 600));
  // Every id the server got was made on the first page, none twice as a new write.
  const ids = new Set(leavers().map((w) => w.id));
  assert.equal(ids.size, 60);
  await eventually(async () => Object.values(await statesOf(tab.page)).every((s) => s.writes.length === 0), {
    timeout: 30000,
    message: "nothing left stored",
  });
  await tab.close();
});

test("a write over 60 KB is never sent with keepalive: it is stored and the next page sends it", async () => {
  relay.log.length = 0;
  // ~63 KB: over the keepalive budget, under the server's 64 KB body cap. Made by the page's own
  // pagehide handler, so it is still unsent when the SDK's handler runs (a write this big is due
  // at once: made earlier, the timer would send it normally).
  const { tab, url } = await opened("huge", `
    attrkit.push(["do", "identify", ["user-huge"]]);
    addEventListener("pagehide", function () {
      var items = [];
      for (var i = 0; i < 100; i++) items.push(("huge-" + i + "-").padEnd(630, "x"));
      window.attrkit.push(["set", "user:attributes", [{ feature_usage: items }]]);
    });`);
  const items = Array.from({ length: 100 }, (_, i) => item(`huge-${i}`, 630));
  await tab.page.goto(url);
  await waitForSdk(tab.page);
  await eventually(async () => JSON.stringify((await stack.stored("user-huge")).feature_usage) === JSON.stringify(items), {
    timeout: 30000,
    message: "the 63 KB value stored",
  });
  const log = await keepalives(tab.page);
  assert.deepEqual(log.map((k) => k.bytes), [], "no keepalive request: it would be over the budget");
  const carried = await relay.stored(1, (w) => w.distinctId === "user-huge");
  assert.equal(carried.length, 1, "sent once, by the next page");
  await tab.close();
});

test("visibilitychange to hidden flushes with keepalive at once, and the page carries on", async () => {
  relay.log.length = 0;
  const { tab } = await opened("hidden", `attrkit.push(["do", "identify", ["user-hidden"]]);`);
  const r = await tab.page.evaluate(() => window.__push(["set", "user:attributes", [{ subscription_status: "trial" }]]));
  assert.equal(r.ok, true);
  // Headless Chromium never hides a page on its own (no window to minimise), so the test makes
  // the document report "hidden" and fires the event the browser would.
  await tab.page.evaluate(() => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
    document.dispatchEvent(new Event("visibilitychange"));
  });
  const log = await keepalives(tab.page);
  assert.equal(log.length, 1, "sent at once, within the flush window");
  assert.deepEqual(JSON.parse(log[0].body).writes.map((w) => w.attribute), ["subscription_status"]);
  const [delivered] = await waitForEvents(tab.page, "delivered", 1);
  assert.equal(delivered.value, "trial");
  // This test's batches only: a page of the test before may still be closing (its pagehide flush).
  const mine = relay.log.filter((e) => isBatch(e) && e.writes?.some((w) => w.distinctId === "user-hidden"));
  assert.equal(mine.length, 1, `nothing sent twice: ${JSON.stringify(relay.log.filter(isBatch).map((e) => e.writes))}`);
  await tab.assertClean();
  await tab.close();
});

test("no unload or beforeunload handler is ever registered", async () => {
  const tab = await stack.open();
  await tab.page.addInitScript(() => {
    window.__listeners = [];
    const add = EventTarget.prototype.addEventListener;
    EventTarget.prototype.addEventListener = function (type, fn, opts) {
      if (this === window || this === document) window.__listeners.push(type);
      return add.call(this, type, fn, opts);
    };
  });
  await tab.page.goto(relayPage(stack, relay.url, { name: "listeners", before: `attrkit.push(["do", "identify", ["user-listeners"]]);` }));
  await waitForSdk(tab.page);
  await waitForEvents(tab.page, "ready", 1);
  await tab.page.evaluate(() => window.__push(["set", "user:attributes", [{ plan: "Free" }, { refetchBoosted: true }]]));
  const state = await tab.page.evaluate(() => ({
    types: window.__listeners,
    onunload: window.onunload,
    onbeforeunload: window.onbeforeunload,
  }));
  assert.ok(state.types.includes("pagehide") && state.types.includes("visibilitychange"), state.types.join());
  assert.equal(state.types.includes("unload"), false);
  assert.equal(state.types.includes("beforeunload"), false);
  assert.equal(state.onunload, null);
  assert.equal(state.onbeforeunload, null);
  await tab.assertClean();
  await tab.close();
});
