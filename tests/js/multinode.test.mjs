// Many nodes on one PostgreSQL database (docs/server.md, "Many nodes"): three server processes
// share a database and the rules that SQLite gets from one process must hold across them, by the
// database's constraints and locks. Requests here go to chosen nodes directly, at the same time,
// to make the races happen; tests/js/delivery_*.test.mjs with ATTRKIT_TEST_NODES=3 (scripts/test.sh)
// run the SDK's delivery, faults included, through a round-robin proxy in front of three nodes.
//
// Always on PostgreSQL: uses $ATTRKIT_TEST_PG_URL's cluster, or starts one (helpers/postgres.mjs).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, test } from "node:test";

import { createDatabase, dropDatabase, psql } from "./helpers/postgres.mjs";
import { startRoundRobinProxy } from "./helpers/round_robin_proxy.mjs";
import { api, serverBinary, startServer } from "./helpers/server.mjs";

const NODES = 3;
let db;
let nodes = [];

before(async () => {
  db = createDatabase();
  for (let i = 0; i < NODES; i++) nodes.push(await startServer({ db }));
});
after(async () => {
  for (const n of nodes) await n.stop();
  if (db) dropDatabase(db);
});

const batch = (node, writes) =>
  api(node, "POST", "/api/v1/attributes/values/batch", { key: node.secretKey, body: { writes } });
const debug = async (query) =>
  (await api(nodes[0], "GET", `/api/v1/debug/writes?${new URLSearchParams(query)}`, { key: nodes[0].secretKey })).body.writes;
const stored = async (node, distinctId) =>
  (await api(node, "GET", `/api/v1/persons/${encodeURIComponent(distinctId)}/attributes`, { key: node.secretKey })).body;

test("every node serves the same workspace: one demo workspace, the same keys", () => {
  for (const n of nodes) {
    assert.equal(n.publicKey, nodes[0].publicKey);
    assert.equal(n.secretKey, nodes[0].secretKey);
  }
});

test("one write id sent to three nodes at the same moment is applied once, and all answer its first result", async () => {
  const ROUNDS = 25;
  for (let r = 0; r < ROUNDS; r++) {
    // A new person each round, so the nodes also race to create it.
    const w = { id: `race-${r}`, distinctId: `race-user-${r}`, attribute: "team_size", value: r + 1, clientId: "c-race", seq: r };
    const answers = await Promise.all(nodes.map((n) => batch(n, [w])));
    for (const a of answers) assert.equal(a.status, 200, a.text);
    const results = answers.map((a) => a.body.results[0]);
    for (const x of results) assert.deepEqual(x, results[0]);
    assert.equal(results[0].ok, true);
    assert.equal(results[0].value, r + 1);
  }
  const counts = await debug({});
  for (let r = 0; r < ROUNDS; r++) {
    const c = counts.find((x) => x.id === `race-${r}`);
    assert.deepEqual([c.applied, c.stale, c.rejected, c.replayed], [1, 0, 0, NODES - 1], `race-${r}`);
  }
});

test("a new person written on three nodes at once gets one person id", async () => {
  for (let r = 0; r < 10; r++) {
    const user = `new-person-${r}`;
    const answers = await Promise.all(nodes.map((n, i) =>
      batch(n, [{ id: `np-${r}-${i}`, distinctId: user, attribute: "plan", value: "Pro" }])));
    const ids = new Set(answers.map((a) => a.body.results[0].personId));
    assert.equal(ids.size, 1, `${user}: ${[...ids]}`);
    assert.equal((await stored(nodes[(r + 1) % NODES], user)).personId, [...ids][0]);
  }
});

test("the seq rule holds across nodes: writes of one client arriving out of order on different nodes leave the highest seq's value", async () => {
  const USERS = 6;
  const SEQS = 40;
  const GROUP = 10;
  // A fixed shuffle of seq 1..40, sent in concurrent groups of ten spread over the nodes; the
  // users' writes race each other too.
  const order = Array.from({ length: SEQS }, (_, i) => i + 1).sort((a, b) => ((a * 7919) % 41) - ((b * 7919) % 41));
  const size = (seq) => seq * 10; // a value per seq, so the stored one names the write that won
  const users = Array.from({ length: USERS }, (_, u) => `seq-user-${u}`);
  for (let i = 0; i < SEQS; i += GROUP) {
    const sends = [];
    for (const [u, user] of users.entries()) {
      for (const [k, seq] of order.slice(i, i + GROUP).entries()) {
        const w = { id: `seq-${u}-${seq}`, distinctId: user, attribute: "team_size", value: size(seq), clientId: "c-seq", seq };
        sends.push(batch(nodes[(u + k) % NODES], [w]));
      }
    }
    for (const a of await Promise.all(sends)) assert.equal(a.body.results[0].ok, true, a.text);
    // After each group: the highest seq sent so far is what is stored, whatever the arrival order.
    const highest = Math.max(...order.slice(0, i + GROUP));
    for (const user of users) assert.equal((await stored(nodes[i % NODES], user)).attributes.team_size, size(highest), user);
  }
  for (const [u, user] of users.entries()) {
    for (const n of nodes) assert.equal((await stored(n, user)).attributes.team_size, size(SEQS), user);
    const counts = await debug({ distinctId: user });
    assert.equal(counts.length, SEQS);
    for (const c of counts) {
      assert.equal(c.applied + c.stale, 1, `${c.id} counted once: ${JSON.stringify(c)}`);
      assert.equal(c.replayed + c.rejected, 0);
    }
    assert.equal(counts.find((c) => c.id === `seq-${u}-${SEQS}`).applied, 1);
  }
});

test("rate limits are shared: a key's budget is one budget whichever node it reaches", async () => {
  const limitedDb = createDatabase();
  const limited = [];
  try {
    // 1 request per second, burst 2, per key: per node that would be 2 at once, 6 over three nodes.
    for (let i = 0; i < NODES; i++) limited.push(await startServer({ db: limitedDb, rateLimit: 1 }));
    const lb = await startRoundRobinProxy(limited);
    try {
      const started = Date.now();
      const statuses = [];
      for (let i = 0; i < 12; i++) {
        const r = await api({ url: lb.url }, "GET", "/api/v1/sdk/config", { key: limited[0].publicKey });
        statuses.push(r.status);
        if (r.status === 429) assert.ok(Number(r.headers.get("retry-after")) >= 1);
      }
      const seconds = (Date.now() - started) / 1000;
      const ok = statuses.filter((s) => s === 200).length;
      assert.deepEqual(lb.counts, [4, 4, 4]);
      // The burst (2) plus what one bucket refilled meanwhile, not 2 per node.
      assert.ok(ok <= 2 + Math.ceil(seconds * 1) + 1, `${ok} of 12 allowed in ${seconds} s: ${statuses}`);
      assert.ok(statuses.filter((s) => s === 429).length >= 12 - ok);
      // Another key has a budget of its own.
      assert.equal((await api({ url: lb.url }, "GET", "/api/v1/sdk/config", { key: limited[0].secretKey })).status, 200);
    } finally {
      await lb.stop();
    }
  } finally {
    for (const n of limited) await n.stop();
    dropDatabase(limitedDb);
  }
});

test("a key revoked (admin command line, on the shared database) is refused by every node from the next request on", async () => {
  // The admin command line works on the same database the nodes share.
  const admin = (...args) => {
    const r = spawnSync(serverBinary(), [...args, "--db", db], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout.trim().split("\n").pop());
  };
  const ws = admin("workspace", "create", "Revocation");
  const extra = admin("keys", "create", "--workspace", ws.workspace, "--role", "secret");
  const read = (node, key) => api(node, "GET", "/api/v1/attributes/definitions", { key });
  for (const n of nodes) assert.equal((await read(n, extra.key)).status, 200);
  const revoked = admin("keys", "revoke", extra.id);
  assert.equal(typeof revoked.revokedMs, "number");
  for (const n of nodes) {
    const r = await read(n, extra.key);
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, "invalid_key");
    // The workspace's other secret key still works.
    assert.equal((await read(n, ws.secretKey)).status, 200);
  }
});

test("connections cut by the database (a restart, a proxy) are replaced: the next requests succeed on every node", async (t) => {
  const name = new URL(db).pathname.slice(1);
  // A node with rate limits too: its limiter has connections of its own, cut as well.
  const limited = await startServer({ db, rateLimit: 100 });
  t.after(() => limited.stop());
  assert.equal((await batch(limited, [{ id: "before-cut", distinctId: "after-cut", attribute: "plan", value: "Free" }])).status, 200);
  // Every connection the nodes hold to this database is terminated by the server.
  const cut = Number(psql(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`));
  assert.ok(cut >= NODES + 2, `${cut} connections cut`);
  for (const [i, n] of [...nodes, limited].entries()) {
    const w = await batch(n, [{ id: `after-cut-${i}`, distinctId: "after-cut", attribute: "plan", value: "Pro" }]);
    assert.equal(w.status, 200, w.text);
    assert.equal((await api(n, "GET", "/readyz")).status, 200);
  }
  // Every connection in the pools was cut; keep going until each one was replaced.
  for (let k = 0; k < 12; k++) {
    const r = await stored(nodes[k % NODES], "after-cut");
    assert.equal(r.attributes.plan, "Pro");
  }
});
