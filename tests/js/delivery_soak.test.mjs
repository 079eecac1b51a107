// The delivery soak (DESIGN §5, docs/delivery.md): 1,000 writes from 10 users, through a fault
// proxy answering 20% of batch requests with a 5xx of its own and dropping 5% of the answers
// after the real server committed them. At the end the server must hold exactly the last value
// written for every person and attribute, every write that reached the server must have been
// applied exactly once (the server's own count: GET /api/v1/debug/writes), and every write the
// SDK accepted must have been delivered or superseded (every Promise resolved, no error event).
//
// Ten npm clients (the built SDK, a Wasm module each), five using the Promise API and five the
// push queue with identify and refetchBoosted (so their Promises too settle only once stored).
// Each writes 100 values over six attributes in 50 rounds, so writes coalesce in the outbox, pile
// up behind retried batches, and share batches with retried ones (last-write-wins by seq).
//
// Time: node:test MockTimers drive the clients' timers (helpers/delivery.mjs), so the ~35 s of
// writing and the backoff tails run in a few seconds of real time while fetch, the proxy and the
// server are real. The faults are drawn from a seeded PRNG, one stream per user, so a seed
// replays the same faults: the seed is printed, and ATTRKIT_FAULT_SEED=<seed> reruns it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { prng } from "./helpers/fault_proxy.mjs";
import {
  appliedCounts, loadSdk, recordEvents, startBackend, storedAttributes, track, useMockClock,
} from "./helpers/delivery.mjs";

const { createClient } = await loadSdk();
// A bound in REAL time: a test waiting on something that never comes fails instead of hanging.
const TEST_TIMEOUT_MS = 120_000;

const USERS = 10;
const ROUNDS = 50;
const PER_ROUND = 2; // 10 users x 50 rounds x 2 = 1,000 writes
const ROUND_GAP_MS = 700; // under the 1 s flush window: batches mix rounds, writes coalesce

// Values already in their normalised form, so "what was written" is "what must be stored".
const ATTRIBUTES = {
  plan: (r) => ["Free", "Starter", "Pro", "Growth", "Enterprise"][Math.floor(r() * 5)],
  role: (r) => ["admin", "member", "viewer"][Math.floor(r() * 3)],
  team_size: (r) => 1 + Math.floor(r() * 10000),
  persona: (r) => ["teacher", "student"][Math.floor(r() * 2)],
  subscription_status: (r) => ["free", "trial", "premium", "past_due", "cancelled"][Math.floor(r() * 5)],
  signup_date: (r) => `2024-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 10)}`,
};
const KEYS = Object.keys(ATTRIBUTES);

let backend;
let clock;
const clients = [];
before(async () => {
  backend = await startBackend({
    faults: [
      { p: 0.2, action: { do: "status", status: [500, 502, 503, 504] } },
      { p: 0.05, action: { do: "drop" } },
    ],
  });
  clock = useMockClock({ proxy: backend.proxy, step: 100 });
  for (let k = 0; k < USERS; k++) clients.push(await createClient(backend.init));
  clock.clients = clients;
}, { timeout: TEST_TIMEOUT_MS });
after(async () => {
  for (const c of clients) c.close();
  clock?.reset();
  await backend?.stop();
});

test("1,000 writes from 10 users through 20% 5xx and 5% dropped answers: last values, each applied once", { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { proxy, server } = backend;
  const seed = proxy.seed;
  t.diagnostic(`fault seed ${seed} (rerun: ATTRKIT_FAULT_SEED=${seed})`);
  const rand = prng(seed ^ 0x5eed);
  const users = clients.map((_, k) => `soak-user-${k}`);
  const events = clients.map(recordEvents);
  for (let k = 5; k < USERS; k++) {
    const r = await clients[k].push(["do", "identify", [users[k]]]);
    assert.equal(r.ok, true);
  }

  const writes = []; // {user, attribute, value, t}
  const expected = users.map(() => ({}));
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < USERS; k++) {
      for (let i = 0; i < PER_ROUND; i++) {
        const attribute = KEYS[Math.floor(rand() * KEYS.length)];
        const value = ATTRIBUTES[attribute](rand);
        expected[k][attribute] = value;
        const p = k < 5
          ? clients[k].analytics.setAttribute({ distinctId: users[k], attribute, value })
          : clients[k].push(["set", "user:attributes", [{ [attribute]: value }, { refetchBoosted: true }]]);
        writes.push({ k, attribute, value, t: track(p) });
      }
    }
    await clock.advance(ROUND_GAP_MS);
  }
  assert.equal(writes.length, 1000);
  await clock.advanceUntil(() => writes.every((w) => w.t.state !== "pending"), "every write settled", 30 * 60_000);

  try {
    // Every write the SDK accepted was delivered or superseded: every Promise resolved, ok.
    const failed = writes.filter((w) => w.t.state !== "resolved" || (w.k >= 5 && !w.t.value.ok));
    assert.deepEqual(failed.map((w) => `${users[w.k]} ${w.attribute}: ${w.t.error?.code ?? w.t.value?.error?.code}`), []);
    assert.deepEqual(events.flatMap((e) => e.errors.map((x) => x.code)), [], "no error event");
    // The last write of each person and attribute resolved with exactly its own value.
    const lastOf = new Map(writes.map((w) => [`${w.k} ${w.attribute}`, w]));
    for (const w of lastOf.values()) {
      const got = w.k < 5 ? w.t.value.value : w.t.value.value[w.attribute];
      assert.deepEqual(got, w.value, `${users[w.k]} ${w.attribute}`);
    }

    // The server holds exactly the last value written, for every person and attribute.
    for (let k = 0; k < USERS; k++) assert.deepEqual(await storedAttributes(server, users[k]), expected[k], users[k]);

    // What the proxy saw: per write id, how often the SDK sent it and how often it was forwarded.
    const sent = new Map();
    for (const e of proxy.batches()) {
      for (const w of e.writes) {
        const s = sent.get(w.id) ?? { write: w, sent: 0, forwarded: 0 };
        s.sent++;
        if (e.forwarded) s.forwarded++;
        sent.set(w.id, s);
      }
    }
    const counts = new Map();
    for (const u of users) for (const [id, c] of await appliedCounts(server, { distinctId: u })) counts.set(id, c);

    // Every write that reached the server was applied exactly once; the other arrivals of its id
    // were replays, answered from the first result.
    for (const [id, c] of counts) {
      const s = sent.get(id);
      assert.ok(s, `${id} is on the server's books but the proxy never forwarded it`);
      assert.deepEqual(
        { applied: c.applied, stale: c.stale, rejected: c.rejected, replayed: c.replayed },
        { applied: 1, stale: 0, rejected: 0, replayed: s.forwarded - 1 },
        `server count of ${id}`,
      );
    }
    // A write sent but never forwarded (every try answered by the proxy) must have been
    // superseded: never applied, and a newer write of that person and attribute was.
    for (const [id, s] of sent) {
      if (s.forwarded > 0) {
        assert.ok(counts.has(id), `${id} was forwarded ${s.forwarded}x but never applied`);
        continue;
      }
      assert.ok(!counts.has(id), id);
      const newer = [...sent.values()].some(
        (o) => o.forwarded > 0 && o.write.distinctId === s.write.distinctId &&
          o.write.attribute === s.write.attribute && o.write.seq > s.write.seq,
      );
      assert.ok(newer, `${id} was sent, never reached the server, and nothing newer replaced it`);
    }
    // Each delivered event names a write the server applied, once.
    const delivered = events.flatMap((e) => e.delivered.map((d) => d.writeId));
    assert.equal(new Set(delivered).size, delivered.length, "no write delivered twice");
    for (const id of delivered) assert.equal(counts.get(id)?.applied, 1, id);

    // The faults really happened, and exercised what they are meant to.
    const batches = proxy.batches();
    const injected = batches.filter((e) => e.action === "status").length;
    const dropped = batches.filter((e) => e.action === "drop").length;
    const replays = [...counts.values()].filter((c) => c.replayed > 0).length;
    t.diagnostic(`${batches.length} batch requests: ${injected} 5xx, ${dropped} dropped after commit; ` +
      `${sent.size} write ids sent (${1000 - sent.size} coalesced away before sending), ${counts.size} applied, ` +
      `${replays} replayed; ${clock.elapsed} ms of mocked time`);
    assert.ok(injected > 0 && dropped > 0 && replays > 0, "faults were injected");
    assert.ok(sent.size < 1000, "some writes were coalesced");
  } catch (e) {
    e.message += `\n(fault seed ${seed}: rerun with ATTRKIT_FAULT_SEED=${seed})`;
    throw e;
  }
});
