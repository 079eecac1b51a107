// Transient failures (DESIGN §5, docs/delivery.md): requests that hang past the 10 s timeout,
// answers dropped after the server committed, refused connections — all retried and ending
// delivered, each write applied once (the server's count); tries running out after exactly 10
// requests with delivery_failed and one error event; offline time not using up tries; the 24 h
// age limit.
//
// How time is driven: node:test MockTimers mock setTimeout and Date before each client is created
// (helpers/delivery.mjs), so the runtime's own timers — the flush window, the retry wake-up, the
// 10 s abort in transport.js, the 5 s offline recheck — run on a clock the test advances in steps,
// while fetch, the fault proxy and the server stay real. The ~3 minutes of backoff of 10 tries and
// a day offline take a few seconds. "Offline" is navigator.onLine === false, which the transport
// reads at each request (a Node global defined here, removed afterwards).
import assert from "node:assert/strict";
import { after, afterEach, before, test } from "node:test";

import {
  appliedCounts, loadSdk, recordEvents, startBackend, storedAttributes, track, useMockClock,
} from "./helpers/delivery.mjs";

const { createClient } = await loadSdk();
// A bound in REAL time: a test waiting on something that never comes fails instead of hanging.
const TEST_TIMEOUT_MS = 60_000;

let backend;
let clock;
const clients = [];
before(async () => {
  backend = await startBackend();
  clock = useMockClock({ proxy: backend.proxy, step: 250 });
}, { timeout: TEST_TIMEOUT_MS });
afterEach(() => {
  backend.proxy.clear();
  setOnline(true);
  clock.step = 250;
});
after(async () => {
  for (const c of clients) c.close();
  clock?.reset();
  delete globalThis.navigator;
  await backend?.stop();
});

async function newClient() {
  const c = await createClient(backend.init);
  clients.push(c);
  clock.clients = clients;
  return c;
}

function setOnline(online) {
  Object.defineProperty(globalThis, "navigator", { value: { onLine: online }, configurable: true, writable: true });
}

const requestsFor = (user) => backend.proxy.batches().filter((e) => e.writes.some((w) => w.distinctId === user));
const settled = (t) => () => t.state !== "pending";

// One write for `user`; advances until it settles. Returns the tracked Promise.
async function writeAndSettle(client, user, attribute, value, maxMs = 30 * 60_000) {
  const t = track(client.analytics.setAttribute({ distinctId: user, attribute, value }));
  await clock.advanceUntil(settled(t), `${user} settled`, maxMs);
  return t;
}

test("requests hanging past the 10 s timeout are aborted, retried with backoff, and end delivered", { timeout: TEST_TIMEOUT_MS }, async () => {
  const client = await newClient();
  const user = "tr-hang";
  backend.proxy.script(2, { do: "hang" });
  const w = await writeAndSettle(client, user, "plan", "Pro");
  assert.equal(w.state, "resolved", w.error?.code);
  const reqs = requestsFor(user);
  assert.deepEqual(reqs.map((e) => e.action), ["hang", "hang", "pass"]);
  assert.deepEqual(reqs[1].ids, reqs[0].ids);
  assert.deepEqual(reqs[2].ids, reqs[0].ids);
  for (const e of reqs.slice(0, 2)) {
    const held = e.closedAt - e.at;
    assert.ok(held >= 10_000 && held <= 10_000 + 2 * clock.step, `the client gave up after ${held} ms`);
  }
  const backoff1 = reqs[1].at - reqs[0].closedAt;
  const backoff2 = reqs[2].at - reqs[1].closedAt;
  assert.ok(backoff1 >= 450 - clock.step && backoff1 <= 550 + clock.step, `first backoff ${backoff1} ms`);
  assert.ok(backoff2 >= 900 - clock.step && backoff2 <= 1100 + clock.step, `second backoff ${backoff2} ms`);
  assert.deepEqual(await storedAttributes(backend.server, user), { plan: "Pro" });
});

test("a request the server committed but never answered (hang after commit): retried, applied once", { timeout: TEST_TIMEOUT_MS }, async () => {
  const client = await newClient();
  const user = "tr-hang-commit";
  backend.proxy.script(1, { do: "hang", forward: true });
  const w = await writeAndSettle(client, user, "role", "viewer");
  assert.equal(w.state, "resolved", w.error?.code);
  const reqs = requestsFor(user);
  assert.deepEqual(reqs.map((e) => [e.action, e.serverStatus]), [["hang", 200], ["pass", 200]]);
  const counts = await appliedCounts(backend.server, { distinctId: user });
  assert.deepEqual([...counts.values()].map((c) => [c.applied, c.replayed]), [[1, 1]]);
});

test("answers dropped after the server committed: retried under the same ids, applied once", { timeout: TEST_TIMEOUT_MS }, async () => {
  const client = await newClient();
  const events = recordEvents(client);
  const user = "tr-drop";
  backend.proxy.script(2, { do: "drop" });
  const a = track(client.analytics.setAttribute({ distinctId: user, attribute: "plan", value: "Growth" }));
  const b = track(client.analytics.setAttribute({ distinctId: user, attribute: "team_size", value: 42 }));
  await clock.advanceUntil(() => a.state !== "pending" && b.state !== "pending", "both settled", 60_000);
  assert.deepEqual([a.state, b.state], ["resolved", "resolved"]);
  assert.deepEqual([a.value.value, b.value.value], ["Growth", 42]);
  const reqs = requestsFor(user);
  assert.deepEqual(reqs.map((e) => e.action), ["drop", "drop", "pass"]);
  for (const e of reqs) assert.equal(e.serverStatus, 200, "every try reached the server");
  const counts = await appliedCounts(backend.server, { distinctId: user });
  assert.equal(counts.size, 2);
  for (const c of counts.values()) assert.deepEqual([c.applied, c.stale, c.replayed], [1, 0, 2]);
  assert.deepEqual(await storedAttributes(backend.server, user), { plan: "Growth", team_size: 42 });
  assert.equal(events.delivered.length, 2, "one delivered event per write, not per try");
  assert.equal(events.errors.length, 0);
});

test("a 2xx that does not account for every write (or is not JSON) is retried, then delivered once", { timeout: TEST_TIMEOUT_MS }, async () => {
  const client = await newClient();
  const user = "tr-bad-2xx";
  backend.proxy.script(1, { do: "status", status: 200, body: { results: [] } });
  backend.proxy.script(1, { do: "status", status: 200, body: "<html>maintenance</html>" });
  const w = await writeAndSettle(client, user, "plan", "Starter");
  assert.equal(w.state, "resolved", w.error?.code);
  assert.deepEqual(requestsFor(user).map((e) => [e.action, e.status]), [["status", 200], ["status", 200], ["pass", 200]]);
  const counts = await appliedCounts(backend.server, { distinctId: user });
  assert.deepEqual([...counts.values()].map((c) => [c.applied, c.replayed]), [[1, 0]]);
});

test("refused connections are retried until the server is reachable again", { timeout: TEST_TIMEOUT_MS }, async () => {
  const client = await newClient();
  const user = "tr-refused";
  await backend.proxy.refuse();
  let w;
  try {
    w = track(client.analytics.setAttribute({ distinctId: user, attribute: "persona", value: "teacher" }));
    // First try after the 1 s window, then 0.5, 1, 2 s of backoff: several refused tries.
    await clock.advanceUntil(() => (client.inspect().outbox[0]?.tries ?? 0) >= 3, "three refused tries", 60_000);
    assert.equal(w.state, "pending");
    assert.equal(requestsFor(user).length, 0, "nothing got through");
  } finally {
    await backend.proxy.accept();
  }
  await clock.advanceUntil(settled(w), "delivered once accepted again", 5 * 60_000);
  assert.equal(w.state, "resolved", w.error?.code);
  assert.equal(requestsFor(user).length, 1);
  const counts = await appliedCounts(backend.server, { distinctId: user });
  assert.deepEqual([...counts.values()].map((c) => c.applied), [1]);
});

test("tries run out after exactly 10 requests: delivery_failed, one error event; later writes still go", { timeout: TEST_TIMEOUT_MS }, async () => {
  const client = await newClient();
  const events = recordEvents(client);
  const user = "tr-exhausted";
  backend.proxy.always({ do: "status", status: [500, 502, 503, 504] });
  const w = await writeAndSettle(client, user, "plan", "Enterprise");
  assert.equal(w.state, "rejected");
  assert.equal(w.error.code, "delivery_failed");
  assert.equal(w.error.attribute, "plan");
  const reqs = requestsFor(user);
  assert.equal(reqs.length, 10, "exactly 10 tries");
  assert.equal(new Set(reqs.map((e) => e.ids.join())).size, 1, "all under the same id");
  // The waits between tries: 0.5 s doubling to 60 s, +-10% jitter (plus one clock step).
  const nominal = [500, 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000];
  reqs.slice(1).forEach((e, i) => {
    const gap = e.at - reqs[i].answeredAt;
    assert.ok(gap >= nominal[i] * 0.9 && gap <= nominal[i] * 1.1 + clock.step, `wait ${i + 1}: ${gap} ms, nominal ${nominal[i]}`);
  });
  assert.deepEqual(events.errors.map((e) => e.code), ["delivery_failed"]);
  assert.deepEqual(events.errors[0].writeIds, reqs[0].ids);

  backend.proxy.clear();
  const later = await writeAndSettle(client, user, "role", "member");
  assert.equal(later.state, "resolved");
  assert.deepEqual(await storedAttributes(backend.server, user), { role: "member" });
});

test("offline time does not use up tries: 3 failures, 10 minutes offline, then exactly 7 more", { timeout: TEST_TIMEOUT_MS }, async () => {
  const client = await newClient();
  const events = recordEvents(client);
  const user = "tr-offline";
  backend.proxy.always({ do: "status", status: 503 });
  const w = track(client.analytics.setAttribute({ distinctId: user, attribute: "plan", value: "Starter" }));
  await clock.advanceUntil(() => requestsFor(user).length === 3, "three failed tries", 60_000);
  setOnline(false);
  await clock.advance(10 * 60_000);
  assert.equal(requestsFor(user).length, 3, "no request while offline");
  assert.equal(w.state, "pending", "still queued after 10 minutes offline");
  assert.equal(client.inspect().outbox[0].tries, 3, "offline rechecks gave their tries back");
  setOnline(true);
  await clock.advanceUntil(settled(w), "tries exhausted", 10 * 60_000);
  assert.equal(w.state, "rejected");
  assert.equal(w.error.code, "delivery_failed");
  assert.equal(requestsFor(user).length, 10);
  assert.deepEqual(events.errors.map((e) => e.code), ["delivery_failed"]);
});

test("a write offline for 24 hours fails with delivery_failed, without a request", { timeout: TEST_TIMEOUT_MS }, async () => {
  const client = await newClient();
  const events = recordEvents(client);
  const user = "tr-day-offline";
  setOnline(false);
  clock.step = 60_000;
  const w = track(client.analytics.setAttribute({ distinctId: user, attribute: "plan", value: "Free" }));
  await clock.advance(23 * 3600_000);
  assert.equal(w.state, "pending", "still waiting after 23 hours");
  await clock.advanceUntil(settled(w), "the 24 h limit", 2 * 3600_000);
  assert.equal(w.state, "rejected");
  assert.equal(w.error.code, "delivery_failed");
  assert.equal(requestsFor(user).length, 0);
  assert.deepEqual(events.errors.map((e) => e.code), ["delivery_failed"]);
});
