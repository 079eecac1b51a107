// The start sequence (issue 13; docs/sdk.md "Start sequence"), in Chromium with request timing:
// with the release snippet (js/dist/snippet.min.js) the .wasm download and compile start before
// attrkit.js has run (the snippet starts them), attrkit.js takes that module instead of fetching
// and compiling again, and the config request does not wait for the core: it starts before the
// .wasm is instantiated. Nothing is timed against a threshold: only the order of events is asserted.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";

import { repoRoot } from "../js/helpers/server.mjs";
import { eventually, jsLiteral, startStack, waitForStored } from "./helpers/stack.mjs";

let stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

// The release snippet, its one "…/attrkit.js" literal pointed at the test server (the .wasm
// name it carries is resolved beside that URL).
function releaseSnippet(sdkUrl) {
  const min = readFileSync(path.join(repoRoot, "js/dist/snippet.min.js"), "utf8");
  const literal = /(["'])[^"'\n]*\/attrkit\.js\1/;
  assert.match(min, literal);
  assert.match(min, /attrkit-core\.[0-9a-f]{12}\.wasm/, "the release snippet names the release's .wasm");
  return min.replace(literal, () => JSON.stringify(sdkUrl));
}

test("the .wasm download starts before attrkit.js runs, the config request before the .wasm is instantiated", async () => {
  const tab = await stack.open();
  // Observing, not replacing: the real instantiate runs; its settling time is recorded.
  await tab.page.addInitScript(() => {
    window.__instantiated = [];
    window.__compiles = [];
    for (const name of ["instantiateStreaming", "instantiate"]) {
      const real = WebAssembly[name];
      WebAssembly[name] = function (...args) {
        return real.apply(this, args).then((r) => (window.__instantiated.push(performance.now()), r));
      };
    }
    for (const name of ["compileStreaming", "compile"]) {
      const real = WebAssembly[name];
      WebAssembly[name] = function (...args) {
        window.__compiles.push({ name, at: performance.now() });
        return real.apply(this, args);
      };
    }
  });
  const head = `<script>${releaseSnippet(stack.sdkUrl)}
;attrkit.push(["do", "init", [${jsLiteral(stack.init)}]]);
attrkit.push(["on", "ready", [function () { window.__ready = performance.now(); }]]);
attrkit.push(["do", "identify", ["user-start"]]);
attrkit.push(["set", "user:attributes", [{ plan: "Pro" }]]);</script>`;
  // Read once ready fired and the config request finished: on the warm visit `ready` comes from
  // the cached config and need not wait for the network (docs/sdk.md "Start sequence", 4).
  const timeline = async () => {
    await eventually(() => tab.page.evaluate(() => window.__ready !== undefined &&
      performance.getEntriesByType("resource").some((e) => new URL(e.name).pathname === "/api/v1/sdk/config")),
    { message: "ready and the config answered" });
    return tab.page.evaluate(() => ({
      resources: performance.getEntriesByType("resource").map((e) => ({
        path: new URL(e.name).pathname, initiator: e.initiatorType, start: e.startTime, end: e.responseEnd,
      })),
      instantiated: window.__instantiated,
      compiles: window.__compiles,
      ready: window.__ready,
    }));
  };

  for (const visit of ["cold", "warm"]) {
    if (visit === "cold") await tab.page.goto(stack.site.page({ head, name: "start" }));
    else await tab.page.reload();
    const t = await timeline();
    const of = (re) => t.resources.filter((r) => re.test(r.path));
    const [script] = of(/\/sdk\/attrkit\.js$/);
    const wasm = of(/\/sdk\/attrkit-core\.[0-9a-f]{12}\.wasm$/);
    const config = of(/^\/api\/v1\/sdk\/config$/);
    const where = `${visit}: ${JSON.stringify(t)}`;
    if (process.env.ATTRKIT_PRINT_TIMELINE) console.log(where);
    assert.ok(script, where);
    assert.equal(wasm.length, 1, `the .wasm is requested once: attrkit.js used the snippet's module (${where})`);
    assert.equal(wasm[0].initiator, "fetch", where);
    assert.deepEqual(t.compiles.map((c) => c.name), ["compileStreaming"], `compiled once, by the snippet (${where})`);
    assert.equal(config.length, 1, where);
    assert.equal(t.instantiated.length, 1, where);
    // The .wasm request and its compile went before anything attrkit.js does (its first act is
    // the config request).
    assert.ok(wasm[0].start < config[0].start, `the .wasm request started after the runtime ran (${where})`);
    assert.ok(t.compiles[0].at < config[0].start, `the compile started after the runtime ran (${where})`);
    // The config request does not wait for the core.
    assert.ok(config[0].start < t.instantiated[0], `the config request waited for the .wasm (${where})`);
    assert.ok(t.ready >= t.instantiated[0], where);
    // Cold, ready needs the server's config; warm, the cached copy may make it first.
    if (visit === "cold") assert.ok(t.ready >= config[0].end, where);
  }
  await waitForStored(stack, "user-start", { plan: "Pro" });
  await tab.assertClean();
  await tab.close();
});
