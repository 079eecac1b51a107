// The no-Wasm fallback (DESIGN §9; issue #14): the same core compiled to JavaScript by wasm2js
// (build/wasm/dist/attrkit-core.fallback.mjs). The shared fixtures run on it through the very
// suites that run them on the .wasm (ATTRKIT_CORE=fallback, tests/js/helpers/core.mjs), and the
// loader takes it only where WebAssembly is missing. Delivery through it, in Chromium under a CSP
// without 'wasm-unsafe-eval' and with WebAssembly deleted: tests/e2e/fallback.test.mjs.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { pathToFileURL } from "node:url";

import { loadCore } from "../../js/src/core_node.js";
import { fallbackFile, glueFile, repoRoot, wasmFile } from "./helpers/core.mjs";

if (!existsSync(fallbackFile)) throw new Error(`${fallbackFile} is missing: run \`bash scripts/build.sh wasm\``);

/** Runs node with `args` (bounded in time); resolves {code, stdout, stderr}. */
function run(args, { env = {}, timeoutMs = 120000 } = {}) {
  return new Promise((resolve) => {
    // Without NODE_TEST_CONTEXT: a nested `node --test` would report to this runner, not print.
    const { NODE_TEST_CONTEXT, ...outer } = process.env;
    const child = spawn(process.execPath, args, { cwd: repoRoot, env: { ...outer, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test("the shared fixtures pass on the wasm2js core", async () => {
  const suites = ["core_values", "core_commands", "core_engine"].map((n) => join("tests/js", `${n}.test.mjs`));
  const r = await run(["--test", "--test-concurrency=1", "--test-reporter=tap", ...suites], { env: { ATTRKIT_CORE: "fallback" } });
  const count = (what) => Number(new RegExp(`^# ${what} (\\d+)$`, "m").exec(r.stdout)?.[1]);
  const failed = r.stdout.split("\n").filter((l) => /^\s*not ok /.test(l));
  assert.deepEqual(failed, [], r.stderr.slice(-2000));
  assert.equal(r.code, 0);
  assert.equal(count("fail"), 0);
  assert.ok(count("pass") > 500, `only ${count("pass")} passed`);
  // The suites' .wasm-only parts are skipped, nothing else.
  assert.deepEqual(r.stdout.match(/^ok \d+ - .* # SKIP .*$/gm).map((l) => l.replace(/^ok \d+ - /, "")), [
    "loader # SKIP about the .wasm",
    "dist # SKIP about the .wasm",
  ]);
});

test("with WebAssembly there, the fallback is never fetched", async () => {
  let asked = 0;
  const core = await loadCore({
    glueUrl: pathToFileURL(glueFile),
    wasmUrl: pathToFileURL(wasmFile),
    fallback: () => {
      asked += 1;
      return import(pathToFileURL(fallbackFile).href);
    },
  });
  // The shipped module: validateDistinctId is one of its bindings (validateValue is test-only).
  assert.deepEqual(core.validateDistinctId("u1"), { ok: true, value: "u1" });
  assert.equal(asked, 0);
});

// The release snippet's compile (js/src/snippet.js) hands loadCore a module: that proves
// WebAssembly usable, so the probe (a tiny module compiled on the main thread, which can wait for
// the page's compile to finish) is skipped; when that compile gave nothing, the probe decides then.
const wasmBytes = readFileSync(wasmFile);
const wasmDataUrl = `data:application/wasm;base64,${wasmBytes.toString("base64")}`;
async function countingProbes(fn) {
  const Real = WebAssembly.Module;
  const seen = { probes: 0 };
  WebAssembly.Module = new Proxy(Real, { construct: (target, args) => (seen.probes++, Reflect.construct(target, args)) });
  try {
    await fn(seen);
  } finally {
    WebAssembly.Module = Real;
  }
}

test("a module the page compiled is used without the no-Wasm probe; without one, the probe runs", async () => {
  const module = await WebAssembly.compile(wasmBytes);
  await countingProbes(async (seen) => {
    let asked = 0;
    const fallback = () => (asked++, import(pathToFileURL(fallbackFile).href));
    // An address nothing answers: the core can only have come from the given module.
    const given = await loadCore({ glueUrl: pathToFileURL(glueFile), wasmUrl: "http://127.0.0.1:9/none.wasm", compiling: Promise.resolve(module), fallback });
    assert.deepEqual(given.validateDistinctId("u1"), { ok: true, value: "u1" });
    assert.equal(seen.probes, 0);
    // A failed compile on the page resolves to undefined (snippet.js): the probe runs, the .wasm is fetched.
    const own = await loadCore({ glueUrl: pathToFileURL(glueFile), wasmUrl: wasmDataUrl, compiling: Promise.resolve(undefined), fallback });
    assert.deepEqual(own.validateDistinctId("u2"), { ok: true, value: "u2" });
    assert.equal(seen.probes, 1);
    assert.equal(asked, 0);
  });
});

test("the glue's setup does not wait for the page's compile", async () => {
  const glue = (await import(pathToFileURL(glueFile).href)).default;
  let setUp = 0;
  const factory = (o) => (setUp++, glue(o));
  let finish;
  const compiling = new Promise((resolve) => (finish = resolve));
  const loading = loadCore({ factory, wasmUrl: "http://127.0.0.1:9/none.wasm", compiling, fallback: () => assert.fail("no fallback") });
  await new Promise((r) => setImmediate(r));
  assert.equal(setUp, 1, "the glue's setup ran while the page's compile was still under way");
  finish(await WebAssembly.compile(wasmBytes));
  assert.deepEqual((await loading).validateDistinctId("u3"), { ok: true, value: "u3" });
});

test("when the page's compile gave nothing and WebAssembly cannot run, the fallback loads", async () => {
  const Real = WebAssembly.Module;
  // What a CSP without 'wasm-unsafe-eval' does to the probe: compiling any module throws.
  WebAssembly.Module = new Proxy(Real, { construct: () => { throw new WebAssembly.CompileError("refused by the CSP"); } });
  try {
    let asked = 0;
    const fallback = () => (asked++, import(pathToFileURL(fallbackFile).href));
    const core = await loadCore({ glueUrl: pathToFileURL(glueFile), wasmUrl: "http://127.0.0.1:9/none.wasm", compiling: Promise.resolve(undefined), fallback });
    assert.equal(asked, 1);
    assert.deepEqual(core.validateDistinctId("u4"), { ok: true, value: "u4" });
  } finally {
    WebAssembly.Module = Real;
  }
});

// Node's own fetch needs WebAssembly (undici's llhttp), so a Node without it cannot reach a
// server: this checks the loader alone; delivery without WebAssembly is checked in Chromium.
test("without WebAssembly (deleted before load), the loader takes the fallback, which validates", async () => {
  const script = `
    delete globalThis.WebAssembly;
    const { loadCore } = await import(${JSON.stringify(pathToFileURL(join(repoRoot, "js/src/core_node.js")).href)});
    let asked = 0;
    const core = await loadCore({
      glueUrl: ${JSON.stringify(pathToFileURL(glueFile).href)},
      wasmUrl: ${JSON.stringify(pathToFileURL(wasmFile).href)},
      fallback: () => (asked++, import(${JSON.stringify(pathToFileURL(fallbackFile).href)})),
    });
    console.log("RESULT " + JSON.stringify({ asked, ok: core.validateValue({ key: "n", type: "number", min: 1 }, "12"), bad: core.validateValue({ key: "n", type: "number", min: 1 }, 0) }));`;
  const r = await run(["--input-type=module", "-e", script], { timeoutMs: 60000 });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(/^RESULT (.*)$/m.exec(r.stdout)[1]);
  assert.equal(out.asked, 1);
  assert.deepEqual(out.ok, { ok: true, value: 12 });
  assert.equal(out.bad.ok, false);
  assert.equal(out.bad.error.code, "attribute_value_invalid");
});
