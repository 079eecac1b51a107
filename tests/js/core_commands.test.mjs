// The push-command grammar and init options through the REAL Wasm core: every case of
// tests/fixtures/commands/*.json (the native suite runs the same files), plus what only JS can
// send (real functions, symbols, undefined, a hostile __proto__ key).
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";

import { loadTestCore } from "./helpers/core.mjs";
import { match, materialize } from "./helpers/engine.mjs";
import { readFixtures } from "./helpers/fixtures.mjs";

const core = await loadTestCore();

function parsed(command) {
  const r = core.parseCommand(command);
  return r.ok ? { ok: true, ...r.value } : { ok: false, code: r.error.code };
}
function initParsed(options) {
  const r = core.parseInitOptions(options);
  return r.ok ? { ok: true, ...r.value } : { ok: false, code: r.error.code };
}

let count = 0;
for (const { file, doc } of readFixtures("commands")) {
  describe(file, () => {
    assert.ok(doc.kind === "commands" || doc.kind === "init_options", `${file}: unknown kind ${doc.kind}`);
    for (const c of doc.cases) {
      count += 1;
      test(c.name, () => {
        const actual = doc.kind === "commands" ? parsed(materialize(c.command)) : initParsed(materialize(c.options));
        const diff = match(c.expect, actual);
        assert.equal(diff, null, diff ?? "");
      });
    }
  });
}

describe("JS values the fixtures cannot express", () => {
  test("undefined in the positional options is the default, like null", () => {
    const r = parsed(["set", "user:attributes", [{ plan: "Pro" }, undefined, true]]);
    assert.equal(match({ ok: true, refetchBoosted: false, removeUnspecified: true }, r), null);
  });
  test("a class instance or arrow function is a function marker", () => {
    class Handler {}
    assert.equal(parsed(["on", "error", [Handler]]).ok, true);
    assert.equal(parsed(["on", "error", [async () => {}]]).ok, true);
  });
  test("a bigint or symbol callback is refused", () => {
    assert.equal(parsed(["on", "error", [1n]]).code, "invalid_command");
    assert.equal(parsed(["do", "identify", ["u1", Symbol("x")]]).code, "invalid_command");
  });
  test("a __proto__ attribute key is an ordinary key", () => {
    const attrs = JSON.parse('{"__proto__": {"polluted": true}, "plan": "Pro"}');
    const r = parsed(["set", "user:attributes", [attrs]]);
    assert.equal(r.ok, true);
    assert.deepEqual(Object.keys(r.attributes).sort(), ["__proto__", "plan"]);
    assert.equal({}.polluted, undefined);
  });
  test("settings are never read from inherited properties", () => {
    const options = Object.create({ publicKey: "pk_live_abcdefghijklmnopqrstuvwx1234", apiHost: "https://api.example.com" });
    assert.equal(initParsed(options).code, "invalid_key");
  });
});

after(() => console.log(`[ commands ] ${count} fixture cases through the Wasm core`));
