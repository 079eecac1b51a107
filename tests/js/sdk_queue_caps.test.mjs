// Queue caps keep the newest truth (issue #14; DESIGN §3 queue_full): repeated writes of one
// attribute made before the config arrives collapse to the last before the cap applies, so the
// server ends with the last valid value. The real Wasm core, the real runtime, the real server.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { Runtime } from "../../js/src/runtime.js";
import { loadTestCore } from "./helpers/core.mjs";
import { api, startServer } from "./helpers/server.mjs";

let server;
before(async () => {
  server = await startServer();
});
after(async () => server?.stop());

const stored = async (id) =>
  (await api(server, "GET", `/api/v1/persons/${id}/attributes`, { key: server.secretKey })).body?.attributes;

async function until(fn, what, ms = 20000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("10,000 writes of one attribute before the config: the last one is stored, none refused", async () => {
  const rt = new Runtime(await loadTestCore());
  try {
    const errors = [];
    rt.push(["on", "error", [(e) => errors.push(e.code)]]);
    // All in one synchronous run: the config request cannot have answered yet.
    rt.push(["do", "init", [{ publicKey: server.publicKey, apiHost: server.url }]]);
    rt.push(["do", "identify", ["caps-1"]]);
    const results = [];
    for (let i = 1; i <= 10000; i++) results.push(rt.push(["set", "user:attributes", [{ team_size: i }]]));
    assert.ok(rt.inspect().pending.length <= 500, "the pending queue stays within its bound");
    const last = rt.push(["set", "user:attributes", [{ role: "admin" }]]); // another attribute still fits
    const settled = await Promise.all(results);
    assert.deepEqual(settled.filter((r) => !r.ok).map((r) => r.error.code), [], "no write refused");
    assert.equal(settled.at(-1).value.team_size, 10000);
    assert.deepEqual(await last, { ok: true, value: { role: "admin" } });
    const s = await until(async () => {
      const a = await stored("caps-1");
      return a?.team_size === 10000 && a?.role === "admin" && a;
    }, "team_size 10000 stored");
    assert.equal(s.team_size, 10000);
    assert.deepEqual(errors, []);
  } finally {
    rt.close();
  }
});

test("held before any identify: rewrites of one attribute never hit queue_full; the last is stored", async () => {
  const rt = new Runtime(await loadTestCore());
  try {
    const init = await rt.push(["do", "init", [{ publicKey: server.publicKey, apiHost: server.url }]]);
    assert.equal(init.ok, true);
    await rt.firstConfig;
    const results = [];
    for (let i = 0; i < 2000; i++) results.push(rt.push(["set", "user:attributes", [{ name: `r${i}` }]]));
    const settled = await Promise.all(results);
    assert.deepEqual(settled.filter((r) => !r.ok).map((r) => r.error.code), []);
    await rt.push(["do", "identify", ["caps-2"]]);
    await until(async () => (await stored("caps-2"))?.name === "r1999", "name r1999 stored");
  } finally {
    rt.close();
  }
});
