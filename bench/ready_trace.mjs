#!/usr/bin/env node
// Where attrkit's start goes (issue #13; bench/README.md "Ready sooner"): cold and warm visits of
// one attrkit page in headless Chromium, each under a detailed Chrome trace, and the medians of
// what the trace says about the renderer's main thread up to `ready`. A measuring tool beside
// run.mjs (which compares with the peers), not part of `npm test`.
//
//   node bench/ready_trace.mjs [--reps 5] [--flavour script|npm] [--sdk DIR] [--keep DIR]
//                              [--cpu-profile DIR]
//
// --sdk: the built SDK folder (default js/dist; another one built with ATTRKIT_SDK_OUT=DIR node
// js/build.mjs), or several separated by commas: they take turns within each repetition, so a
// machine's changing load falls on all of them alike (how two builds are compared); --keep: also write every trace there (for
// chrome://tracing or Perfetto); --cpu-profile: a V8 CPU profile of each visit (navigation to
// ready, sampled every 50 us; open in DevTools, or read with a build linked --profiling-funcs
// for the Wasm functions' names). The page is run.mjs's: attrkit's files from a CDN-like server
// (memory, max-age=3600, application/wasm), the API through that server to the real
// attrkit-server, the page on another origin, ready = the `ready` event (script tag) or the
// createClient promise (npm). Figures, medians over the reps, ms:
//   navToReady, scriptToReady      as run.mjs (ready - the main file's responseEnd)
//   scriptEnd                      the main file's responseEnd (Resource Timing, from navigation)
//   wasmStart, wasmEnd             the .wasm request (the snippet's on the script tag)
//   configStart, configEnd         the config request
//   afterConfig                    ready - configEnd: what the SDK does once the config is in
//   mainThread                     top-level tasks of the main thread from navigation to ready
//                                  (ready is heard as a console message: nothing of Playwright's
//                                  is injected into the page before it)
//   mainThreadCpu                  the same tasks' thread time (without the time the thread waited
//                                  for a core: on this 2-core machine a cold start's tasks last
//                                  about twice their thread time)
//   sdkMainThread(Cpu)             mainThread(Cpu) from the main file's responseEnd on
//   jsCompile                      V8.CompileCode on the main thread (lazy compiles at first
//                                  call), thread time, as the two below
//   wasmLazyCompile                wasm.CompileLazy on the main thread (Liftoff at first call)
//   sourcePositions                V8.CollectSourcePositions: functions re-parsed for a stack
//                                  capture (seen under CDP, most likely DevTools' network
//                                  initiators, as Playwright has them on)
import http from "node:http";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { startServer } from "../tests/js/helpers/server.mjs";
import { startPageServer } from "../tests/e2e/helpers/page_server.mjs";
import { repoRoot } from "./lib/sdks.mjs";
import { isTask, outermost } from "./lib/trace.mjs";

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const REPS = Number(opt("--reps", 5));
const FLAVOUR = opt("--flavour", "script");
const SDKS = opt("--sdk", "js/dist").split(",").map((d) => path.resolve(repoRoot, d));
const KEEP = opt("--keep", null);
const CPU_PROFILE = opt("--cpu-profile", null);
const CATEGORIES = ["toplevel", "blink.user_timing", "devtools.timeline", "v8", "v8.wasm", "loading", "blink",
  "disabled-by-default-v8.compile", "disabled-by-default-devtools.timeline"];

// SDK folder i is served under /sdk<i>/ (a CDN path per build: no build reads another's cache).
const files = Object.fromEntries(SDKS.flatMap((dir, i) => readdirSync(dir).map((f) => [`/sdk${i}/${f}`, readFileSync(path.join(dir, f))])));
const server = await startServer({ sdk: SDKS[0] });
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
// Ready is told by a console message, as in run.mjs: Playwright's waitForFunction would inject its
// ~330 KB script into the page, compiled on the main thread before ready, and counted against it.
const mark = `window.__readyAt=performance.now();performance.mark("bench-ready");console.debug("bench-ready")`;
const pageOf = (dir, i) => {
  if (FLAVOUR === "npm") {
    return `<script type="module">import { createClient } from ${JSON.stringify(`${origin}/sdk${i}/attrkit.mjs`)};` +
      `createClient(${init}).then(function(){${mark}});</script>`;
  }
  // The release snippet (its SRI hash and .wasm name), its one "…/attrkit.js" literal pointed here.
  const snippet = readFileSync(path.join(dir, "snippet.min.js"), "utf8")
    .replace(/(["'])[^"'\n]*\/attrkit\.js\1/, () => JSON.stringify(`${origin}/sdk${i}/attrkit.js`));
  return `<script>${snippet}\n;attrkit.push(["do","init",[${init}]]);attrkit.push(["on","ready",[function(){${mark}}]]);</script>`;
};
const urls = SDKS.map((dir, i) => site.page({ head: pageOf(dir, i), name: `ready-trace-${i}` }));
const mainFile = (i) => `/sdk${i}/attrkit.${FLAVOUR === "npm" ? "mjs" : "js"}`;

function figures(events, page, i) {
  const readyMark = events.find((e) => e.name === "bench-ready");
  const pid = readyMark.pid;
  const main = events.find((e) => e.ph === "M" && e.name === "thread_name" && e.pid === pid && e.args.name === "CrRendererMain").tid;
  const t0 = readyMark.ts - page.readyAt * 1000; // navigation start, in trace time
  const at = (ms) => t0 + ms * 1000;
  const onMain = events.filter((e) => e.pid === pid && e.tid === main && e.ph === "X" && e.ts >= t0 && e.ts <= readyMark.ts);
  const sum = (list) => list.reduce((n, e) => n + Math.min(e.dur, readyMark.ts - e.ts), 0) / 1000;
  // Thread time: what the main thread ran, without the time it waited for a core (this machine's
  // other processes take it for a while: a cold start's tasks last ~2x their thread time here).
  const cpu = (list) => list.reduce((n, e) => n + (e.tdur ?? 0) * Math.min(1, (readyMark.ts - e.ts) / Math.max(e.dur, 1)), 0) / 1000;
  const named = (name) => outermost(onMain.filter((e) => e.name === name));
  // Top-level tasks as run.mjs counts them (bench/lib/trace.mjs), microtask checkpoints included.
  const tasks = outermost(onMain.filter(isTask));
  const script = page.resources.find((r) => r.path === mainFile(i));
  const config = page.resources.find((r) => r.path === "/api/v1/sdk/config");
  const wasm = page.resources.find((r) => r.path.endsWith(".wasm"));
  return {
    navToReady: page.readyAt,
    scriptToReady: page.readyAt - script.end,
    scriptEnd: script.end,
    wasmStart: wasm?.start ?? NaN,
    wasmEnd: wasm?.end ?? NaN,
    configStart: config?.start ?? NaN,
    configEnd: config?.end ?? NaN,
    afterConfig: page.readyAt - (config?.end ?? NaN),
    mainThread: sum(tasks),
    mainThreadCpu: cpu(tasks),
    sdkMainThread: sum(tasks.filter((t) => t.ts >= at(script.end))),
    sdkMainThreadCpu: cpu(tasks.filter((t) => t.ts >= at(script.end))),
    jsCompile: cpu(named("V8.CompileCode")),
    wasmLazyCompile: cpu(named("wasm.CompileLazy")),
    sourcePositions: cpu(named("V8.CollectSourcePositions")),
  };
}

const browser = await chromium.launch({
  executablePath: process.env.ATTRKIT_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const rows = SDKS.map(() => ({ cold: [], warm: [] }));
try {
  // The order rotates per repetition: the browser's first visit costs more, whichever it is.
  const turn = (rep) => urls.map((_, k) => (k + rep) % urls.length);
  for (let rep = 0; rep < REPS; rep++) for (const s of turn(rep)) {
    const url = urls[s];
    const i = SDKS.length > 1 ? `${s}-${rep}` : rep;
    const context = await browser.newContext();
    const page = await context.newPage();
    for (const visit of ["cold", "warm"]) {
      await browser.startTracing(page, { categories: CATEGORIES });
      let cdp = null;
      if (CPU_PROFILE) {
        cdp = await context.newCDPSession(page);
        await cdp.send("Profiler.enable");
        await cdp.send("Profiler.setSamplingInterval", { interval: 50 });
        await cdp.send("Profiler.start");
      }
      const ready = page.waitForEvent("console", { predicate: (m) => m.text() === "bench-ready", timeout: 20000 });
      await page.goto(url, { waitUntil: "load" });
      await ready;
      if (cdp) {
        const { profile } = await cdp.send("Profiler.stop");
        mkdirSync(CPU_PROFILE, { recursive: true });
        writeFileSync(path.join(CPU_PROFILE, `${FLAVOUR}-${visit}-${i}.cpuprofile`), JSON.stringify(profile));
        await cdp.detach();
      }
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
      rows[s][visit].push(figures(events, seen, s));
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
const keys = Object.keys(rows[0].cold[0]);
console.log(`attrkit (${FLAVOUR}), ${REPS} reps, medians in ms`);
console.log(`| sdk | visit | ${keys.join(" | ")} |`);
console.log(`|---|---|${keys.map(() => "---:").join("|")}|`);
for (const [s, dir] of SDKS.entries()) {
  for (const visit of ["cold", "warm"]) {
    console.log(`| ${path.relative(repoRoot, dir) || dir} | ${visit} | ${keys.map((k) => median(rows[s][visit].map((r) => r[k])).toFixed(1)).join(" | ")} |`);
  }
}
