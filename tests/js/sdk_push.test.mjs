// client.push (DESIGN §2a) of the npm build against a REAL server: exact results, events,
// the identify callback, user:attributes options, and push never rejecting on garbage.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, test } from "node:test";

import { createClientWith } from "../../js/src/client.js";
import { Runtime } from "../../js/src/runtime.js";
import { loadTestCore } from "./helpers/core.mjs";
import { appliedCounts, recordEvents, until } from "./helpers/delivery.mjs";
import { api, sdkDir, startServer } from "./helpers/server.mjs";

const dist = `${sdkDir}/attrkit.node.mjs`; // what Node resolves "attrkit" to (the exports "node" condition)
if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`node js/build.mjs\``);
const { createClient, AttrkitError } = await import(dist);

describe("push queue through the npm client", () => {
  let server;
  const stored = async (id) => (await api(server, "GET", `/api/v1/persons/${id}/attributes`, { key: server.secretKey })).body;
  before(async () => {
    server = await startServer();
  });
  after(async () => server?.stop());

  test("identify, set, get, reset: exact results and events", async () => {
    const c = await createClient({ publicKey: server.publicKey, apiHost: server.url });
    const seen = [];
    for (const ev of ["ready", "identified", "delivered", "error"]) {
      const r = await c.push(["on", ev, [(x) => seen.push([ev, ev === "error" ? x.code : x])]]);
      assert.deepEqual(r, { ok: true, value: null });
    }
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(seen[0][0], "ready", "a late ready listener still hears it");
    assert.equal(typeof seen[0][1].workspace, "string");

    let called = null;
    const id = await c.push(["do", "identify", ["user-100", (d) => (called = d)]]);
    assert.deepEqual(id, { ok: true, value: { distinctId: "user-100" } });
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(called, "user-100");
    assert.deepEqual(seen.find((s) => s[0] === "identified"), ["identified", { distinctId: "user-100", changed: true }]);

    assert.deepEqual(await c.push(["set", "user:name", ["Sam Taylor"]]), { ok: true, value: { name: "Sam Taylor" } });
    assert.deepEqual(await c.push(["set", "user:language", ["fr"]]), { ok: true, value: { language: "fr" } });
    assert.deepEqual(
      await c.push(["set", "user:attributes", [{ plan: "pro", role: "Admin", signup_date: "2024-06-15" }, { refetchBoosted: false, removeUnspecified: false }]]),
      { ok: true, value: { plan: "Pro", role: "admin", signup_date: "2024-06-15" } },
    );
    const view = await c.push(["get", "user:attributes", []]);
    assert.deepEqual(view, { ok: true, value: { name: "Sam Taylor", language: "fr", plan: "Pro", role: "admin", signup_date: "2024-06-15" } });

    // refetchBoosted: resolves once stored, with the stored values; the earlier writes went first.
    assert.deepEqual(await c.push(["set", "user:attributes", [{ team_size: 7 }, true]]), { ok: true, value: { team_size: 7 } });
    assert.deepEqual((await stored("user-100")).attributes, { name: "Sam Taylor", language: "fr", plan: "Pro", role: "admin", signup_date: "2024-06-15", team_size: 7 });
    const delivered = seen.filter((s) => s[0] === "delivered").map((s) => s[1].attribute).sort();
    assert.deepEqual(delivered, ["language", "name", "plan", "role", "signup_date", "team_size"]);

    // removeUnspecified: the server keeps only these.
    assert.deepEqual(await c.push(["set", "user:attributes", [{ plan: "Growth" }, { removeUnspecified: true, refetchBoosted: true }]]), { ok: true, value: { plan: "Growth" } });
    assert.deepEqual((await stored("user-100")).attributes, { plan: "Growth" });
    assert.deepEqual(await c.push(["get", "user:attributes"]), { ok: true, value: { plan: "Growth" } });

    assert.deepEqual(await c.push(["do", "reset", []]), { ok: true, value: null });
    assert.deepEqual(await c.push(["get", "user:attributes", []]), { ok: true, value: {} });
    assert.deepEqual(seen.filter((s) => s[0] === "error"), []);
    c.close();
  });

  test("writes before identify are held, then attached to the first identify", async () => {
    const c = await createClient({ publicKey: server.publicKey, apiHost: server.url });
    const held = c.push(["set", "user:attributes", [{ plan: "Starter" }, true]]);
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal((await api(server, "GET", "/api/v1/persons/user-101/attributes", { key: server.secretKey })).status, 404);
    await c.push(["do", "identify", ["user-101"]]);
    assert.deepEqual(await held, { ok: true, value: { plan: "Starter" } });
    assert.deepEqual((await stored("user-101")).attributes, { plan: "Starter" });
    c.close();
  });

  test("off removes a listener; errors reach on(error) exactly once", async () => {
    const c = await createClient({ publicKey: server.publicKey, apiHost: server.url });
    const a = [];
    const b = [];
    const fa = (e) => a.push(e);
    await c.on("error", fa);
    await c.on("error", (e) => b.push(e));
    const r = await c.push(["set", "user:attributes", [{ plan: "Diamond" }]]);
    assert.equal(r.ok, false);
    assert.ok(r.error instanceof AttrkitError);
    assert.deepEqual([r.error.code, r.error.status, r.error.attribute], ["attribute_value_invalid", 400, "plan"]);
    assert.equal(a.length, 1);
    assert.equal(a[0].code, "attribute_value_invalid");
    assert.deepEqual(await c.off("error", fa), { ok: true, value: null });
    await c.push(["set", "nope", []]);
    assert.equal(a.length, 1);
    assert.equal(b.length, 2);
    assert.equal(b[1].code, "invalid_command");
    c.close();
  });

  test("push never throws or rejects, whatever it is given", async () => {
    const c = await createClient({ publicKey: server.publicKey, apiHost: server.url });
    const cyclic = [];
    cyclic.push(cyclic);
    const cyclicObj = {};
    cyclicObj.self = cyclicObj;
    const throwing = { get 0() { throw new Error("getter"); } };
    const proxy = new Proxy([], { get() { throw new Error("trap"); } });
    const garbage = [undefined, null, {}, [1], "set", 42, [], ["set"], ["set", "user:attributes"], ["do", "init"],
      ["set", "user:attributes", [cyclicObj]], cyclic, throwing, proxy, ["on", "error", ["not a function"]],
      ["set", "user:attributes", [{ plan: "Pro" }, { removeUnspecfied: true }]], ["set", "user:attributes", [JSON.parse('{"__proto__": "x"}')]],
      Symbol("x"), () => {}, ["do", "identify", [{ toString() { throw new Error("x"); } }]]];
    for (const [i, g] of garbage.entries()) {
      let p;
      assert.doesNotThrow(() => (p = c.push(g)));
      const r = await p;
      assert.equal(r.ok, false, `garbage[${i}] must fail`);
      assert.ok(r.error instanceof AttrkitError);
      assert.equal(typeof r.error.code, "string");
    }
    assert.equal(Object.prototype.polluted, undefined);
    c.close();
    const closed = await c.push(["get", "user:attributes", []]);
    assert.equal(closed.ok, false);
  });

  test("inspect(): the engine's state, synchronously, as the demo console reads it", async () => {
    const c = await createClient({ publicKey: server.publicKey, apiHost: server.url });
    const before = c.inspect();
    assert.match(before.clientId, /^[a-z0-9]{16}$/);
    assert.equal(before.configured, true);
    assert.equal(typeof before.workspace, "string");
    assert.equal(before.identity, undefined);
    c.push(["set", "user:attributes", [{ plan: "pro" }]]); // no identity: held
    let s = c.inspect();
    assert.deepEqual(s.held.map((w) => [w.attribute, w.value, w.distinctId]), [["plan", "Pro", undefined]]);
    c.push(["do", "identify", ["user-103"]]);
    s = c.inspect();
    assert.equal(s.identity, "user-103");
    assert.deepEqual(s.held, []);
    assert.deepEqual(s.outbox.map((w) => [w.attribute, w.distinctId]), [["plan", "user-103"]]);
    assert.notEqual(c.inspect(), c.inspect(), "a fresh copy every call");
    await c.push(["set", "user:attributes", [{ role: "admin" }, { refetchBoosted: true }]]);
    s = c.inspect();
    assert.deepEqual([s.outbox.length, s.inFlight], [0, undefined]);
    assert.deepEqual(s.view, { plan: "Pro", role: "admin" });
    c.close();
    assert.equal(c.inspect(), null);
  });

  test("each client has its own core module and engine", async () => {
    const [a, b] = await Promise.all([1, 2].map(() => createClient({ publicKey: server.publicKey, apiHost: server.url })));
    await a.push(["do", "identify", ["user-104"]]);
    await b.push(["do", "identify", ["user-105"]]);
    await a.push(["set", "user:attributes", [{ plan: "pro" }]]);
    assert.equal(a.inspect().identity, "user-104");
    assert.equal(b.inspect().identity, "user-105");
    assert.deepEqual((await b.push(["get", "user:attributes", []])).value, {});
    a.close();
    assert.equal(b.inspect().identity, "user-105", "closing one leaves the other running");
    assert.deepEqual(await b.push(["set", "user:attributes", [{ plan: "growth" }, true]]), { ok: true, value: { plan: "Growth" } });
    b.close();
  });

  test("each client is its own instance: write ids <clientId>-<instance>-<seq>, never shared", async () => {
    const [a, b] = await Promise.all([1, 2].map(() => createClient({ publicKey: server.publicKey, apiHost: server.url })));
    const events = [a, b].map(recordEvents);
    const made = []; // each client's team_size write, as its engine made it
    for (const c of [a, b]) {
      await c.push(["do", "identify", ["user-106"]]);
      await c.push(["set", "user:attributes", [{ team_size: 3 }]]);
      // Read in the push's own turn: a write stays in inspect().outbox until its batch is answered.
      made.push(c.inspect().outbox.find((w) => w.attribute === "team_size"));
    }
    const [wa, wb] = made;
    const parts = (w) => /^([a-z0-9]{16})-([a-z0-9]{10})-(\d+)$/.exec(w?.id);
    assert.ok(parts(wa) && parts(wb), `${wa?.id} ${wb?.id}`);
    assert.equal(parts(wa)[1], a.inspect().clientId);
    assert.equal(Number(parts(wa)[3]), wa.seq);
    assert.notEqual(parts(wa)[2], parts(wb)[2], "two instances");
    assert.notEqual(wa.id, wb.id);
    // Both writes are stored as their own, under the ids their clients made, whenever each one's
    // flush window sent it: wait for both (bounded), so what follows never depends on that timing.
    const deliveredIds = () => events.map((e) => e.delivered.filter((d) => d.attribute === "team_size").map((d) => d.writeId));
    await until(() => deliveredIds().every((ids) => ids.length > 0), "both team_size writes delivered", 15000);
    assert.deepEqual(deliveredIds(), [[wa.id], [wb.id]]);
    const applied = await appliedCounts(server, { distinctId: "user-106" });
    assert.deepEqual([wa.id, wb.id].map((id) => applied.get(id)?.applied), [1, 1], "each applied, as its own");
    // b's batch (the role) is stored after both team_size 3 writes and before a's newer team_size
    // is made: between clients, the later arrival wins.
    assert.deepEqual(await b.push(["set", "user:attributes", [{ role: "viewer" }, true]]), { ok: true, value: { role: "viewer" } });
    assert.deepEqual(await a.push(["set", "user:attributes", [{ team_size: 4 }, true]]), { ok: true, value: { team_size: 4 } });
    assert.deepEqual((await stored("user-106")).attributes, { team_size: 4, role: "viewer" });
    assert.deepEqual(events.map((e) => e.errors), [[], []]);
    a.close();
    b.close();
  });

  test("the same set pushed again: answered short by the core, each push its own answer, one write sent", async () => {
    // The runtime over a core whose answers are watched: a repeated set comes back as
    // [ticket, wake, events] (docs/engine.md "A repeated set").
    const core = await loadTestCore();
    const command = core.engineCommand;
    const short = [];
    core.engineCommand = (cmd, now) => {
      const r = command(cmd, now);
      short.push(Array.isArray(r));
      return r;
    };
    const c = await createClientWith(async () => core, { publicKey: server.publicKey, apiHost: server.url });
    const errors = [];
    await c.push(["on", "error", [(e) => errors.push(e)]]);
    await c.push(["do", "identify", ["user-repeat"]]);
    short.length = 0;
    const answers = await Promise.all(Array.from({ length: 20 }, () => c.push(["set", "user:attributes", [{ plan: "pro" }]])));
    assert.deepEqual(short, [false, ...Array(19).fill(true)], "the first answer whole, the repeats short");
    for (const a of answers) assert.deepEqual(a, { ok: true, value: { plan: "Pro" } });
    answers[1].value.plan = "changed by the page";
    assert.equal(answers[2].value.plan, "Pro", "every push has a value object of its own");

    // A refused value pushed again fails each time, with an error (and an error event) of its own.
    short.length = 0;
    const refused = await Promise.all([0, 1, 2].map(() => c.push(["set", "user:attributes", [{ team_size: 0 }]])));
    assert.deepEqual(short, [false, true, true]);
    for (const r of refused) {
      assert.equal(r.ok, false);
      assert.equal(r.error.code, "attribute_value_invalid");
      assert.equal(r.error.attribute, "team_size");
    }
    assert.notEqual(refused[0].error, refused[1].error);
    await until(() => errors.length === 3, "three error events");
    assert.deepEqual(errors.map((e) => e.code), Array(3).fill("attribute_value_invalid"));

    // The twenty pushes were one write on the wire, stored once.
    for (let i = 0; (await stored("user-repeat"))?.attributes?.plan !== "Pro"; i++) {
      if (i > 100) throw new Error("plan was not stored within 10 s");
      await new Promise((r) => setTimeout(r, 100));
    }
    const applied = await appliedCounts(server, { distinctId: "user-repeat" });
    assert.equal(applied.size, 1, "one write sent for twenty identical pushes");
    assert.deepEqual([...applied.values()].map((w) => w.applied), [1]);
    c.close();
  });

  test("a second init with other options is invalid_command; the same options are a no-op", async () => {
    const c = await createClient({ publicKey: server.publicKey, apiHost: server.url });
    assert.deepEqual(await c.push(["do", "init", [{ publicKey: server.publicKey, apiHost: server.url }]]), { ok: true, value: null });
    const r = await c.push(["do", "init", [{ publicKey: server.secretKey, apiHost: server.url }]]);
    assert.equal(r.ok, false);
    assert.equal(r.error.code, "invalid_command");
    c.close();
  });
});

test("a core module serves one runtime: a second one on it is refused, not shared", async () => {
  const core = await loadTestCore();
  const rt = new Runtime(core);
  assert.throws(() => new Runtime(core), /already serves a client/);
  assert.match(rt.inspect().clientId, /^[a-z0-9]{16}$/, "the first runtime's engine is untouched");
  rt.close();
  assert.equal(rt.inspect(), null);
  assert.throws(() => new Runtime(core), /already serves a client/, "not even after close");
});
