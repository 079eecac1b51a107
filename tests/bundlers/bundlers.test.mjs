// attrkit in every app (DESIGN §9, issue #12): the packed tarball (`npm pack` in js/, installed
// into this folder like any dependency) built by each tool pinned in ./package.json, served, and
// run in headless Chromium against the real reference server. For every app:
//   - the write is stored on the server (read back with the secret key),
//   - no console error, page error or unhandled rejection,
//   - the .wasm fetched exactly once.
// Plus publint and @arethetypeswrong/cli over the tarball, and the shipped bundle's text.
//
// Run: scripts/test.sh (stage "Bundlers"), or after `npm ci` here:
//   node --test --test-concurrency=1 tests/bundlers/
// Apps run one after another with one browser (2 cores). Outputs go to tests/bundlers/.out/.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, afterEach, before, beforeEach, test } from "node:test";

import { launchBrowser, openPage } from "../e2e/helpers/browser.mjs";
import { api, repoRoot, startServer } from "../js/helpers/server.mjs";
import { serveFolder } from "./static_server.mjs";

const run = promisify(execFile);
const suite = path.dirname(fileURLToPath(import.meta.url));
const apps = path.join(suite, "apps");
const out = path.join(suite, ".out");
const bin = (name) => path.join(suite, "node_modules/.bin", name);
const pkgDir = path.join(suite, "node_modules/attrkit");
if (!existsSync(path.join(suite, "node_modules/.bin/vite"))) {
  throw new Error("tests/bundlers: run `npm ci` in tests/bundlers first (scripts/test.sh does)");
}

let tarball;
let server;
let browser;
const seconds = {}; // test -> build + serve + browser time, printed at the end
let testStarted;
beforeEach(() => {
  testStarted = Date.now();
});
afterEach((t) => {
  seconds[t.name.split(/ \(|: no|: one/)[0].slice(0, 40)] = (Date.now() - testStarted) / 1000;
});

before(async () => {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  // The package exactly as it would be published (prepack builds js/dist), then installed here
  // from the tarball: no path link, so only what `files` lists is there.
  await run("npm", ["pack", "--pack-destination", out], { cwd: path.join(repoRoot, "js"), maxBuffer: 1 << 24 });
  tarball = path.join(out, readdirSync(out).find((f) => f.endsWith(".tgz")));
  await run("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--offline", tarball], { cwd: suite, maxBuffer: 1 << 24 });
  server = await startServer();
  const on = await api(server, "PUT", "/api/v1/workspace/settings", { key: server.secretKey, body: { clientAttributeWrites: true } });
  assert.equal(on.status, 200, on.text);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop();
  const list = Object.entries(seconds).map(([k, v]) => `${k}: ${v.toFixed(1)} s`).join("; ");
  if (list) console.log(`bundlers: ${list}`);
});

// ---- the package itself -----------------------------------------------------------------------

test("publint: no error, warning or suggestion on the tarball", async () => {
  const { publint } = await import("publint");
  const { formatMessage } = await import("publint/utils");
  const buf = readFileSync(tarball);
  const { messages, pkg } = await publint({ pack: { tarball: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) }, level: "suggestion", strict: true });
  assert.deepEqual(messages.map((m) => `${m.type}: ${formatMessage(m, pkg)}`), []);
});

test("@arethetypeswrong/cli: no problem on the tarball (ESM-only package)", async () => {
  // --profile esm-only: attrkit ships ES modules only (README "Install"); the profile leaves out
  // the CommonJS resolutions (node10, node16 from require), every ESM one is checked.
  const r = await run(bin("attw"), [tarball, "--profile", "esm-only", "--format", "table-flipped"], { cwd: suite, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } }).catch((e) => e);
  console.log(r.stdout);
  assert.equal(r.code ?? 0, 0, `attw found problems:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /"attrkit" +│ 🟢 \(ESM\) +│ 🟢 /); // node16 (from ESM) and bundler resolve, typed
});

test("the tarball: one .wasm, both entries, no sources", () => {
  const files = listFiles(pkgDir).sort();
  const wasm = files.filter((f) => f.endsWith(".wasm"));
  assert.equal(wasm.length, 1, files.join("\n"));
  assert.match(wasm[0], /^dist\/attrkit-core\.[0-9a-f]{12}\.wasm$/);
  for (const f of ["LICENSE", "CHANGELOG.md", "README.md", "package.json", "dist/attrkit.mjs", "dist/attrkit.node.mjs",
    "dist/attrkit.js", "dist/snippet.min.js", "dist/sri.json", "types/index.d.ts"]) {
    assert.ok(files.includes(f), `${f} in the tarball`);
  }
  assert.ok(!files.some((f) => f.startsWith("src/") || f.endsWith("check.ts") || f === "build.mjs"), files.join());
  const pkg = JSON.parse(readFileSync(path.join(pkgDir, "package.json"), "utf8"));
  assert.equal(pkg.version, "0.2.0");
  // The script tag loads the same file: attrkit.js names it.
  const name = path.basename(wasm[0]);
  assert.ok(readFileSync(path.join(pkgDir, "dist/attrkit.js"), "utf8").includes(JSON.stringify(name)));
});

test("dist/attrkit.mjs: no node: import, the .wasm by one literal new URL(..., import.meta.url)", () => {
  const mjs = readFileSync(path.join(pkgDir, "dist/attrkit.mjs"), "utf8");
  const name = readdirSync(path.join(pkgDir, "dist")).find((f) => f.endsWith(".wasm"));
  assert.ok(!mjs.includes("node:"), "a node: specifier in the browser bundle");
  assert.equal(mjs.split(`new URL("./${name}",import.meta.url)`).length, 2, "exactly one literal new URL");
  assert.equal(mjs.split("import.meta.url").length, 2, "no other import.meta.url a bundler would follow");
  assert.doesNotMatch(mjs, /\bimport\((?!")/, "no dynamic import of an expression");
  // The Node entry is the only one that reads files.
  assert.match(readFileSync(path.join(pkgDir, "dist/attrkit.node.mjs"), "utf8"), /from "node:fs\/promises"/);
});

test("Node (the \"node\" condition): import has no side effect; createClient writes", async () => {
  const app = path.join(out, "node-app.mjs");
  writeFileSync(app, `
    const before = Object.keys(globalThis).sort().join();
    const m = await import("attrkit");
    if (Object.keys(globalThis).sort().join() !== before) throw new Error("import changed globalThis");
    if (typeof window !== "undefined") throw new Error("window exists");
    const c = await m.createClient({ publicKey: process.env.PK, apiHost: process.env.HOST });
    const r = await c.analytics.setAttribute({ distinctId: "bundlers-node", attribute: "plan", value: "growth" });
    c.close();
    console.log(r.value);`);
  // Run from the suite folder so "attrkit" resolves to the installed tarball.
  const { stdout } = await run(process.execPath, [app], { cwd: suite, env: { ...process.env, PK: server.publicKey, HOST: server.url, NODE_PATH: "" } });
  assert.equal(stdout.trim(), "Growth");
  assert.equal((await stored("bundlers-node")).plan, "Growth");
});

// ---- the apps ---------------------------------------------------------------------------------

test("webpack 5 (production build, no configuration for attrkit)", async () => {
  const { default: webpack } = await import("webpack");
  const dist = path.join(out, "webpack");
  const stats = await new Promise((ok, fail) =>
    webpack({
      mode: "production",
      context: suite,
      entry: path.join(apps, "web/main.js"),
      output: { path: dist, filename: "main.js" },
    }, (err, s) => (err ? fail(err) : ok(s))));
  assert.ok(!stats.hasErrors() && !stats.hasWarnings(), stats.toString("errors-warnings"));
  cpSync(path.join(apps, "web/index.html"), path.join(dist, "index.html"));
  await checkServed("webpack", dist);
});

for (const vite of ["vite7", "vite8"]) {
  test(`${vite}: dev server`, async () => {
    const { createServer: createViteServer } = await import(vite);
    // Vite's default cache (node_modules/.vite), emptied: a fresh project's first `vite` run.
    rmSync(path.join(suite, "node_modules/.vite"), { recursive: true, force: true });
    const dev = await createViteServer({
      root: path.join(apps, "web"),
      logLevel: "error",
      server: { host: "127.0.0.1", port: await freePort(), strictPort: true, hmr: false },
      clearScreen: false,
    });
    await dev.listen();
    try {
      await checkApp(`${vite} dev`, dev.resolvedUrls.local[0]);
    } finally {
      await dev.close();
    }
  });

  test(`${vite}: production build + preview`, async () => {
    const { build, preview } = await import(vite);
    const dist = path.join(out, vite);
    await build({ root: path.join(apps, "web"), logLevel: "error", build: { outDir: dist, emptyOutDir: true }, cacheDir: path.join(out, `${vite}-cache`) });
    assert.ok(readdirSync(path.join(dist, "assets")).some((f) => f.endsWith(".wasm")), "the .wasm emitted");
    const server = await preview({ root: path.join(apps, "web"), logLevel: "error", build: { outDir: dist }, preview: { host: "127.0.0.1", port: await freePort(), strictPort: true } });
    try {
      await checkApp(`${vite} build`, server.resolvedUrls.local[0]);
    } finally {
      await new Promise((ok) => server.httpServer.close(ok));
    }
  });
}

test("Parcel 2 (production build)", async () => {
  const dist = path.join(out, "parcel");
  await run(bin("parcel"), ["build", path.join(apps, "web/index.html"), "--dist-dir", dist, "--cache-dir", path.join(out, "parcel-cache"),
    "--no-source-maps", "--public-url", "./", "--log-level", "warn", "--no-autoinstall"], { cwd: suite, maxBuffer: 1 << 24 });
  await checkServed("parcel", dist);
});

test("Rollup 4 + @web/rollup-plugin-import-meta-assets (emits the .wasm)", async () => {
  const { rollup } = await import("rollup");
  const { nodeResolve } = await import("@rollup/plugin-node-resolve");
  const { importMetaAssets } = await import("@web/rollup-plugin-import-meta-assets");
  const dist = path.join(out, "rollup");
  const warnings = [];
  const bundle = await rollup({
    input: path.join(apps, "web/main.js"),
    plugins: [nodeResolve({ browser: true }), importMetaAssets()],
    onwarn: (w) => warnings.push(String(w.message)),
  });
  await bundle.write({ dir: dist, format: "es" });
  await bundle.close();
  assert.deepEqual(warnings, []);
  cpSync(path.join(apps, "web/index.html"), path.join(dist, "index.html"));
  await checkServed("rollup", dist);
});

test("esbuild (bundle + the .wasm copied beside it)", async () => {
  const esbuild = await import("esbuild");
  const dist = path.join(out, "esbuild");
  const r = await esbuild.build({
    entryPoints: [path.join(apps, "web/main.js")], bundle: true, format: "esm", platform: "browser",
    outfile: path.join(dist, "main.js"), logLevel: "silent", absWorkingDir: suite,
    // The README's flag: without code splitting esbuild would inline the fallback's import().
    external: ["./attrkit-core.fallback.*"],
  });
  assert.deepEqual(r.warnings, []);
  assert.match(readFileSync(path.join(dist, "main.js"), "utf8"), /import\("\.\/attrkit-core\.fallback\.[0-9a-f]{12}\.mjs"\)/, "the fallback stays a file of its own");
  // The README's step: the .wasm next to the bundle (esbuild leaves new URL(..., import.meta.url) alone).
  copyWasm(dist);
  cpSync(path.join(apps, "web/index.html"), path.join(dist, "index.html"));
  await checkServed("esbuild", dist);
});

test("plain <script type=\"module\"> importing dist/attrkit.mjs from a static folder", async () => {
  const dist = path.join(out, "static");
  mkdirSync(path.join(dist, "attrkit"), { recursive: true });
  cpSync(path.join(pkgDir, "dist/attrkit.mjs"), path.join(dist, "attrkit/attrkit.mjs"));
  copyWasm(path.join(dist, "attrkit"));
  cpSync(path.join(apps, "static/index.html"), path.join(dist, "index.html"));
  cpSync(path.join(apps, "shared/write_plan.js"), path.join(dist, "write_plan.js"));
  await checkServed("static", dist);
});

test("wasmUrl: the .wasm from another origin (a CDN), nothing beside the module", async () => {
  const dist = path.join(out, "static-cdn");
  const cdnDir = path.join(out, "cdn");
  cpSync(path.join(out, "static"), dist, { recursive: true });
  for (const f of readdirSync(path.join(dist, "attrkit"))) if (f.endsWith(".wasm")) rmSync(path.join(dist, "attrkit", f));
  copyWasm(cdnDir);
  const cdn = await serveFolder(cdnDir);
  try {
    // The .wasm by its suffix: the folder holds the fallback too, and which name sorts first
    // depends on the content hashes.
    const name = readdirSync(cdnDir).find((f) => f.endsWith(".wasm"));
    const wasm = await checkServed("static-cdn", dist, `?wasm=${encodeURIComponent(`${cdn.url}/${name}`)}`);
    assert.equal(new URL(wasm[0]).origin, cdn.url);
  } finally {
    await cdn.stop();
  }
});

test("the README's CSP (script-src 'self' 'wasm-unsafe-eval', connect-src the API) is enough; without 'wasm-unsafe-eval' the fallback stores", async () => {
  const dist = path.join(out, "static");
  const html = readFileSync(path.join(dist, "index.html"), "utf8");
  const inline = /<script type="module">([\s\S]*?)<\/script>/.exec(html)[1];
  const hash = `'sha256-${createHash("sha256").update(inline).digest("base64")}'`;
  const policy = (wasm) => `script-src 'self' ${wasm} ${hash}; connect-src 'self' ${server.url}`;
  const site = await serveFolder(dist, { csp: policy("'wasm-unsafe-eval'") });
  try {
    await checkApp("static-csp", `${site.url}/`);
  } finally {
    await site.stop();
  }
  // The same page without 'wasm-unsafe-eval': the core cannot compile, so the module imports the
  // no-Wasm fallback beside it (DESIGN §9) and the write is stored; the .wasm is not downloaded.
  const strict = await serveFolder(dist, { csp: policy("") });
  const tab = await openPage(browser, { apiUrl: server.url });
  const fetched = [];
  tab.page.on("request", (req) => fetched.push(new URL(req.url()).pathname));
  try {
    const id = "bundlers-csp-fallback";
    const q = new URLSearchParams({ pk: server.publicKey, host: server.url, id });
    await tab.page.goto(`${strict.url}/?${q}`);
    const result = await tab.page.waitForFunction(() => window.__attrkitResult, null, { timeout: 30000 }).then((h) => h.jsonValue());
    assert.equal(result, "stored plan=Growth", tab.consoleLines.join("\n"));
    assert.equal((await stored(id)).plan, "Growth");
    await tab.assertClean();
    assert.ok(fetched.some((p) => /attrkit-core\.fallback\.[0-9a-f]{12}\.mjs$/.test(p)), fetched.join(" "));
    assert.ok(!fetched.some((p) => p.endsWith(".wasm")), "no .wasm where it cannot run");
  } finally {
    await tab.close();
    await strict.stop();
  }
});

test("the checks catch a broken app: the same static folder without its .wasm fails", async () => {
  const dist = path.join(out, "static-broken");
  cpSync(path.join(out, "static"), dist, { recursive: true });
  for (const f of readdirSync(path.join(dist, "attrkit"))) if (f.endsWith(".wasm")) rmSync(path.join(dist, "attrkit", f));
  await assert.rejects(checkServed("static-broken", dist), /sdk_unavailable|console|stored/);
});

for (const mode of ["dev", "build"]) {
  test(`Next.js ${mode === "dev" ? "next dev" : "next build + next start"} (app router): server component imports, client component writes`, async () => {
    const app = path.join(apps, "next");
    // Vite's build sets NODE_ENV in this process; Next must not inherit it.
    const { NODE_ENV, ...rest } = process.env;
    const env = { ...rest, NEXT_TELEMETRY_DISABLED: "1" };
    if (mode === "build") {
      rmSync(path.join(app, ".next"), { recursive: true, force: true });
      await run(bin("next"), ["build"], { cwd: app, env, maxBuffer: 1 << 24 });
    }
    const port = await freePort();
    const child = spawn(bin("next"), [mode === "dev" ? "dev" : "start", "-p", String(port), "-H", "127.0.0.1"], { cwd: app, env, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    child.stdout.on("data", (d) => (log += d));
    child.stderr.on("data", (d) => (log += d));
    try {
      const url = `http://127.0.0.1:${port}/`;
      await waitFor(async () => (await fetch(url).catch(() => null))?.ok, `next ${mode} (${log})`, 120000);
      // Rendered on the server: the server component imported attrkit (Node, no window).
      assert.match(await (await fetch(url)).text(), /server import: (<!-- -->)?function/);
      await checkApp(`next ${mode}`, url);
    } finally {
      child.kill("SIGTERM");
      await new Promise((ok) => (child.exitCode !== null ? ok() : child.on("exit", ok)));
    }
    assert.doesNotMatch(log, /error/i, log);
  });
}

// ---- helpers ----------------------------------------------------------------------------------

/** Serves a built folder with the static server, then checkApp. */
async function checkServed(tool, dir, query = "") {
  const site = await serveFolder(dir);
  try {
    return await checkApp(tool, `${site.url}/${query}`);
  } finally {
    await site.stop();
  }
}

/** Loads the app in a fresh context; asserts stored on the server, a clean page, one .wasm fetch.
 * Resolves to the .wasm URL requested. */
async function checkApp(tool, url) {
  const id = `bundlers-${tool.replace(/\W+/g, "-")}`;
  const tab = await openPage(browser, { apiUrl: server.url });
  const wasm = [];
  tab.page.on("request", (req) => {
    if (new URL(req.url()).pathname.endsWith(".wasm")) wasm.push(req.url());
  });
  try {
    const q = new URLSearchParams({ pk: server.publicKey, host: server.url, id });
    await tab.page.goto(`${url}${url.includes("?") ? "&" : "?"}${q}`);
    const result = await tab.page
      .waitForFunction(() => window.__attrkitResult, null, { timeout: 30000 })
      .then((h) => h.jsonValue(), () => "(no result in 30 s)");
    assert.equal(result, "stored plan=Growth", `${tool}: the page says ${result}; console:\n${tab.consoleLines.join("\n")}`);
    assert.equal((await stored(id)).plan, "Growth", `${tool}: stored on the server`);
    await tab.assertClean();
    assert.equal(wasm.length, 1, `${tool}: .wasm requests ${JSON.stringify(wasm)}`);
    return wasm;
  } finally {
    await tab.close();
  }
}

async function stored(id) {
  const r = await api(server, "GET", `/api/v1/persons/${encodeURIComponent(id)}/attributes`, { key: server.secretKey });
  return r.status === 200 ? r.body.attributes : {};
}

// The README's step for esbuild and a static folder: `cp node_modules/attrkit/dist/attrkit-core.* dist/`
// (the .wasm, and the no-Wasm fallback the module import()s where WebAssembly cannot run).
function copyWasm(dir) {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(path.join(pkgDir, "dist"))) {
    if (f.startsWith("attrkit-core.")) cpSync(path.join(pkgDir, "dist", f), path.join(dir, f));
  }
}

function listFiles(dir, prefix = "") {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]);
}

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

async function waitFor(fn, what, timeout = 60000) {
  const end = Date.now() + timeout;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
