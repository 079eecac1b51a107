// The REAL Wasm core against every shared fixture in tests/fixtures/values (format:
// tests/fixtures/README.md), then the JS <-> Json converter (bindings/convert.h) on the inputs
// JSON cannot express. One node test per fixture case, named "<file>: <case name>".
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import vm from "node:vm";

import { loadCore } from "../../js/src/core_node.js";
import { glueFile, loadTestCore, onFallback, wasmFile } from "./helpers/core.mjs";
import { messageDiff, readFixtures, sameValue } from "./helpers/fixtures.mjs";

// Top-level await: if the module does not load, this file fails and no test in it can pass.
const core = await loadTestCore();

function fixtureConfig(definitions) {
  return { workspace: "fixtures", clientAttributeWrites: true, definitionsVersion: "1", attributes: definitions };
}

function show(v) {
  try {
    const s = JSON.stringify(v);
    return s && s.length > 160 ? `${s.slice(0, 140)}...` : s;
  } catch {
    return String(v);
  }
}

// `expect` is {"value": v} | {"error": code, "message": text} | {"ok": true[, "canonical": v]}.
// `withMessage`: the case is a value or distinct id check, whose failures must pin the core's
// message (tests/fixtures/README.md); config and definition errors carry none.
function checkResult(result, expect, valueKey, withMessage = false) {
  assert.equal(typeof result, "object", "a binding returned a non-object");
  assert.equal(typeof result.ok, "boolean", `no boolean ok in ${show(result)}`);
  if (Object.hasOwn(expect, "error")) {
    assert.equal(result.ok, false, `expected error ${expect.error}, got ok ${show(result.value)}`);
    assert.equal(result.error.code, expect.error);
    assert.equal(typeof result.error.status, "number");
    if (withMessage) {
      const diff = messageDiff(result.error.message, expect);
      assert.equal(diff, null, diff ?? "");
    } else {
      assert.equal(Object.hasOwn(result.error, "message"), false, `unexpected message ${show(result.error.message)}`);
    }
    return;
  }
  assert.equal(result.ok, true, `expected ok, got ${show(result.error)}`);
  if (Object.hasOwn(expect, valueKey)) {
    const diff = sameValue(result.value, expect[valueKey]);
    assert.equal(diff, null, diff ?? "");
  } else if (!(expect.ok === true && Object.keys(expect).length === 1)) {
    throw new Error(`fixture: unknown expect ${show(expect)}`);
  }
}

// ---- fixtures -------------------------------------------------------------------------------

const files = readFixtures("values");
const names = new Set();
let caseCount = 0;

function fixtureTest(file, name, fn) {
  const full = `${file}: ${name}`;
  if (names.has(name)) throw new Error(`fixture case name not unique: ${full}`);
  names.add(name);
  caseCount += 1;
  test(full, fn);
}

for (const { file, doc } of files) {
  if (!Array.isArray(doc.cases) || doc.cases.length === 0) throw new Error(`${file}: no cases`);
  describe(file, () => {
    switch (doc.kind) {
      case "values": {
        const config = fixtureConfig(doc.definitions);
        for (const c of doc.cases) {
          fixtureTest(file, c.name, () => checkResult(core.validateWrite(config, c.key, c.input), c.expect, "value", true));
        }
        break;
      }
      case "distinct_id":
        for (const c of doc.cases) {
          fixtureTest(file, c.name, () => {
            const r = core.validateDistinctId(c.input);
            checkResult(r, c.expect, "value", true);
            if (r.ok) assert.equal(sameValue(r.value, c.input), null, "a valid id comes back unchanged");
          });
        }
        break;
      case "config":
        for (const c of doc.cases) {
          fixtureTest(file, c.name, () => checkResult(core.parseConfig(c.config), c.expect, "canonical"));
          (c.writes ?? []).forEach((w, i) => {
            if (!c.expect.ok) throw new Error(`${file}: ${c.name}: writes against a config that fails`);
            fixtureTest(file, `${c.name} / write ${i} (${w.key})`, () =>
              checkResult(core.validateWrite(c.config, w.key, w.input), w.expect, "value", true));
          });
        }
        break;
      case "definition":
        for (const c of doc.cases) {
          fixtureTest(file, c.name, () => checkResult(core.parseDefinition(c.definition), c.expect, "canonical"));
        }
        break;
      default:
        throw new Error(`${file}: unknown kind ${show(doc.kind)}`);
    }
  });
}

console.log(`core_values: ${caseCount} fixture cases from ${files.length} files`);

test("fixtures: every file contributed cases", () => {
  assert.ok(files.length >= 1);
  assert.ok(caseCount >= files.length, `${caseCount} cases`);
});

// ---- the converter (bindings/convert.h) -------------------------------------------------------

const STRING = { key: "bio", type: "string" };
const NUMBER = { key: "n", type: "number" };
const invalid = (message) => ({ ok: false, error: { code: "attribute_value_invalid", status: 400, message } });
const NOT_JSON = "a function or other non-JSON value";

function nested(depth, leaf) {
  let v = leaf;
  for (let i = 0; i < depth; i += 1) v = [v];
  return v;
}
function depthOf(v) {
  let d = 0;
  while (Array.isArray(v)) {
    v = v[0];
    d += 1;
  }
  return { d, leaf: v };
}

describe("converter", () => {
  test("results have the documented shape", () => {
    assert.deepEqual(core.validateValue(STRING, "x"), { ok: true, value: "x" });
    assert.deepEqual(core.validateWrite(fixtureConfig([]), "nope", 1), {
      ok: false,
      error: { code: "attribute_not_defined", status: 400, message: '"nope" is not a declared attribute' },
    });
  });

  test("a key that is not a string is an undeclared key", () => {
    const config = fixtureConfig([STRING]);
    for (const key of [null, undefined, 1, {}, ["bio"]]) {
      assert.equal(core.validateWrite(config, key, "x").error.code, "attribute_not_defined", show(key));
    }
  });

  test("plain data round-trips exactly", () => {
    const v = { s: "héllo", n: 1.5, i: 42, t: true, f: false, z: null, a: [1, "two", [3], { four: 4 }], o: { "": "" } };
    assert.deepStrictEqual(core.roundTrip(v), v);
    assert.deepStrictEqual(core.roundTrip([]), []);
    assert.deepStrictEqual(core.roundTrip({}), {});
    assert.equal(core.roundTrip("str"), "str");
  });

  test("undefined becomes null, sparse holes too", () => {
    assert.equal(core.roundTrip(undefined), null);
    assert.deepStrictEqual(core.roundTrip({ a: undefined }), { a: null });
    // eslint-disable-next-line no-sparse-arrays
    assert.deepStrictEqual(core.roundTrip([, 1, undefined]), [null, 1, null]);
  });

  test("nesting up to the depth limit is kept, deeper becomes unrepresentable", () => {
    assert.deepStrictEqual(depthOf(core.roundTrip(nested(32, "leaf"))), { d: 32, leaf: "leaf" });
    // The container at depth 32 (the 33rd) is replaced as a whole.
    assert.deepStrictEqual(depthOf(core.roundTrip(nested(33, "leaf"))), { d: 32, leaf: null });
    assert.deepStrictEqual(depthOf(core.roundTrip(nested(5000, 1))), { d: 32, leaf: null });
  });

  test("cyclic objects terminate and are refused as values", () => {
    const o = { name: "loop" };
    o.self = o;
    let r = core.roundTrip(o);
    let d = 0;
    while (r && typeof r === "object") {
      assert.equal(r.name, "loop");
      r = r.self;
      d += 1;
    }
    assert.equal(d, 32);
    assert.equal(r, null);
    const a = [];
    a.push(a);
    assert.deepStrictEqual(depthOf(core.roundTrip(a)), { d: 32, leaf: null });
    assert.deepEqual(core.validateValue(STRING, o), invalid("bio: expected a string, got an object"));
    assert.deepEqual(core.validateValue({ key: "l", type: "string_array" }, a), invalid("l[0]: expected a string or a number, got an array"));
  });

  test("functions, symbols and bigints become null, and are never valid values", () => {
    assert.deepStrictEqual(core.roundTrip({ f() {}, s: Symbol("x"), b: 10n, k: 1 }), { f: null, s: null, b: null, k: 1 });
    for (const v of [() => 1, Symbol("s"), 12n, class {}]) {
      assert.deepEqual(core.validateValue(STRING, v), invalid(`bio: expected a string, got ${NOT_JSON}`), typeof v);
      assert.deepEqual(core.validateValue(NUMBER, v), invalid(`n: expected a number, got ${NOT_JSON}`), typeof v);
    }
    assert.equal(core.validateDistinctId(() => "user-1").ok, false);
  });

  test("lone surrogates reach the core as they are and round-trip unchanged", () => {
    for (const s of ["\uD800", "\uDC00", "a\uD800", "\uD800a", "\uDBFF\uDBFF", "\uDC00\uD800", "x\uDFFFy"]) {
      const back = core.roundTrip(s);
      assert.equal(back.length, s.length, JSON.stringify(s));
      assert.equal(back, s, JSON.stringify(s));
      assert.deepEqual(core.validateValue(STRING, s), invalid("bio: the text has a lone surrogate"), JSON.stringify(s));
      assert.equal(core.validateDistinctId(s).ok, false, JSON.stringify(s));
    }
    // The trap the converter avoids: "\uD800a" must not turn into U+10061.
    assert.notEqual(core.roundTrip("\uD800a"), String.fromCodePoint(0x10061));
    // Object keys go through the same conversion.
    assert.deepStrictEqual(Object.keys(core.roundTrip({ "k\uD800": 1 })), ["k\uD800"]);
  });

  test("emoji and other astral text round-trips and counts as code points", () => {
    const s = "Zoë 🎉 日本 👩‍👩‍👧 \u{10FFFF} \0 end";
    assert.equal(core.roundTrip(s), s);
    assert.deepStrictEqual(core.roundTrip({ [s]: s }), { [s]: s });
    assert.deepEqual(core.validateValue(STRING, s), { ok: true, value: s });
    const limit = { key: "short", type: "string", max_length: 3 };
    assert.equal(core.validateValue(limit, "🎉🎉🎉").ok, true); // 6 UTF-16 units, 3 code points
    assert.equal(core.validateValue(limit, "🎉🎉🎉🎉").error.code, "attribute_value_too_long");
  });

  test("__proto__ is an own key both ways, never the prototype", () => {
    const input = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
    const back = core.roundTrip(input);
    assert.ok(Object.hasOwn(back, "__proto__"));
    assert.equal(Object.getPrototypeOf(back), Object.prototype);
    assert.equal(back.polluted, undefined);
    assert.deepStrictEqual(back.__proto__, { polluted: true });
    assert.deepStrictEqual(Object.keys(back).sort(), ["__proto__", "a"]);
    assert.equal({}.polluted, undefined);
    // An object literal's __proto__ sets the prototype: not an own key, so not converted.
    assert.deepStrictEqual(Object.keys(core.roundTrip({ __proto__: { inherited: 1 }, own: 2 })), ["own"]);
    assert.equal(core.validateWrite(fixtureConfig([STRING]), "__proto__", "x").error.code, "attribute_not_defined");
  });

  test("only own enumerable string keys are read", () => {
    const o = Object.create({ inherited: 1 });
    o.own = 2;
    Object.defineProperty(o, "hidden", { value: 3, enumerable: false });
    o[Symbol("sym")] = 4;
    assert.deepStrictEqual(core.roundTrip(o), { own: 2 });
  });

  test("-0 stays -0 through the converter", () => {
    assert.ok(Object.is(core.roundTrip(-0), -0));
    assert.ok(Object.is(core.roundTrip(0), 0));
    assert.ok(Object.is(core.roundTrip([-0])[0], -0));
  });

  test("large and special numbers round-trip exactly", () => {
    const numbers = [
      2 ** 53, -(2 ** 53), 2 ** 53 - 1, 2 ** 53 + 2, -(2 ** 53 + 2), 2 ** 63, -(2 ** 63), 2 ** 64, 1e21, 1e300,
      Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 0.1, -1.5, 123456789.123, 4294967296, 4294967295,
      Infinity, -Infinity,
    ];
    for (const n of numbers) assert.ok(Object.is(core.roundTrip(n), n), String(n));
    assert.ok(Number.isNaN(core.roundTrip(NaN)));
    assert.deepEqual(core.validateValue(NUMBER, 2 ** 53 + 2), { ok: true, value: 2 ** 53 + 2 });
    for (const n of [NaN, Infinity, -Infinity]) {
      assert.deepEqual(core.validateValue(NUMBER, n), invalid(`n: ${n} is not a finite number`), String(n));
    }
  });

  test("arrays longer than the cap become unrepresentable without allocating them", () => {
    const sparse = [];
    sparse.length = 1e9;
    assert.equal(core.roundTrip(sparse), null);
    assert.deepEqual(core.validateValue({ key: "l", type: "string_array" }, sparse), invalid(`l: expected an array, got ${NOT_JSON}`));
    assert.equal(core.roundTrip(new Array(65536).fill(1)).length, 65536);
    assert.equal(core.roundTrip(new Array(65537).fill(1)), null);
  });

  test("a throwing getter surfaces as a JS exception and the module keeps working", () => {
    const evil = {
      get boom() {
        throw new Error("getter says no");
      },
    };
    assert.throws(() => core.roundTrip(evil), /getter says no/);
    assert.deepEqual(core.validateValue(STRING, "still fine"), { ok: true, value: "still fine" });
  });

  test("memory grows past the 256 KB initial heap", () => {
    const s = `${"x".repeat(3_000_000)}🎉`;
    assert.equal(core.roundTrip(s), s);
    assert.equal(core.validateValue({ key: "k", type: "string", max_length: 3_000_001 }, s).ok, true);
  });

  test("many conversions do not leak handles or memory into failure", () => {
    const big = { list: Array.from({ length: 200 }, (_, i) => ({ i, s: `item ${i}`.repeat(5) })) };
    for (let i = 0; i < 300; i += 1) assert.equal(core.roundTrip(big).list[199].i, 199);
  });
});

// ---- the loader (js/src/core.js via core_node.js) over HTTP: the browser path, exercised from Node -------------

describe("loader", { skip: onFallback && "about the .wasm" }, () => {
  const wasmBytes = readFileSync(wasmFile);
  let server;
  let base;
  before(async () => {
    server = createServer((req, res) => {
      const types = { "/core.wasm": "application/wasm", "/plain.wasm": "application/octet-stream" };
      if (!types[req.url]) {
        res.writeHead(404).end("not here");
        return;
      }
      res.writeHead(200, { "content-type": types[req.url] }).end(wasmBytes);
    });
    await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
    base = `http://127.0.0.1:${server.address().port}`;
  });
  after(() => new Promise((ok) => server.close(ok)));

  // The shipped module: validateDistinctId is a binding it has (validateValue is test-only).
  const works = (m) => assert.deepEqual(m.validateDistinctId("ok"), { ok: true, value: "ok" });

  test("streams application/wasm through the instantiateWasm hook", async () => {
    works(await loadCore({ glueUrl: pathToFileURL(glueFile), wasmUrl: `${base}/core.wasm` }));
  });
  test("falls back to a buffered instantiate for another content type", async () => {
    works(await loadCore({ glueUrl: pathToFileURL(glueFile), wasmUrl: `${base}/plain.wasm` }));
  });
  test("rejects (does not hang) when the .wasm is not there", async () => {
    await assert.rejects(loadCore({ glueUrl: pathToFileURL(glueFile), wasmUrl: `${base}/missing.wasm` }), /HTTP 404/);
  });
  test("rejects when the .wasm bytes are not a module", async () => {
    const warn = console.warn; // the glue reports the failure on console.warn as well
    const warnings = [];
    console.warn = (...a) => warnings.push(a.join(" "));
    try {
      await assert.rejects(loadCore({ glueUrl: pathToFileURL(glueFile), wasmBinary: new Uint8Array([0, 1, 2, 3]) }));
    } finally {
      console.warn = warn;
    }
    assert.ok(warnings.length > 0);
  });
  test("accepts a precompiled module and an imported factory", async () => {
    const factory = (await import(pathToFileURL(glueFile).href)).default;
    works(await loadCore({ factory, wasmModule: await WebAssembly.compile(wasmBytes) }));
  });
  test("each load is an independent instance", async () => {
    const other = await loadTestCore();
    assert.notEqual(other, core);
    works(other);
  });
});

// ---- the built files themselves ------------------------------------------------------------

describe("dist", { skip: onFallback && "about the .wasm" }, () => {
  const scriptFile = join(dirname(glueFile), "attrkit-core.script.js");

  test("the glue never evaluates code (strict CSP, -sDYNAMIC_EXECUTION=0)", () => {
    for (const f of [glueFile, scriptFile]) {
      const js = readFileSync(f, "utf8");
      assert.doesNotMatch(js, /new Function\s*\(|\beval\s*\(/, f);
    }
  });

  test("the classic-script flavour runs without modules and shares the .wasm", async () => {
    const js = readFileSync(scriptFile, "utf8");
    assert.doesNotMatch(js, /import\.meta|^export /m);
    // A bare realm with only what a browser page offers the glue; no module, no require.
    const sandbox = { WebAssembly, TextDecoder, URL, console };
    const factory = vm.runInNewContext(`${js};attrkitCore`, sandbox);
    assert.equal(typeof factory, "function");
    const m = await loadCore({ factory, wasmBinary: readFileSync(wasmFile) });
    const r = m.validateDistinctId("script"); // an object of the sandbox realm
    assert.equal(JSON.stringify(r), '{"ok":true,"value":"script"}');
  });
});

