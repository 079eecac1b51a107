#!/usr/bin/env node
// Where attrkit's start goes (issue #13; bench/README.md "Ready sooner"): cold and warm visits of
// one attrkit page in headless Chromium, each under a detailed Chrome trace, and the medians of
// what the trace says about the renderer's main thread up to `ready`. A measuring tool beside
// run.mjs (which compares with the peers), not part of `npm test`.
//
//   node bench/ready_trace.mjs [--reps 5] [--flavour script|npm] [--sdk DIR] [--keep DIR]
//
// --sdk: the built SDK folder (default js/dist; another one built with ATTRKIT_SDK_OUT=DIR node
// js/build.mjs, to compare two builds); --keep: also write every trace there (for
// chrome://tracing or Perfetto). The page is run.mjs's: attrkit's files from a CDN-like server
// (memory, max-age=3600, application/wasm), the API through that server to the real
// attrkit-server, the page on another origin, ready = the `ready` event (script tag) or the
// createClient promise (npm). Figures, medians over the reps, ms:
//   navToReady, scriptToReady      as run.mjs (ready - the main file's responseEnd)
//   configStart, configEnd         the config request (Resource Timing, from navigation)
//   afterConfig                    ready - configEnd: what the SDK does once the config is in
//   mainThread                     top-level tasks of the main thread from navigation to ready,
//                                  without the harness's own (Playwright's DevTools messages: its
//                                  injected script, ~330 KB, compiles on the page's main thread
//                                  when waitForFunction first runs, i.e. after the load event)
//   harness                        those DevTools tasks before ready (run.mjs counts them)
//   sdkMainThread                  mainThread from the main file's responseEnd on
//   jsCompile                      V8.CompileCode on the main thread (lazy compiles at first call)
//   wasmLazyCompile                wasm.CompileLazy on the main thread (Liftoff at first call)
import http from "node:http";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { startServer } from "../tests/js/helpers/server.mjs";
import { startPageServer } from "../tests/e2e/helpers/page_server.mjs";
import { repoRoot } from "./lib/sdks.mjs";

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const REPS = Number(opt("--reps", 5));
const FLAVOUR = opt("--flavour", "script");
const SDK = path.resolve(repoRoot, opt("--sdk", "js/dist"));
const KEEP = opt("--keep", null);
const CATEGORIES = ["toplevel", "blink.user_timing", "devtools.timeline", "v8", "v8.wasm", "loading", "blink",
  "disabled-by-default-v8.compile", "disabled-by-default-devtools.timeline"];

const files = Object.fromEntries(readdirSync(SDK).map((f) => [`/sdk/${f}`, readFileSync(path.join(SDK, f))]));
const server = await startServer({ sdk: SDK });
// attrkit's files from memory as a CDN would serve them; everything else to the real server.
const cdn = http.createServer((req, res) => {
  const body = files[new URL(req.url, "http://x").pathname];
  if (body) {
    const type = req.url.endsWith(".wasm") ? "application/wasm" : "text/javascript";
    res.writeHead(200, { "Content-Type": type, "Cache-Control": "max-age=3600", "Access-Control-Allow-Origin": "*" });
    res.end(body);
    return;
  }
  const target = new URL(server.url);
  const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
  });
  up.on("error", () => res.destroy());
  req.pipe(up);
});
await new Promise((r) => cdn.listen(0, "127.0.0.1", r));
const origin = `http://127.0.0.1:${cdn.address().port}`;
const site = await startPageServer();
const init = JSON.stringify({ publicKey: server.publicKey, apiHost: origin });
const mark = `performance.mark("bench-ready");window.__readyAt=performance.now()`;
let head;
if (FLAVOUR === "npm") {
  head = `<script type="module">import { createClient } from ${JSON.stringify(`${origin}/sdk/attrkit.mjs`)};` +
    `createClient(${init}).then(function(){${mark}});</script>`;
} else {
  // The release snippet (its SRI hash and .wasm name), its one "…/attrkit.js" literal pointed here.
  const snippet = readFileSync(path.join(SDK, "snippet.min.js"), "utf8")
    .replace(/(["'])[^"'\n]*\/attrkit\.js\1/, () => JSON.stringify(`${origin}/sdk/attrkit.js`));
  head = `<script>${snippet}\n;attrkit.push(["do","init",[${init}]]);attrkit.push(["on","ready",[function(){${mark}}]]);</script>`;
}
const url = site.page({ head, name: "ready-trace" });
const mainFile = FLAVOUR === "npm" ? "/sdk/attrkit.mjs" : "/sdk/attrkit.js";

function figures(events, page) {
  const readyMark = events.find((e) => e.name === "bench-ready");
  const pid = readyMark.pid;
  const main = events.find((e) => e.ph === "M" && e.name === "thread_name" && e.pid === pid && e.args.name === "CrRendererMain").tid;
  const t0 = readyMark.ts - page.readyAt * 1000; // navigation start, in trace time
  const at = (ms) => t0 + ms * 1000;
  const onMain = events.filter((e) => e.pid === pid && e.tid === main && e.ph === "X" && e.ts >= t0 && e.ts <= readyMark.ts);
  const sum = (list) => list.reduce((n, e) => n + Math.min(e.dur, readyMark.ts - e.ts), 0) / 1000;
  const outermost = (name) => onMain.filter((e) => e.name === name && !onMain.some((o) => o !== e && o.name === name && o.ts <= e.ts && o.ts + o.dur >= e.ts + e.dur));
  const tasks = onMain.filter((e) => e.name === "ThreadControllerImpl::RunTask");
  const isHarness = (t) => onMain.some((e) => e.name === "Receive mojo message" && e.ts >= t.ts && e.ts <= t.ts + t.dur && /DevToolsSession/.test(JSON.stringify(e.args)));
  const own = tasks.filter((t) => !isHarness(t));
  const script = page.resources.find((r) => r.path === mainFile);
  const config = page.resources.find((r) => r.path === "/api/v1/sdk/config");
  return {
    navToReady: page.readyAt,
    scriptToReady: page.readyAt - script.end,
    configStart: config?.start ?? NaN,
    configEnd: config?.end ?? NaN,
    afterConfig: page.readyAt - (config?.end ?? NaN),
    mainThread: sum(own),
    harness: sum(tasks) - sum(own),
    sdkMainThread: sum(own.filter((t) => t.ts >= at(script.end))),
    jsCompile: sum(outermost("V8.CompileCode")),
    wasmLazyCompile: sum(outermost("wasm.CompileLazy")),
  };
}

const browser = await chromium.launch({
  executablePath: process.env.ATTRKIT_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const rows = { cold: [], warm: [] };
try {
  for (let i = 0; i < REPS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    for (const visit of ["cold", "warm"]) {
      await browser.startTracing(page, { categories: CATEGORIES });
      await page.goto(url, { waitUntil: "load" });
      await page.waitForFunction(() => window.__readyAt !== undefined, null, { timeout: 20000 });
      const seen = await page.evaluate(() => ({
        readyAt: window.__readyAt,
        resources: performance.getEntriesByType("resource").map((e) => ({ path: new URL(e.name).pathname, start: e.startTime, end: e.responseEnd })),
      }));
      const doc = JSON.parse((await browser.stopTracing()).toString("utf8"));
      const events = Array.isArray(doc) ? doc : doc.traceEvents;
      if (KEEP) {
        mkdirSync(KEEP, { recursive: true });
        writeFileSync(path.join(KEEP, `${FLAVOUR}-${visit}-${i}.json`), JSON.stringify(events));
      }
      rows[visit].push(figures(events, seen));
    }
    await context.close();
  }
} finally {
  await browser.close();
  cdn.close();
  await site.stop();
  await server.stop();
}

const median = (xs) => {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
const keys = Object.keys(rows.cold[0]);
console.log(`attrkit (${FLAVOUR}) from ${path.relative(repoRoot, SDK) || SDK}, ${REPS} reps, medians in ms`);
console.log(`| visit | ${keys.join(" | ")} |`);
console.log(`|---|${keys.map(() => "---:").join("|")}|`);
for (const visit of ["cold", "warm"]) console.log(`| ${visit} | ${keys.map((k) => median(rows[visit].map((r) => r[k])).toFixed(1)).join(" | ")} |`);
