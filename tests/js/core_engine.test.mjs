// The Engine through the REAL Wasm core: every scripted scenario of tests/fixtures/scenarios/*.json
// (the native suite runs the same files; format in docs/engine.md), then what only JS can do:
// functions in commands, one engine per module, strings through the converter, restore from a
// snapshot that went through JSON.stringify/parse as localStorage would.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";

import { pathToFileURL } from "node:url";

import { loadCore } from "../../js/src/core_node.js";
import { glueFile, loadTestCore, onFallback, wasmFile } from "./helpers/core.mjs";
import { engineOf, match, materialize } from "./helpers/engine.mjs";
import { readFixtures } from "./helpers/fixtures.mjs";

const core = await loadTestCore();
// One engine per module (bindings/engine.cpp): node runs the tests of a file one at a time, and
// each scenario starts with engineCreate, which replaces whatever the previous one left.
const e = engineOf(core);

// "$stored" as a complete_batch body: the server stored every write of the batch as sent.
function storedBody(batch) {
  return {
    results: batch.body.writes.map((w) => ({
      id: w.id, ok: true, personId: `p_${w.distinctId}`, attribute: w.attribute, value: w.value,
    })),
  };
}

class Runner {
  constructor(scenario, fileConfig) {
    this.config = scenario.config ?? fileConfig;
    this.limits = scenario.limits ?? {};
    e.create(scenario.clientId ?? "c1", this.limits);
    this.lastBatch = null;
    this.lastSnapshot = null;
  }

  step(s) {
    const now = s.now ?? 0;
    const args = materialize(s.args ?? null);
    switch (s.op) {
      case "configure": return e.configure(s.config ?? this.config, now, s.provisional ?? false);
      case "command": return e.command(args, now);
      case "write": return e.write(args, now);
      case "take_batch": {
        const b = e.takeBatch(now, s.flush ?? false);
        if (b !== null) this.lastBatch = b;
        return b;
      }
      case "complete_batch": {
        const outcome = { ...(args ?? {}) };
        if (!("batchId" in outcome)) outcome.batchId = this.lastBatch?.batchId ?? "";
        if (outcome.body === "$stored") outcome.body = storedBody(this.lastBatch);
        return e.completeBatch(outcome, now);
      }
      case "events": return e.takeEvents();
      case "next_wake": return e.nextWake(now);
      case "snapshot": return (this.lastSnapshot = e.snapshot());
      case "inspect": return e.inspect();
      case "reload":
      case "restore": {
        // A reload goes through text, as localStorage stores it.
        const snap = s.op === "reload" ? JSON.parse(JSON.stringify(e.snapshot())) : args;
        const workspace = s.workspace ?? (snap && typeof snap === "object" && !Array.isArray(snap) ? snap.workspace ?? "" : "");
        const r = e.restore(snap, workspace, this.limits);
        if (!r.ok) return { ok: false, error: { code: r.error.code } };
        return { ok: true };
      }
      case "load_snapshot": return e.loadSnapshot(args ?? this.lastSnapshot, s.workspace ?? "", now);
      default: throw new Error(`unknown op ${s.op}`);
    }
  }
}

let scenarios = 0;
let steps = 0;
for (const { file, doc } of readFixtures("scenarios")) {
  assert.equal(doc.kind, "scenarios", `${file}: kind`);
  describe(file, () => {
    for (const sc of doc.scenarios) {
      scenarios += 1;
      steps += sc.steps.length;
      test(sc.name, () => {
        const run = new Runner(sc, doc.config);
        sc.steps.forEach((s, k) => {
          const actual = run.step(s);
          if (!Object.hasOwn(s, "expect")) return;
          const diff = match(s.expect, actual);
          assert.equal(diff, null, `step ${k + 1} (${s.op})${s.note ? ` ${s.note}` : ""}: ${diff}`);
        });
      });
    }
  });
}

const CONFIG = readFixtures("scenarios")[0].doc.config;

describe("what only JS can do", () => {
  test("a real callback is reported by index, never called or kept by the core", () => {
    e.create("c1");
    let called = 0;
    const r = e.command(["do", "identify", ["u1", () => { called += 1; }]], 0);
    assert.equal(r.callback, 1);
    assert.equal(r.effect, "identify");
    assert.equal(called, 0);
  });

  test("an engine survives a JSON round trip of its snapshot with the same ids", () => {
    e.create("c-js");
    e.configure(CONFIG, 0);
    e.command(["do", "identify", ["user-123456"]], 0);
    e.command(["set", "user:attributes", [{ plan: "pro", signup_date: "2024-06-15T10:00:00+02:00" }]], 1.7e12);
    const first = e.takeBatch(1.7e12 + 1000, false);
    const text = JSON.stringify(e.snapshot());
    assert.ok(!text.includes("pk_live"));
    e.create("someone-else"); // the page goes away
    const r = e.restore(JSON.parse(text), "acme");
    assert.deepEqual({ ...r }, { ok: true, value: null });
    assert.equal(e.inspect().clientId, "c-js");
    e.configure(CONFIG, 1.7e12 + 5000);
    const second = e.takeBatch(1.7e12 + 5000, false);
    assert.deepEqual(second.writeIds, first.writeIds);
    assert.deepEqual(second.body, first.body);
    assert.equal(second.body.writes.find((w) => w.attribute === "signup_date").value, "2024-06-15T08:00:00.000Z");
  });

  test("a corrupt stored snapshot is refused with a code, never thrown, and the engine is kept", () => {
    e.create("c-keep");
    e.command(["do", "identify", ["u-keep"]], 0);
    for (const [snap, code] of [["{", "snapshot_invalid"], [undefined, "snapshot_invalid"], [{ v: 99 }, "snapshot_version"]]) {
      const r = e.restore(snap, "acme");
      assert.equal(r.ok, false);
      assert.equal(r.error.code, code);
    }
    assert.equal(e.inspect().clientId, "c-keep");
    assert.equal(e.inspect().identity, "u-keep");
  });

  test("engine constants for the runtime", () => {
    const c = core.engineConstants();
    assert.equal(c.requestTimeoutMs, 10000);
    assert.equal(c.maxTries, 10);
    assert.equal(c.snapshotVersion, 1);
  });

  test("a lone surrogate value is refused, not replaced", () => {
    e.create("c1");
    e.configure(CONFIG, 0);
    e.command(["do", "identify", ["u1"]], 0);
    const r = e.command(["set", "user:name", ["\uD800x"]], 0);
    assert.equal(r.result.ok, false);
    assert.equal(r.result.error.code, "attribute_value_invalid");
    assert.equal(r.result.error.attribute, "name");
  });
});

describe("one engine per module, driven by plain functions", () => {
  test("the module exports functions, no Embind class to delete()", () => {
    for (const name of ["engineCreate", "engineRestore", "engineCommand", "engineWrite", "engineConfigure",
      "engineTakeBatch", "engineCompleteBatch", "engineNextWake", "engineTakeEvents", "engineSnapshot",
      "engineLoadSnapshot", "engineInspect", "engineConstants", "parseCommand", "parseInitOptions", "engineSave",
      "engineAdopt"]) {
      assert.equal(typeof core[name], "function", name);
    }
    assert.equal(core.Engine, undefined);
    assert.equal(core.restoreEngine, undefined);
  });

  test("the shipped module has the runtime's bindings and none of the test-only ones", { skip: onFallback && "about the .wasm" }, async () => {
    const shipped = await loadCore({ glueUrl: pathToFileURL(glueFile), wasmUrl: pathToFileURL(wasmFile) });
    for (const name of ["engineCreate", "engineCommand", "engineConfigure", "engineSave", "engineLoadSnapshot",
      "engineAdopt", "retryAdvice", "validateDistinctId"]) {
      assert.equal(typeof shipped[name], "function", name);
    }
    // bindings/testing.cpp: linked into the testing module and the fallback only.
    for (const name of ["engineRestore", "engineSnapshot", "parseCommand", "parseInitOptions", "validateValue",
      "validateWrite", "parseConfig", "parseDefinition", "roundTrip"]) {
      assert.equal(shipped[name], undefined, name);
      assert.equal(typeof core[name], "function", name);
    }
  });

  test("engineCreate replaces the engine: nothing of the previous one survives", () => {
    e.create("c-old", { maxHeld: 1 });
    e.configure(CONFIG, 0);
    e.command(["do", "identify", ["u-old"]], 0);
    e.command(["set", "user:attributes", [{ plan: "pro" }]], 10);
    assert.equal(e.inspect().outbox.length, 1);
    e.create("c-new");
    const s = e.inspect();
    assert.equal(s.clientId, "c-new");
    assert.equal(s.configured, false);
    assert.equal(s.identity, undefined);
    assert.deepEqual([s.pending.length, s.held.length, s.outbox.length], [0, 0, 0]);
    assert.equal(e.takeBatch(1e6, true), null);
    assert.deepEqual(e.takeEvents(), []);
    // The new limits apply (maxHeld 1 was the old engine's): two held writes are fine now.
    e.command(["set", "user:attributes", [{ plan: "pro", role: "admin" }]], 0);
    assert.equal(e.inspect().pending.length, 2);
  });

  test("two loaded modules are two independent engines", async () => {
    const other = engineOf(await loadTestCore());
    e.create("c-a");
    other.create("c-b");
    e.command(["do", "identify", ["user-a"]], 0);
    other.command(["do", "identify", ["user-b"]], 0);
    e.command(["set", "user:name", ["Ann"]], 0);
    assert.deepEqual([e.inspect().clientId, e.inspect().identity, e.inspect().pending.length], ["c-a", "user-a", 1]);
    assert.deepEqual([other.inspect().clientId, other.inspect().identity, other.inspect().pending.length], ["c-b", "user-b", 0]);
  });

  test("client id and workspace go through the converter: a lone surrogate stays itself", () => {
    // Embind's std::string would merge "\uD800x" into one astral character, so the workspace
    // passed in would no longer equal the one stored inside the snapshot.
    e.create("c\uD800x");
    assert.equal(e.inspect().clientId, "c\uD800x");
    e.configure(CONFIG, 0);
    const snap = JSON.parse(JSON.stringify(e.snapshot()));
    snap.workspace = "ws\uD800x";
    assert.equal(e.restore(snap, "ws\uD800y").error?.code, "snapshot_foreign");
    assert.equal(e.restore(snap, "ws\u{10078}").error?.code, "snapshot_foreign");
    assert.equal(e.restore(snap, "ws\uD800x").ok, true);
    assert.equal(e.inspect().clientId, "c\uD800x");
    e.create("c2"); // not configured: no workspace of its own yet
    assert.equal(e.loadSnapshot({ ...snap, clientId: "c2" }, "ws\uD800x", 0).ok, true);
    assert.equal(e.loadSnapshot({ ...snap, clientId: "c2" }, "ws\u{10078}", 0).error?.code, "snapshot_foreign");
  });

  test("a client id or workspace that is not a string is taken as \"\"", () => {
    e.create(42);
    assert.equal(e.inspect().clientId, "");
    e.create("c-ws");
    e.configure(CONFIG, 0);
    const snap = e.snapshot();
    assert.equal(e.restore(snap, { toString: () => "acme" }).error?.code, "snapshot_foreign");
    assert.equal(e.restore(snap, "acme").ok, true);
  });
});

after(() => console.log(`[ scenarios ] ${scenarios} scenarios, ${steps} steps through the Wasm core`));

// The runtime's config fetch asks the outbox's retry policy through retryAdvice (core/retry.h).
test("retryAdvice: the core's retry policy for requests outside the outbox", () => {
  assert.deepEqual(core.retryAdvice({ status: 200 }, 1), { class: "success" });
  assert.deepEqual(core.retryAdvice({ status: 503, jitter: 0.5 }, 2), { class: "retry", delayMs: 1000 });
  assert.deepEqual(core.retryAdvice({ status: 429, retryAfter: 7 }, 1), { class: "retry", delayMs: 7000 });
  assert.deepEqual(core.retryAdvice({ network: true, jitter: 0.5 }, 20), { class: "retry", delayMs: 60000 });
  assert.deepEqual(core.retryAdvice({ status: 501 }, 1), { class: "reject", code: "server_error" });
  assert.deepEqual(core.retryAdvice({ status: 401, body: { error: { code: "invalid_key" } } }, 1), {
    class: "stop",
    code: "invalid_key",
  });
  assert.deepEqual(core.retryAdvice({ offline: true }, 3), { class: "offline", delayMs: 5000 });
  assert.deepEqual(core.retryAdvice("garbage", 1), { class: "reject", code: "invalid_request" });
});

// Persistence across tabs and time through the Wasm core (docs/engine.md "Bounds of the stored
// state", "Adopting another tab's state"): what the runtime calls on every save and start.
describe("instances, bounds of the stored state, adoption", () => {
  const T0 = 1.7e12;
  const DAY = 24 * 3600 * 1000;
  const tab = (instance, user = "u1") => {
    core.engineCreate("c1", { instance });
    e.configure(CONFIG, T0);
    if (user) e.command(["do", "identify", [user]], T0);
    e.takeEvents();
  };

  test("the instance goes into the write ids, the install's id stays the clientId", () => {
    tab("k3v9x0q2ab");
    e.command(["set", "user:attributes", [{ plan: "Pro" }]], T0);
    const b = e.takeBatch(T0, true);
    assert.deepEqual(b.body.writes.map((w) => [w.id, w.clientId, w.seq]), [["c1-k3v9x0q2ab-1700000000000", "c1", T0]]);
    assert.deepEqual(e.inspect().outbox.map((w) => w.id), ["c1-k3v9x0q2ab-1700000000000"]);
  });

  test("engineSave fails writes kept 7 days, in one error event, and leaves them out", () => {
    tab("i1", "");
    e.command(["set", "user:attributes", [{ plan: "Pro", role: "admin" }]], T0); // held: no identify
    assert.equal(core.engineSave(T0 + 7 * DAY - 1).writes.length, 2);
    assert.deepEqual(e.takeEvents(), []);
    const s = JSON.parse(JSON.stringify(core.engineSave(T0 + 7 * DAY)));
    assert.deepEqual(s.writes, []);
    const events = e.takeEvents();
    assert.equal(events.length, 1);
    assert.equal(events[0].error.code, "delivery_failed");
    assert.deepEqual(events[0].writeIds, ["c1-i1-1700000000000", "c1-i1-1700000000001"]);
  });

  test("engineSave keeps the stored state under 256 KB: oldest dropped, queue_full, once", () => {
    tab("i1");
    const c = core.engineConstants();
    assert.equal(c.maxSnapshotBytes, 256 * 1024);
    assert.equal(c.maxStoredAgeMs, 7 * DAY);
    assert.equal(c.keepaliveMaxBytes, 60 * 1024);
    for (let k = 0; k < 400; k++) e.write({ distinctId: `p${k}`, attributes: { role: "x".repeat(600) } }, T0 + k);
    e.takeEvents();
    const text = JSON.stringify(core.engineSave(T0 + 500));
    assert.ok(text.length <= c.maxSnapshotBytes, `${text.length} bytes stored`);
    const errors = e.takeEvents().filter((ev) => ev.type === "error");
    assert.equal(errors.length, 1);
    assert.equal(errors[0].error.code, "queue_full");
    assert.equal(errors[0].writeIds[0], "c1-i1-1700000000000"); // oldest first
    assert.equal(JSON.parse(text).writes.length + errors[0].writeIds.length, 400);
  });

  test("engineAdopt takes a closed tab's writes under their ids, at any time", () => {
    tab("gone");
    e.command(["set", "user:attributes", [{ plan: "Pro" }]], T0 + 10);
    e.takeBatch(T0 + 10, true); // in flight when the tab closed
    const closed = JSON.parse(JSON.stringify(core.engineSave(T0 + 20)));
    tab("live", "u2");
    e.command(["set", "user:attributes", [{ role: "mine" }]], T0 + 30);
    const first = e.takeBatch(T0 + 2000, false);
    assert.deepEqual(core.engineAdopt(closed, "acme", T0 + 2000), { ok: true, adopted: 1 });
    assert.deepEqual(core.engineAdopt(closed, "acme", T0 + 2000), { ok: true, adopted: 0 });
    assert.equal(e.inspect().identity, "u2");
    e.completeBatch({ batchId: first.batchId, status: 503, jitter: 0.5 }, T0 + 2001);
    const again = e.takeBatch(T0 + 3000, false);
    assert.deepEqual(again.body.writes.map((w) => [w.id, w.distinctId]), [
      ["c1-live-1700000000030", "u2"],
      ["c1-gone-1700000000010", "u1"],
    ]);
    assert.equal(core.engineAdopt(closed, "globex", 0).error.code, "snapshot_foreign");
    assert.equal(core.engineAdopt("{", "acme", 0).error.code, "snapshot_invalid");
  });

  test("a flush never cuts a batch over the keepalive budget", () => {
    tab("i1");
    const big = { ...CONFIG, attributes: [...CONFIG.attributes, { key: "blob", type: "string", max_length: 100000 }] };
    e.configure(big, T0);
    e.command(["set", "user:attributes", [{ blob: "b".repeat(70000) }]], T0);
    assert.equal(e.takeBatch(T0, true), null); // ~70 KB: not with keepalive
    const b = e.takeBatch(T0 + 1000, false); // the timer sends it when the page stays
    assert.equal(b.writeIds.length, 1);
  });
});
