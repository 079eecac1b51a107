// Durability and concurrency of the reference server, over real processes: data and keys survive
// a clean restart; an acknowledged write survives kill -9; ten clients writing at once for a few
// seconds get no error and lose no write.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";

import { api, startServer } from "./helpers/server.mjs";

let dir;
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), "attrkit-durability-"));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

const read = async (server, distinctId) => {
  const res = await api(server, "GET", `/api/v1/persons/${encodeURIComponent(distinctId)}/attributes`, {
    key: server.secretKey,
  });
  return res.status === 200 ? res.body : null;
};

test("a clean stop and restart keeps keys, definitions, settings, values and write ids", async () => {
  const db = path.join(dir, "restart.db");
  const first = await startServer({ db });
  const w = await api(first, "POST", "/api/v1/attributes/values/batch", {
    key: first.publicKey,
    body: { writes: [{ id: "dur-1", distinctId: "dur-user", attribute: "plan", value: "Pro", clientId: "c", seq: 9 }] },
  });
  assert.equal(w.status, 200);
  await api(first, "PUT", "/api/v1/attributes/definitions/dur_attr", { key: first.secretKey, body: { type: "boolean" } });
  await api(first, "PUT", "/api/v1/workspace/settings", { key: first.secretKey, body: { clientAttributeWrites: false } });
  const config = (await api(first, "GET", "/api/v1/sdk/config", { key: first.publicKey })).body;
  const stopped = await first.stop();
  assert.equal(stopped.code, 0, "SIGTERM is a clean exit");
  assert.match(first.output().stdout, /stopped/);

  const second = await startServer({ db });
  try {
    assert.equal(second.publicKey, first.publicKey, "keys are stored, not regenerated");
    assert.equal(second.secretKey, first.secretKey);
    const again = (await api(second, "GET", "/api/v1/sdk/config", { key: second.publicKey })).body;
    assert.deepEqual(again, config);
    assert.equal(again.clientAttributeWrites, false);
    const person = await read(second, "dur-user");
    assert.equal(person.attributes.plan, "Pro");
    // The write id and the client's seq survived too.
    const replay = await api(second, "POST", "/api/v1/attributes/values/batch", {
      key: second.secretKey,
      body: { writes: [{ id: "dur-1", distinctId: "dur-user", attribute: "plan", value: "Free", clientId: "c", seq: 9 }] },
    });
    assert.deepEqual(replay.body.results[0], w.body.results[0]);
    const stale = await api(second, "POST", "/api/v1/attributes/values/batch", {
      key: second.secretKey,
      body: { writes: [{ id: "dur-2", distinctId: "dur-user", attribute: "plan", value: "Free", clientId: "c", seq: 8 }] },
    });
    assert.equal(stale.body.results[0].value, "Pro");
    assert.equal((await read(second, "dur-user")).attributes.plan, "Pro");
  } finally {
    await second.stop();
  }
});

test("a write acknowledged before kill -9 is there after the restart", async () => {
  const db = path.join(dir, "crash.db");
  const first = await startServer({ db });
  const acked = [];
  for (let i = 0; i < 20; i++) {
    const res = await api(first, "POST", "/api/v1/attributes/values/batch", {
      key: first.publicKey,
      body: { writes: [{ id: `crash-${i}`, distinctId: `crash-${i % 4}`, attribute: "team_size", value: i + 1 }] },
    });
    assert.equal(res.status, 200);
    acked.push([`crash-${i % 4}`, i + 1]);
  }
  const single = await api(first, "POST", "/api/v1/attributes/values", {
    key: first.publicKey,
    body: { distinctId: "crash-single", attribute: "persona", value: "student" },
  });
  assert.equal(single.status, 200);
  const killed = await first.kill9();
  assert.equal(killed.signal, "SIGKILL");

  const second = await startServer({ db });
  try {
    const last = new Map(acked);
    for (const [distinctId, value] of last) {
      assert.equal((await read(second, distinctId)).attributes.team_size, value, distinctId);
    }
    assert.equal((await read(second, "crash-single")).attributes.persona, "student");
  } finally {
    await second.stop();
  }
});

test("10 concurrent clients writing for ~3 s: no error, no lost write", async (t) => {
  const server = await startServer({ db: path.join(dir, "concurrent.db") });
  try {
    const deadline = Date.now() + 3000;
    const plans = ["Free", "Starter", "Pro", "Growth", "Enterprise"];
    const lastAcked = new Map(); // "distinctId|attribute" -> value the server acknowledged last
    const errors = [];
    let requests = 0;

    async function client(c) {
      let seq = 0;
      while (Date.now() < deadline) {
        seq++;
        const person = `conc-${c}-${seq % 3}`;
        try {
          if (seq % 2 === 0) {
            const writes = [
              { id: `c${c}-${seq}-a`, distinctId: person, attribute: "team_size", value: seq, clientId: `client-${c}`, seq },
              { id: `c${c}-${seq}-b`, distinctId: person, attribute: "plan", value: plans[seq % 5], clientId: `client-${c}`, seq },
            ];
            const res = await api(server, "POST", "/api/v1/attributes/values/batch", {
              key: server.publicKey,
              body: { writes },
            });
            requests++;
            if (res.status !== 200 || !res.body.results.every((r) => r.ok)) {
              errors.push(`${res.status} ${res.text}`);
              continue;
            }
            for (const r of res.body.results) lastAcked.set(`${person}|${r.attribute}`, r.value);
          } else {
            const res = await api(server, "POST", "/api/v1/attributes/values", {
              key: server.publicKey,
              body: { distinctId: person, attribute: "role", value: ["admin", "member", "viewer"][seq % 3] },
            });
            requests++;
            if (res.status !== 200) {
              errors.push(`${res.status} ${res.text}`);
              continue;
            }
            lastAcked.set(`${person}|role`, res.body.value);
          }
        } catch (e) {
          errors.push(String(e));
        }
      }
    }

    await Promise.all(Array.from({ length: 10 }, (_, c) => client(c)));
    assert.deepEqual(errors, []);
    assert.ok(requests >= 10, `only ${requests} requests`);
    t.diagnostic(`${requests} requests, ${lastAcked.size} person/attribute pairs checked`);

    const persons = new Set([...lastAcked.keys()].map((k) => k.split("|")[0]));
    for (const distinctId of persons) {
      const stored = (await read(server, distinctId)).attributes;
      for (const attribute of ["team_size", "plan", "role"]) {
        const key = `${distinctId}|${attribute}`;
        if (lastAcked.has(key)) assert.deepEqual(stored[attribute], lastAcked.get(key), key);
      }
    }
  } finally {
    await server.stop();
  }
});
