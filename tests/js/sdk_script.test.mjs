// The script tag: the snippet (size and double-inclusion guard) and dist/attrkit.js served by the
// REAL server at /sdk/, evaluated in a bare vm realm that has only what a page offers (window,
// document, location, fetch, WebAssembly, timers). The .wasm comes over HTTP from the server.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import vm from "node:vm";

import { api, sdkDir as distDir, startServer } from "./helpers/server.mjs";

if (!existsSync(`${distDir}/attrkit.js`)) throw new Error(`${distDir}/attrkit.js is missing: run \`node js/build.mjs\``);
const snippet = readFileSync(`${distDir}/snippet.min.js`, "utf8");

// A page: the globals a browser has, plus the record of what was appended and fetched.
// `globals` replaces some of them (a console that records, a WebAssembly a CSP refuses).
function page(origin, globals = {}) {
  const appended = [];
  const fetched = [];
  const requests = []; // [url as given, init]
  const document = {
    currentScript: null,
    visibilityState: "visible",
    head: { appendChild: (el) => appended.push(el) },
    createElement: (tag) => ({ tagName: tag.toUpperCase() }),
    addEventListener() {},
    removeEventListener() {},
  };
  const ctx = {
    document, location: { href: `${origin}/shop/` }, console, URL, AbortController, TextDecoder, WebAssembly,
    setTimeout, clearTimeout, queueMicrotask, crypto,
    addEventListener() {}, removeEventListener() {},
    fetch: (url, init) => {
      requests.push([String(url), init]);
      fetched.push(`${init?.method ?? "GET"} ${new URL(url, origin).pathname}`);
      // Only the test server is asked: a page of another origin (https://shop.example) has its
      // requests recorded and refused at once, never sent to the internet.
      if (!origin.startsWith("http://127.0.0.1:")) return Promise.reject(new TypeError("offline: no server for " + origin));
      return fetch(new URL(url, origin), init);
    },
    ...globals,
  };
  ctx.window = ctx;
  vm.createContext(ctx);
  return { ctx, appended, fetched, requests };
}

// Evaluates the served attrkit.js as if it had been loaded from `src` (the .wasm is looked up
// beside `src`), then waits until window.attrkit has its API.
async function load(p, server, src = `${server.url}/sdk/attrkit.js`) {
  const res = await fetch(`${server.url}/sdk/attrkit.js`);
  assert.equal(res.status, 200);
  p.ctx.document.currentScript = { src };
  vm.runInContext(await res.text(), p.ctx, { filename: "attrkit.js" });
  p.ctx.document.currentScript = null;
  for (let i = 0; i < 500 && !p.ctx.attrkit.analytics; i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(p.ctx.attrkit.analytics, "the SDK loaded");
}

describe("snippet", () => {
  test("is under 700 bytes minified", () => {
    // Two SRI hashes (attrkit.js and the .wasm) are 142 of them (docs/sdk.md "Script tag").
    assert.ok(Buffer.byteLength(snippet) < 700, `${Buffer.byteLength(snippet)} bytes`);
    assert.doesNotMatch(snippet, /eval|Function\(|innerHTML|document\.write/);
  });
  test("creates the queue, inserts one async script, starts compiling the .wasm, and only once", async () => {
    const compiles = [];
    const p = page("https://shop.example", {
      // No network here: the request is recorded, its answer dropped.
      WebAssembly: { compileStreaming: (response) => (compiles.push(response.catch(() => {})), Promise.resolve("module")) },
    });
    p.ctx.attrkit = [["do", "init", [{}]]]; // commands pushed before the snippet are kept
    vm.runInContext(snippet, p.ctx);
    vm.runInContext(snippet, p.ctx);
    assert.equal(p.appended.length, 1);
    assert.equal(p.appended[0].tagName, "SCRIPT");
    assert.equal(p.appended[0].async, true);
    assert.equal(p.appended[0].src, "/sdk/attrkit.js");
    // SRI (DESIGN §6): the release's hashes of attrkit.js and of the .wasm.
    const sri = JSON.parse(readFileSync(`${distDir}/sri.json`, "utf8"));
    assert.equal(p.appended[0].integrity, sri["attrkit.js"]);
    assert.equal(p.appended[0].crossOrigin, "anonymous");
    // The release's .wasm, beside the script, fetched as attrkit.js would fetch it (docs/sdk.md),
    // with an init object that has no prototype (DESIGN §6), and compiled once.
    const wasm = readdirSync(distDir).find((f) => /^attrkit-core\.[0-9a-f]{12}\.wasm$/.test(f));
    assert.equal(p.requests.length, 1);
    const [url, init] = p.requests[0];
    assert.equal(url, `/sdk/${wasm}`);
    assert.equal(Object.getPrototypeOf(init), null);
    assert.deepEqual({ ...init }, { integrity: sri[wasm], credentials: "same-origin" });
    assert.equal(compiles.length, 1);
    assert.equal(p.ctx.attrkit.w[0], wasm, "w names the .wasm it compiles");
    assert.equal(await p.ctx.attrkit.w[1], "module");
    assert.equal(p.ctx.attrkit.length, 1);
    const fresh = page("https://shop.example");
    vm.runInContext(snippet, fresh.ctx);
    assert.ok(Array.isArray(fresh.ctx.attrkit) && fresh.ctx.attrkit.length === 0);
  });
  test("a compile that fails resolves to undefined (attrkit.js fetches the .wasm itself); no WebAssembly, no w", async () => {
    const failing = page("https://shop.example", {
      WebAssembly: { compileStreaming: (response) => (response.catch(() => {}), Promise.reject(new Error("refused by the CSP"))) },
    });
    vm.runInContext(snippet, failing.ctx);
    assert.equal(await failing.ctx.attrkit.w[1], undefined);
    const none = page("https://shop.example", { WebAssembly: undefined });
    vm.runInContext(snippet, none.ctx);
    assert.equal(none.requests.length, 0);
    assert.ok(!Object.hasOwn(none.ctx.attrkit, "w"));
    assert.equal(none.appended.length, 1);
  });
});

describe("script-tag build against the server", () => {
  let server;
  before(async () => {
    server = await startServer({ sdk: distDir });
  });
  after(async () => server?.stop());

  test("commands queued before load run in order; push is then replaced", async () => {
    const p = page(server.url);
    vm.runInContext(snippet, p.ctx);
    const order = [];
    const q = p.ctx.attrkit;
    q.push(["on", "error", [(e) => order.push(`error:${e.code}`)]]);
    q.push(["set", "user:attributes", [{ plan: "Pro" }]]); // before init and identify: held
    q.push(["do", "init", [{ publicKey: server.publicKey, apiHost: server.url }]]);
    q.push(["do", "identify", ["user-200", (id) => order.push(`identified:${id}`)]]);
    q.push(["set", "user:attributes", [{ role: "bogus" }]]);
    q.push(["set", "user:email", ["sam@example.com"]]);
    q.push(["on", "delivered", [(d) => order.push(`delivered:${d.attribute}`)]]);
    await load(p, server);
    assert.equal(q.length, 0, "the queue was drained");
    assert.notEqual(q.push, Array.prototype.push);
    const r = await q.push(["set", "user:attributes", [{ team_size: 3 }, { refetchBoosted: true }]]);
    assert.deepEqual(JSON.parse(JSON.stringify(r)), { ok: true, value: { team_size: 3 } });
    const view = await q.push(["get", "user:attributes", []]);
    assert.deepEqual(JSON.parse(JSON.stringify(view)), { ok: true, value: { plan: "Pro", email: "sam@example.com", team_size: 3 } });
    // In submission order: identify settles at once; the bogus role fails once the config is in.
    assert.deepEqual(order.slice(0, 2), ["identified:user-200", "error:attribute_value_invalid"]);
    assert.deepEqual(order.slice(2).sort(), ["delivered:email", "delivered:plan", "delivered:team_size"]);
    const stored = await api(server, "GET", "/api/v1/persons/user-200/attributes", { key: server.secretKey });
    assert.deepEqual(stored.body.attributes, { plan: "Pro", email: "sam@example.com", team_size: 3 });
    // The engine's state for the demo console, synchronously.
    const state = q.inspect();
    assert.equal(state.identity, "user-200");
    assert.equal(state.configured, true);
    assert.equal(typeof state.workspace, "string");
    assert.match(state.clientId, /^[a-z0-9]{16}$/);
    assert.deepEqual([state.pending.length, state.held.length], [0, 0]);
    // The promise API is there too.
    const set = await q.analytics.setAttribute({ distinctId: "user-201", attribute: "persona", value: "student" });
    assert.equal(set.value, "student");
    // The wasm came from the server beside the script, content-hashed.
    assert.ok(p.fetched.some((f) => /^GET \/sdk\/attrkit-core\.[0-9a-f]{12}\.wasm$/.test(f)), p.fetched.join());
  });

  test("a module compiled by a snippet of another release is not used: attrkit.js fetches its own", async () => {
    const p = page(server.url);
    vm.runInContext(snippet, p.ctx);
    const q = p.ctx.attrkit;
    // What a snippet left from another release would hold: another .wasm's name and module (here
    // the empty module, which this attrkit.js's glue could not run).
    const other = new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
    q.w = ["attrkit-core.000000000000.wasm", Promise.resolve(other)];
    q.push(["do", "init", [{ publicKey: server.publicKey, apiHost: server.url }]]);
    q.push(["do", "identify", ["user-other-release"]]);
    await load(p, server);
    // Resolved once the server stored it: a write still queued when the server stops is retried
    // by the page for minutes (up to ten tries, DESIGN §5), holding this file's process open.
    const r = await q.push(["set", "user:attributes", [{ plan: "Pro" }, { refetchBoosted: true }]]);
    assert.deepEqual(JSON.parse(JSON.stringify(r)), { ok: true, value: { plan: "Pro" } });
    // The snippet's own compile, then attrkit.js's fetch of its .wasm.
    assert.equal(p.fetched.filter((f) => /^GET \/sdk\/attrkit-core\.[0-9a-f]{12}\.wasm$/.test(f)).length, 2, p.fetched.join());
  });

  test("an sk_ key: init fails, nothing is sent, errors reach on(error)", async () => {
    const p = page(server.url);
    vm.runInContext(snippet, p.ctx);
    const errors = [];
    p.ctx.attrkit.push(["on", "error", [(e) => errors.push(e.code)]]);
    p.ctx.attrkit.push(["do", "init", [{ publicKey: server.secretKey, apiHost: server.url }]]);
    p.ctx.attrkit.push(["do", "identify", ["user-202"]]);
    p.ctx.attrkit.push(["set", "user:attributes", [{ plan: "Pro" }]]);
    await load(p, server);
    const r = await p.ctx.attrkit.push(["set", "user:attributes", [{ plan: "Pro" }]]);
    assert.equal(r.ok, false);
    assert.equal(r.error.code, "secret_key_in_browser");
    assert.equal(errors[0], "secret_key_in_browser");
    assert.deepEqual(p.fetched.filter((f) => f.startsWith("GET /api") || f.startsWith("POST") || f.startsWith("DELETE")), []);
  });

  test("the SDK files are served with the right types and caching", async () => {
    const js = await fetch(`${server.url}/sdk/attrkit.js`);
    assert.match(js.headers.get("content-type"), /javascript/);
    const sri = JSON.parse(readFileSync(`${distDir}/sri.json`, "utf8"));
    const wasmName = Object.keys(sri).find((f) => /^attrkit-core\.[0-9a-f]{12}\.wasm$/.test(f));
    const wasm = await fetch(`${server.url}/sdk/${wasmName}`);
    assert.equal(wasm.headers.get("content-type"), "application/wasm");
    assert.match(wasm.headers.get("cache-control"), /immutable/);
    const text = readFileSync(`${distDir}/attrkit.js`, "utf8");
    assert.doesNotMatch(text, /\beval\(|new Function\(/);
  });
});

describe("script-tag build when the core cannot load", () => {
  let server;
  before(async () => {
    server = await startServer({ sdk: distDir });
  });
  after(async () => server?.stop());

  // What a page would see: uncaught errors (reportError), unhandled rejections, console output.
  function watchedPage(globals = {}) {
    const seen = { warn: [], error: [], reported: [], rejections: [] };
    const console = { ...globalThis.console, warn: (...a) => seen.warn.push(a.join(" ")), error: (...a) => seen.error.push(a) };
    const p = page(server.url, { console, reportError: (e) => seen.reported.push(e), ...globals });
    const onRejection = (reason) => seen.rejections.push(reason);
    process.on("unhandledRejection", onRejection);
    seen.stop = () => process.off("unhandledRejection", onRejection);
    return { p, seen };
  }

  async function unavailable(p, seen, src) {
    // The snippet names where attrkit.js is: the .wasm it compiles sits beside that.
    vm.runInContext(src ? snippet.replace('"/sdk/attrkit.js"', JSON.stringify(src)) : snippet, p.ctx);
    const q = p.ctx.attrkit;
    const heard = [];
    q.push(["on", "error", [(e) => heard.push(e.code)]]);
    q.push(["do", "init", [{ publicKey: server.publicKey, apiHost: server.url }]]);
    q.push(["set", "user:attributes", [{ plan: "Pro" }]]);
    try {
      await load(p, server, src);
      assert.equal(q.length, 0, "the queued commands were taken");
      assert.deepEqual(heard, ["sdk_unavailable"], "an error listener queued before load hears why, once");
      // Later pushes resolve {ok: false} with a clear code; the Promise API rejects with it.
      for (const cmd of [["set", "user:attributes", [{ plan: "Pro" }]], ["get", "user:attributes", []], "garbage"]) {
        const r = await q.push(cmd);
        assert.equal(r.ok, false);
        assert.equal(r.error.name, "AttrkitError");
        assert.equal(r.error.code, "sdk_unavailable");
        assert.equal(r.error.status, 0);
      }
      await assert.rejects(q.analytics.setAttribute({ distinctId: "u1", attribute: "plan", value: "Pro" }), { code: "sdk_unavailable" });
      await assert.rejects(q.setAttribute("plan", "Pro", { id: "u1" }), { code: "sdk_unavailable" });
      assert.equal(q.inspect(), null);
      await new Promise((r) => setTimeout(r, 50)); // let any stray rejection surface
      assert.equal(seen.warn.length, 1, `one warning: ${seen.warn.join(" | ")}`);
      assert.match(seen.warn[0], /attrkit: the SDK could not load/);
      assert.deepEqual(seen.reported, [], "nothing reported as an uncaught page error");
      assert.deepEqual(seen.error, []);
      assert.deepEqual(seen.rejections, [], "no unhandled rejection");
      // Nothing but the failed .wasm fetch and the config request that went beside it (it does
      // not wait for the core, docs/sdk.md "Start sequence"): no write.
      assert.deepEqual(p.fetched.filter((f) => !f.endsWith(".wasm") && f !== "GET /api/v1/sdk/config"), []);
    } finally {
      seen.stop();
    }
  }

  test("the .wasm answers 404", async () => {
    const { p, seen } = watchedPage();
    // Loaded from a folder the server does not have: the .wasm beside it is a 404.
    await unavailable(p, seen, `${server.url}/missing/attrkit.js`);
    // Asked for twice: by the snippet's compile, then by attrkit.js itself once that failed (it
    // cannot tell a 404 from a wrong MIME type, which its own fetch gets past).
    const wasm = p.fetched.filter((f) => f.endsWith(".wasm"));
    assert.equal(wasm.length, 2, p.fetched.join());
    assert.ok(wasm.every((f) => /^GET \/missing\/attrkit-core\.[0-9a-f]{12}\.wasm$/.test(f)), p.fetched.join());
    // Fetched with its SRI hash: a 404's body fails the integrity check, so fetch itself rejects
    // (as in a browser) before the status can be read.
    assert.match(seen.warn[0], /HTTP 404|fetch failed/);
  });

  test("a CSP without 'wasm-unsafe-eval' refuses to compile the .wasm", async () => {
    const refuse = () => Promise.reject(new WebAssembly.CompileError("WebAssembly.instantiate(): Refused to compile or instantiate WebAssembly module because 'wasm-unsafe-eval' is not an allowed source of script"));
    const csp = Object.create(WebAssembly, {
      instantiate: { value: refuse },
      instantiateStreaming: { value: refuse },
      compile: { value: refuse },
      compileStreaming: { value: refuse },
    });
    const { p, seen } = watchedPage({ WebAssembly: csp });
    await unavailable(p, seen);
    assert.match(seen.warn[0], /wasm-unsafe-eval/);
  });
});
