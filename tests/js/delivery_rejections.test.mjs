// What is never retried (DESIGN §5, docs/delivery.md): a 400 (or any other 4xx, 501, 505)
// rejects the write with the server's code after exactly one request, and later writes are still
// delivered; a 401, or a 403 client_attribute_writes_disabled, stops sending for the client after
// exactly one request and rejects everything queued with that code in one error event.
//
// The refusals are real where the server can produce them: a definition archived on the server
// after the client cached the config (per-write 400 attribute_archived), the workspace flag turned
// off (403), the proxy forwarding with an unknown key (the server's 401). Batch-level 4xx/5xx
// statuses the server never sends for a well-formed batch are forged by the fault proxy.
//
// Time runs on node:test MockTimers (helpers/delivery.mjs) so "nothing more is sent" can be
// checked over ten minutes of the clients' clock, through the real runtime, fetch, proxy and server.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
  api, loadSdk, recordEvents, startBackend, storedAttributes, track, useMockClock,
} from "./helpers/delivery.mjs";

const { createClient } = await loadSdk();
// A bound in REAL time: a test waiting on something that never comes fails instead of hanging.
const TEST_TIMEOUT_MS = 60_000;

let backend;
let clock;
const clients = [];
before(async () => {
  backend = await startBackend();
  // An attribute to archive later, declared before any client fetches the config.
  const r = await api(backend.server, "PUT", "/api/v1/attributes/definitions/to_archive", {
    key: backend.server.secretKey, body: { type: "string" },
  });
  assert.equal(r.status, 200);
  clock = useMockClock({ proxy: backend.proxy, step: 250 });
}, { timeout: TEST_TIMEOUT_MS });
after(async () => {
  for (const c of clients) c.close();
  clock?.reset();
  await backend?.stop();
});

async function newClient() {
  const c = await createClient(backend.init);
  clients.push(c);
  clock.clients = clients;
  return c;
}

const requestsWith = (id) => backend.proxy.batches().filter((e) => e.ids.includes(id));
const requestsFor = (user) => backend.proxy.batches().filter((e) => e.writes.some((w) => w.distinctId === user));
const settledAll = (ts) => () => ts.every((t) => t.state !== "pending");
const TEN_MINUTES = 10 * 60_000;

describe("4xx and 501/505: exactly one request, the write rejected with the server's code", () => {
  test("a definition archived after the config was cached: per-write 400 attribute_archived, not retried", { timeout: TEST_TIMEOUT_MS }, async () => {
    const client = await newClient();
    const events = recordEvents(client);
    const archived = await api(backend.server, "PUT", "/api/v1/attributes/definitions/to_archive", {
      key: backend.server.secretKey, body: { type: "string", archived: true },
    });
    assert.equal(archived.status, 200);

    const user = "rej-archived";
    const bad = track(client.analytics.setAttribute({ distinctId: user, attribute: "to_archive", value: "x" }));
    const good = track(client.analytics.setAttribute({ distinctId: user, attribute: "plan", value: "Pro" }));
    await clock.advanceUntil(settledAll([bad, good]), "both writes settled", 60_000);
    assert.equal(bad.state, "rejected");
    assert.equal(bad.error.code, "attribute_archived");
    assert.equal(bad.error.status, 400);
    assert.equal(bad.error.attribute, "to_archive");
    assert.equal(good.state, "resolved", "the other write of the same batch is delivered");

    const [req, ...more] = requestsFor(user);
    assert.equal(more.length, 0, "one batch request");
    assert.equal(req.writes.length, 2);
    assert.deepEqual(events.errors.map((e) => [e.code, e.attribute]), [["attribute_archived", "to_archive"]]);
    assert.equal(events.errors[0].writeIds.length, 1);
    const badId = events.errors[0].writeIds[0];

    await clock.advance(TEN_MINUTES);
    assert.equal(requestsWith(badId).length, 1, "the rejected write is never sent again");
    const later = track(client.analytics.setAttribute({ distinctId: user, attribute: "role", value: "admin" }));
    await clock.advanceUntil(settledAll([later]), "a later write settled", 60_000);
    assert.equal(later.state, "resolved");
    assert.deepEqual(await storedAttributes(backend.server, user), { plan: "Pro", role: "admin" });
    assert.equal(events.errors.length, 1);
  });

  test("a batch answered 400 with a code: rejected with that code, one request, later writes delivered", { timeout: TEST_TIMEOUT_MS }, async () => {
    const client = await newClient();
    const events = recordEvents(client);
    const user = "rej-forged-400";
    backend.proxy.script(1, {
      do: "status", status: 400,
      body: { error: { code: "attribute_value_invalid", message: "forged by the proxy", status: 400 } },
    });
    const a = track(client.analytics.setAttribute({ distinctId: user, attribute: "plan", value: "Pro" }));
    const b = track(client.analytics.setAttribute({ distinctId: user, attribute: "role", value: "member" }));
    await clock.advanceUntil(settledAll([a, b]), "both writes settled", 60_000);
    for (const t of [a, b]) {
      assert.equal(t.state, "rejected");
      assert.equal(t.error.code, "attribute_value_invalid");
      assert.equal(t.error.status, 400);
    }
    assert.equal(events.errors.length, 1, "one error event for the rejected batch");
    assert.equal(events.errors[0].code, "attribute_value_invalid");
    assert.equal(events.errors[0].message, "forged by the proxy");
    assert.equal(events.errors[0].writeIds.length, 2);

    await clock.advance(TEN_MINUTES);
    assert.equal(requestsFor(user).length, 1, "never retried");
    const later = track(client.analytics.setAttribute({ distinctId: user, attribute: "persona", value: "teacher" }));
    await clock.advanceUntil(settledAll([later]), "a later write settled", 60_000);
    assert.equal(later.state, "resolved");
    assert.deepEqual(await storedAttributes(backend.server, user), { persona: "teacher" });
  });

  const statuses = [
    [404, "not_found"], [409, "server_error"], [413, "payload_too_large"], [422, "server_error"],
    [501, "server_error"], [505, "server_error"],
  ];
  test(`${statuses.map(([s]) => s).join(", ")} without a body: one request each, rejected by status`, { timeout: TEST_TIMEOUT_MS }, async () => {
    const client = await newClient();
    const events = recordEvents(client);
    for (const [status, code] of statuses) {
      const user = `rej-${status}`;
      backend.proxy.script(1, { do: "status", status, body: "" });
      const w = track(client.analytics.setAttribute({ distinctId: user, attribute: "plan", value: "Free" }));
      await clock.advanceUntil(settledAll([w]), `the ${status} settled`, 60_000);
      assert.equal(w.state, "rejected", `${status}`);
      assert.equal(w.error.code, code, `${status}`);
      await clock.advance(5 * 60_000);
      assert.equal(requestsFor(user).length, 1, `${status} is not retried`);
    }
    assert.equal(events.errors.length, statuses.length);
  });
});

describe("401 and 403 client_attribute_writes_disabled: one request, then the client stops", () => {
  // 60 writes over 10 persons: one batch of 50 goes, 10 wait behind it; plus a held push write.
  function queueMany(client, prefix) {
    const attrs = ["plan", "role", "persona", "team_size", "subscription_status", "signup_date"];
    const values = { plan: "Pro", role: "admin", persona: "student", team_size: 3, subscription_status: "trial", signup_date: "2024-06-15" };
    const tracked = [];
    for (let p = 0; p < 10; p++) {
      for (const a of attrs) tracked.push(track(client.analytics.setAttribute({ distinctId: `${prefix}-${p}`, attribute: a, value: values[a] })));
    }
    return tracked;
  }

  async function expectStopped(client, events, tracked, held, code, status) {
    await clock.advanceUntil(settledAll(tracked), "every queued write settled", 60_000);
    assert.deepEqual([...new Set(tracked.map((t) => t.state))], ["rejected"]);
    assert.deepEqual([...new Set(tracked.map((t) => t.error.code))], [code]);
    assert.deepEqual([...new Set(tracked.map((t) => t.error.status))], [status]);
    assert.equal(events.errors.length, 1, "ONE error event for everything that was queued");
    assert.equal(events.errors[0].code, code);
    assert.equal(events.errors[0].writeIds.length, 61, "the 60 writes and the held one");
    assert.equal(held.state, "resolved", "the held push had resolved when it was queued");
    assert.equal(client.inspect().stopped, code);
    assert.deepEqual([client.inspect().outbox.length, client.inspect().held.length], [0, 0]);

    // Nothing more, ever: ten minutes later, and after new writes of both kinds.
    const before = backend.proxy.log.length;
    await clock.advance(TEN_MINUTES);
    const late = track(client.analytics.setAttribute({ distinctId: "after-stop", attribute: "plan", value: "Pro" }));
    const pushed = await client.push(["set", "user:attributes", [{ role: "viewer" }]]);
    await clock.advance(TEN_MINUTES);
    assert.equal(late.state, "rejected");
    assert.equal(late.error.code, code);
    assert.equal(pushed.ok, false);
    assert.equal(pushed.error.code, code);
    assert.equal(backend.proxy.log.length, before, "no request after the stop");
  }

  test("403 client_attribute_writes_disabled (the flag turned off on the server)", { timeout: TEST_TIMEOUT_MS }, async () => {
    const client = await newClient();
    const events = recordEvents(client);
    const off = await api(backend.server, "PUT", "/api/v1/workspace/settings", { key: backend.server.secretKey, body: { clientAttributeWrites: false } });
    assert.equal(off.status, 200);
    try {
      const held = track(client.push(["set", "user:attributes", [{ plan: "Growth" }]])); // no identify yet
      const tracked = queueMany(client, "stop403");
      await clock.advanceUntil(() => backend.proxy.batches().some((e) => e.status === 403), "the 403", 60_000);
      const sent = backend.proxy.batches().filter((e) => e.writes.some((w) => w.distinctId.startsWith("stop403")));
      assert.equal(sent.length, 1, "exactly one request");
      assert.equal(sent[0].writes.length, 50);
      assert.equal(sent[0].serverStatus, 403, "the server's own 403");
      await expectStopped(client, events, tracked, held, "client_attribute_writes_disabled", 403);
    } finally {
      await api(backend.server, "PUT", "/api/v1/workspace/settings", { key: backend.server.secretKey, body: { clientAttributeWrites: true } });
    }
  });

  test("401 invalid_key (the server refuses the key the batch carries)", { timeout: TEST_TIMEOUT_MS }, async () => {
    const client = await newClient();
    const events = recordEvents(client);
    // A well-formed publishable key the server does not know: its real 401.
    backend.proxy.always({ do: "key", key: `pk_live_${"Zz9".repeat(11)}` });
    try {
      const held = track(client.push(["set", "user:attributes", [{ plan: "Growth" }]]));
      const tracked = queueMany(client, "stop401");
      await clock.advanceUntil(() => backend.proxy.batches().some((e) => e.status === 401), "the 401", 60_000);
      const sent = backend.proxy.batches().filter((e) => e.writes.some((w) => w.distinctId.startsWith("stop401")));
      assert.equal(sent.length, 1, "exactly one request");
      assert.equal(sent[0].serverStatus, 401, "the server's own 401");
      await expectStopped(client, events, tracked, held, "invalid_key", 401);
    } finally {
      backend.proxy.clear();
    }
  });
});
