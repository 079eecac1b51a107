// clearAttribute in real Chromium (DESIGN §2b, §5; docs/sdk.md): the clear is a write of kind
// clear in the outbox, so one made while the network refuses every batch is delivered once the
// network is back, and after a reload by the next page, exactly once and in order with the writes
// made around it. The SDK talks to the real server through a relay (helpers/relay.mjs) that
// refuses batches while the test says so.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { relayPage, statesOf } from "./helpers/persistence.mjs";
import { startRelayedStack } from "./helpers/relayed_stack.mjs";
import { api, eventually, waitForEvents, waitForSdk, waitForStored } from "./helpers/stack.mjs";

let stack;
let relay;
before(async () => ({ stack, relay } = await startRelayedStack()));
after(() => stack?.stop());

const isBatch = (e) => e.method === "POST" && e.path.endsWith("/values/batch");
const refusedConsole = (text) => /Failed to load resource|ERR_EMPTY_RESPONSE|ERR_CONNECTION/.test(text);
const shape = (w) => [w.attribute, w.clear === true ? "clear" : w.value];

async function offlineClear(user) {
  relay.rule = () => undefined;
  const tab = await stack.open({ allowConsoleError: refusedConsole });
  await tab.page.goto(relayPage(stack, relay.url, { name: user }));
  await waitForSdk(tab.page);
  await waitForEvents(tab.page, "ready", 1);
  await tab.page.evaluate((u) => window.attrkit.analytics.setAttributes({ distinctId: u, attributes: { role: "admin", plan: "Pro" } }), user);
  relay.rule = (e) => (isBatch(e) ? { refuse: true } : undefined);
  await tab.page.evaluate((u) => {
    const a = window.attrkit.analytics;
    window.__calls = [
      a.setAttribute({ distinctId: u, attribute: "plan", value: "Starter" }),
      a.clearAttribute({ distinctId: u, attribute: "role" }),
      a.setAttribute({ distinctId: u, attribute: "team_size", value: 9 }),
    ].map((p) => p.then((v) => ({ ok: true, v }), (e) => ({ ok: false, code: e.code })));
  }, user);
  const mine = (e) => isBatch(e) && e.writes?.some((w) => w.distinctId === user && w.clear === true);
  await eventually(() => relay.log.some(mine), { message: "a refused batch carried the clear" });
  const attempted = relay.log.find(mine);
  assert.deepEqual(attempted.writes.map(shape), [["plan", "Starter"], ["role", "clear"], ["team_size", 9]]);
  assert.equal("value" in attempted.writes[1], false);
  return { tab, ids: attempted.writes.map((w) => w.id) };
}

async function deliveredOnce(user, ids) {
  await waitForStored(stack, user, { plan: "Starter", team_size: 9 });
  const got = await relay.stored(3, (w) => w.distinctId === user && ids.includes(w.id));
  assert.deepEqual([...new Set(got.map((w) => w.id))], ids, "the server got those ids, in order");
  assert.deepEqual(got.slice(0, 3).map(shape), [["plan", "Starter"], ["role", "clear"], ["team_size", 9]]);
  // Applied exactly once each, whatever the browser retried (the server's own count).
  const r = await api(stack.server, "GET", `/api/v1/debug/writes?distinctId=${user}`, { key: stack.server.secretKey });
  assert.equal(r.status, 200);
  const counts = new Map(r.body.writes.map((w) => [w.id, w]));
  for (const id of ids) assert.equal(counts.get(id)?.applied, 1, `${id}: ${JSON.stringify(counts.get(id))}`);
}

test("a clear made while batches are refused is delivered once they pass, in order", async () => {
  const user = "user-clear-back";
  const { tab, ids } = await offlineClear(user);
  relay.rule = () => undefined;
  const results = await tab.page.evaluate(() => Promise.all(window.__calls));
  assert.deepEqual(results.map((r) => r.ok), [true, true, true]);
  assert.deepEqual({ ...results[1].v, personId: typeof results[1].v.personId }, { personId: "string", attribute: "role", value: null });
  await deliveredOnce(user, ids);
  const seen = await tab.page.evaluate((u) => window.attrkit.analytics.getAttributes({ distinctId: u }), user);
  assert.deepEqual(seen.attributes, { plan: "Starter", team_size: 9 });
  await tab.close();
});

test("a clear made while batches are refused survives a reload and is delivered by the next page", async () => {
  const user = "user-clear-reload";
  const { tab, ids } = await offlineClear(user);
  const stored = Object.values(await statesOf(tab.page));
  assert.ok(stored.some((s) => s.writes.some((w) => w.clear === true && w.attribute === "role")), "the clear is stored");
  await tab.page.reload(); // the pagehide flush is refused too
  relay.rule = () => undefined;
  await waitForSdk(tab.page);
  await deliveredOnce(user, ids);
  await eventually(async () => Object.values(await statesOf(tab.page)).every((s) => s.writes.length === 0), {
    message: "nothing left stored",
  });
  await tab.close();
});
