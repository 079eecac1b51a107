// The Engine through the REAL Wasm core: every scripted scenario of tests/fixtures/scenarios/*.json
// (the native suite runs the same files; format in docs/engine.md), then what only JS can do:
// functions in commands, instance lifetime, restore from a snapshot that went through
// JSON.stringify/parse as localStorage would.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";

import { loadTestCore } from "./helpers/core.mjs";
import { match, materialize } from "./helpers/engine.mjs";
import { readFixtures } from "./helpers/fixtures.mjs";

const core = await loadTestCore();

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
    this.engine = new core.Engine(scenario.clientId ?? "c1", this.limits);
    this.lastBatch = null;
    this.lastSnapshot = null;
  }

  replace(engine) {
    this.engine.delete();
    this.engine = engine;
  }

  step(s) {
    const now = s.now ?? 0;
    const args = materialize(s.args ?? null);
    const e = this.engine;
    switch (s.op) {
      case "configure": return e.configure(s.config ?? this.config, now);
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
        const r = core.restoreEngine(snap, workspace, this.limits);
        if (!r.ok) return { ok: false, error: { code: r.error.code } };
        this.replace(r.value);
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
        try {
          sc.steps.forEach((s, k) => {
            const actual = run.step(s);
            if (!Object.hasOwn(s, "expect")) return;
            const diff = match(s.expect, actual);
            assert.equal(diff, null, `step ${k + 1} (${s.op})${s.note ? ` ${s.note}` : ""}: ${diff}`);
          });
        } finally {
          run.engine.delete();
        }
      });
    }
  });
}

const CONFIG = readFixtures("scenarios")[0].doc.config;

describe("what only JS can do", () => {
  test("a real callback is reported by index, never called or kept by the core", () => {
    const e = new core.Engine("c1", {});
    let called = 0;
    const r = e.command(["do", "identify", ["u1", () => { called += 1; }]], 0);
    assert.equal(r.callback, 1);
    assert.equal(r.effect, "identify");
    assert.equal(called, 0);
    e.delete();
  });

  test("an engine survives a JSON round trip of its snapshot with the same ids", () => {
    const e = new core.Engine("c-js", {});
    e.configure(CONFIG, 0);
    e.command(["do", "identify", ["user-123456"]], 0);
    e.command(["set", "user:attributes", [{ plan: "pro", signup_date: "2024-06-15T10:00:00+02:00" }]], 1.7e12);
    const first = e.takeBatch(1.7e12 + 1000, false);
    const text = JSON.stringify(e.snapshot());
    assert.ok(!text.includes("pk_live"));
    e.delete();
    const r = core.restoreEngine(JSON.parse(text), "acme", {});
    assert.equal(r.ok, true);
    const again = r.value;
    again.configure(CONFIG, 1.7e12 + 5000);
    const second = again.takeBatch(1.7e12 + 5000, false);
    assert.deepEqual(second.writeIds, first.writeIds);
    assert.deepEqual(second.body, first.body);
    assert.equal(second.body.writes.find((w) => w.attribute === "signup_date").value, "2024-06-15T08:00:00.000Z");
    again.delete();
  });

  test("a corrupt stored snapshot is refused with a code, never thrown", () => {
    for (const [snap, code] of [["{", "snapshot_invalid"], [undefined, "snapshot_invalid"], [{ v: 99 }, "snapshot_version"]]) {
      const r = core.restoreEngine(snap, "acme", {});
      assert.equal(r.ok, false);
      assert.equal(r.error.code, code);
    }
  });

  test("engine constants for the runtime", () => {
    const c = core.engineConstants();
    assert.equal(c.requestTimeoutMs, 10000);
    assert.equal(c.maxTries, 10);
    assert.equal(c.snapshotVersion, 1);
  });

  test("a lone surrogate value is refused, not replaced", () => {
    const e = new core.Engine("c1", {});
    e.configure(CONFIG, 0);
    e.command(["do", "identify", ["u1"]], 0);
    const r = e.command(["set", "user:name", ["\uD800x"]], 0);
    assert.equal(r.result.ok, false);
    assert.equal(r.result.error.code, "attribute_value_invalid");
    assert.equal(r.result.error.attribute, "name");
    e.delete();
  });
});

after(() => console.log(`[ scenarios ] ${scenarios} scenarios, ${steps} steps through the Wasm core`));
