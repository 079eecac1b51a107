// Retry-After (DESIGN §5, docs/delivery.md): a 429 or 5xx carrying Retry-After is retried no
// earlier than the header says, in both of its forms (delta-seconds and an HTTP date), capped at
// 300 s; without a usable header the backoff applies. Real npm client, real fetch, the fault
// proxy in front of the real server; the proxy's timestamps prove when each request arrived.
//
// The small delays (1-2 s) run on real timers. The 300 s cap and the repeated 30 s waits run on
// node:test MockTimers (helpers/delivery.mjs: setTimeout and Date mocked before the client is
// created, the clock advanced in steps while the I/O stays real). The core's own unit tests of
// the cap are tests/cpp/core/retry_test.cpp (RetryAfterHonouredAndCapped, RetryAdvice).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { loadSdk, startBackend, storedAttributes, track, until, useMockClock } from "./helpers/delivery.mjs";

const { createClient } = await loadSdk();
// A bound in REAL time: a test waiting on something that never comes fails instead of hanging.
const TEST_TIMEOUT_MS = 60_000;

let backend;
before(async () => {
  backend = await startBackend();
}, { timeout: TEST_TIMEOUT_MS });
after(async () => {
  await backend?.stop();
});

const forUser = (user) => backend.proxy.batches().filter((e) => e.writes.some((w) => w.distinctId === user));

// An HTTP date at least `seconds` ahead of now (the format has whole seconds: rounded up).
const httpDate = (seconds) => new Date(Math.ceil(Date.now() / 1000) * 1000 + seconds * 1000).toUTCString();

describe("on real timers", () => {
  let client;
  before(async () => {
    client = await createClient(backend.init);
  }, { timeout: TEST_TIMEOUT_MS });
  after(() => client?.close());

  test("429 with Retry-After: 2 (seconds): the retry comes no earlier, then the write is stored", { timeout: TEST_TIMEOUT_MS }, async () => {
    const user = "ra-seconds";
    backend.proxy.script(1, { do: "status", status: 429, headers: { "Retry-After": "2" } });
    const r = await client.analytics.setAttribute({ distinctId: user, attribute: "plan", value: "Pro" });
    assert.equal(r.value, "Pro");
    const [first, second, ...rest] = forUser(user);
    assert.equal(rest.length, 0);
    assert.equal(first.status, 429);
    assert.equal(second.status, 200);
    assert.deepEqual(second.ids, first.ids, "the same write, under the same id");
    assert.ok(second.at - first.answeredAt >= 2000, `retried ${second.at - first.answeredAt} ms after the 429`);
    assert.deepEqual(await storedAttributes(backend.server, user), { plan: "Pro" });
  });

  test("503 with Retry-After as an HTTP date: the retry comes no earlier than that date", { timeout: TEST_TIMEOUT_MS }, async () => {
    const user = "ra-date";
    let date;
    backend.proxy.script(1, {
      do: "status", status: 503, headers: { "Retry-After": () => (date = httpDate(2)) },
    });
    await client.analytics.setAttribute({ distinctId: user, attribute: "role", value: "admin" });
    const [first, second] = forUser(user);
    assert.equal(first.status, 503);
    assert.ok(second.at >= Date.parse(date), `retried at ${new Date(second.at).toISOString()}, header said ${date}`);
    assert.deepEqual(await storedAttributes(backend.server, user), { role: "admin" });
  });

  test("writes made during the wait go with the retry, not before it", { timeout: TEST_TIMEOUT_MS }, async () => {
    const user = "ra-queue";
    backend.proxy.script(1, { do: "status", status: 429, headers: { "Retry-After": "2" } });
    const a = track(client.analytics.setAttribute({ distinctId: user, attribute: "plan", value: "Free" }));
    await until(() => forUser(user).length === 1 && forUser(user)[0].status === 429, "the 429");
    const b = track(client.analytics.setAttribute({ distinctId: user, attribute: "team_size", value: 7 }));
    const c = track(client.analytics.setAttribute({ distinctId: "ra-other", attribute: "plan", value: "Pro" }));
    await Promise.all([a.promise, b.promise, c.promise]);
    assert.deepEqual([a.state, b.state, c.state], ["resolved", "resolved", "resolved"]);
    const first = forUser(user)[0];
    const after429 = backend.proxy.batches().filter((e) => e.n > first.n);
    assert.ok(after429.length >= 1);
    for (const e of after429) assert.ok(e.at - first.answeredAt >= 2000, `request #${e.n} came ${e.at - first.answeredAt} ms after the 429`);
  });
});

describe("on a mocked clock", () => {
  let client;
  let clock;
  before(async () => {
    clock = useMockClock({ proxy: backend.proxy, step: 500 });
    client = await createClient(backend.init);
    clock.clients = [client];
  }, { timeout: TEST_TIMEOUT_MS });
  after(() => {
    client?.close();
    clock?.reset();
  });

  // Sends one write whose first request gets `action`, and advances until its second request.
  async function firstRetry(user, action) {
    backend.proxy.script(1, action);
    const w = track(client.analytics.setAttribute({ distinctId: user, attribute: "plan", value: "Growth" }));
    await clock.advanceUntil(() => forUser(user).length === 2, `the retry of ${user}`, 20 * 60_000);
    await clock.advanceUntil(() => w.state !== "pending", `${user} settled`, 60_000);
    assert.equal(w.state, "resolved", w.error?.code);
    const [first, second] = forUser(user);
    return second.at - first.answeredAt;
  }

  test("Retry-After: 3600 is capped at 300 s", { timeout: TEST_TIMEOUT_MS }, async () => {
    const gap = await firstRetry("ra-cap", { do: "status", status: 429, headers: { "Retry-After": "3600" } });
    assert.ok(gap >= 300_000 && gap <= 300_000 + clock.step, `retried after ${gap} ms`);
  });

  test("an HTTP date two hours ahead is capped at 300 s too", { timeout: TEST_TIMEOUT_MS }, async () => {
    const gap = await firstRetry("ra-cap-date", { do: "status", status: 503, headers: { "Retry-After": () => httpDate(7200) } });
    assert.ok(gap >= 300_000 && gap <= 300_000 + clock.step, `retried after ${gap} ms`);
  });

  test("a Retry-After of 0, in the past (clock skew) or unreadable keeps the backoff (0.45-0.55 s)", { timeout: TEST_TIMEOUT_MS }, async () => {
    clock.step = 50; // fine enough to tell "at once" from the first backoff
    try {
      for (const [user, value] of [["ra-zero", "0"], ["ra-past", "Thu, 01 Jan 1970 00:00:00 GMT"], ["ra-garbage", "soon"]]) {
        const gap = await firstRetry(user, { do: "status", status: 429, headers: { "Retry-After": value } });
        assert.ok(gap >= 450 && gap <= 550 + clock.step, `Retry-After: ${value}: retried after ${gap} ms`);
      }
    } finally {
      clock.step = 500;
    }
  });

  test("three 429s with Retry-After: 30 in a row: each wait is honoured, none is cut short", { timeout: TEST_TIMEOUT_MS }, async () => {
    const user = "ra-repeat";
    backend.proxy.script(3, { do: "status", status: 429, headers: { "Retry-After": "30" } });
    const w = track(client.analytics.setAttribute({ distinctId: user, attribute: "plan", value: "Starter" }));
    await clock.advanceUntil(() => w.state !== "pending", `${user} settled`, 10 * 60_000);
    assert.equal(w.state, "resolved");
    const reqs = forUser(user);
    assert.deepEqual(reqs.map((e) => e.status), [429, 429, 429, 200]);
    for (let i = 1; i < reqs.length; i++) {
      const gap = reqs[i].at - reqs[i - 1].answeredAt;
      assert.ok(gap >= 30_000 && gap <= 30_000 + clock.step, `wait ${i}: ${gap} ms`);
    }
  });
});
