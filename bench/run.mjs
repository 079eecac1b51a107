#!/usr/bin/env node
// `npm run bench`: attrkit beside the peer SDKs in headless Chromium (bench/README.md).
//
//   node bench/run.mjs [--reps N] [--n 1000] [--only attrkit,PostHog,...] [--trace-workloads]
//
// Installs the peers (bench/package.json, its own lockfile) with `npm ci` the first time. Starts
// the real attrkit server (tests/js/helpers/server.mjs, workspace flag on, one string attribute
// declared), one local collector per peer (lib/collector.mjs; attrkit's is a recording proxy in
// front of the real server), a customer site on another origin, and Chromium. Per repetition,
// in an order rotated by one each time, every SDK gets one fresh browser context:
//   cold visit: navigate, wait for ready (trace: main-thread time to ready), JS heap + wasm
//     memory after GC, identify a fresh user, then N updates with distinct values of one
//     attribute (main-thread time until delivered and quiet: CDP TaskDuration, see workload())
//   warm visit (same context, second navigation: HTTP cache and storage kept): ready again,
//     identify another user, N updates with one identical value
// Prints markdown tables of the medians; writes bench/results/<date>.json (every sample) and
// bench/results/latest.json; draws bench/bench.svg (lib/plot.mjs).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { api, startServer } from "../tests/js/helpers/server.mjs";
import { startPageServer } from "../tests/e2e/helpers/page_server.mjs";
import { startCollector } from "./lib/collector.mjs";
import { probe } from "./lib/probe.mjs";
import { ATTRKIT, benchDir, PEERS, repoRoot } from "./lib/sdks.mjs";
import { mainThreadTime, startTrace, stopTrace } from "./lib/trace.mjs";
import { plot } from "./lib/plot.mjs";

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const REPS = Number(opt("--reps", 5));
const N = Number(opt("--n", 1000));
const TRACE_WORKLOADS = args.includes("--trace-workloads");
// --cpu-profile DIR: a V8 CPU profile of each workload's page (calls until delivered), written as
// DIR/<sdk>-<distinct|identical>-<rep>.cpuprofile (open in Chromium's DevTools); sampling adds cost.
const CPU_PROFILE = opt("--cpu-profile", "");
const ONLY = opt("--only", "")
  .split(",")
  .map((s) => s.trim().toLowerCase())
  .filter(Boolean);
const KEY = "bench_plan";
const CHROMIUM = process.env.ATTRKIT_CHROMIUM ?? "/usr/bin/chromium";
// Bounds of one workload's wait for delivery: done once the last value arrived and nothing was
// sent for QUIET_MS (or the SDK's own flush interval + 1 s); or nothing at all for IDLE_MS (an SDK
// that dropped the last value); or MAX_MS after the calls: what arrives later is not counted
// ("values received" = within 10 s of the calls).
const QUIET_MS = 1000;
const IDLE_MS = 5000;
const MAX_MS = 10000;

const log = (...a) => console.error("[bench]", ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const v = xs.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};

function distFiles() {
  const dir = path.join(repoRoot, "js/dist");
  const types = { ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8", ".wasm": "application/wasm", ".json": "application/json" };
  const files = {};
  for (const name of readdirSync(dir)) {
    const type = types[path.extname(name)];
    if (type) files[`/sdk/${name}`] = { body: readFileSync(path.join(dir, name)), type };
  }
  if (!files["/sdk/attrkit.js"]) throw new Error("js/dist/attrkit.js missing: run bash scripts/build.sh all");
  return files;
}

function ensurePeers() {
  if (existsSync(path.join(benchDir, "node_modules/.package-lock.json"))) return;
  log("installing the peer SDKs (bench/package.json, npm ci) ...");
  execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: benchDir, stdio: "inherit" });
}

async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // Nothing leaves the machine: any host but loopback fails to resolve (an SDK that tries to
      // reach its vendor is listed under "external").
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    ],
  });
}

function sizes(buf) {
  return {
    raw: buf.length,
    gzip: gzipSync(buf, { level: 9 }).length,
    brotli: brotliCompressSync(buf, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
    }).length,
  };
}

/** Every value token of a workload in the collector's log, in arrival order. */
function valuesIn(entries, tag) {
  const re = new RegExp(`${tag}-(\\d+|same)`, "g");
  const all = [];
  for (const e of entries) for (const m of e.text.matchAll(re)) all.push(m[0]);
  return all;
}

const writesOf = (collector, sdk) => collector.api().filter((e) => sdk.writes.test(e.path));

async function waitDelivered(collector, sdk, tag, final, t0) {
  const quietMs = Math.max(QUIET_MS, sdk.quietMs ?? 0);
  for (;;) {
    await sleep(100);
    const now = Date.now();
    const answered = writesOf(collector, sdk).filter((e) => e.status !== 0);
    const seen = valuesIn(answered, tag).includes(final);
    const last = Math.max(collector.lastAt, t0);
    if (seen && now - last >= quietMs) return "delivered";
    if (now - last >= Math.max(IDLE_MS, quietMs + 1000)) return seen ? "delivered" : "idle";
    if (now - t0 >= MAX_MS) return "timeout";
  }
}

async function quiet(collector, ms = 500, max = 4000) {
  const t0 = Date.now();
  while (Date.now() - Math.max(collector.lastAt, t0 - ms) < ms && Date.now() - t0 < max) await sleep(50);
}

async function heapAndWasm(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send("HeapProfiler.enable");
    await cdp.send("HeapProfiler.collectGarbage");
    const { usedSize } = await cdp.send("Runtime.getHeapUsage");
    const wasm = await page.evaluate(() => window.__bench.wasmBytes());
    return { heap: usedSize, wasm };
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/** One visit: navigate, wait for ready; figures from the page and the trace. */
async function visit(browser, page, url, sdk, collector) {
  collector.reset();
  await startTrace(browser, page);
  let ok = true;
  // Listening before the navigation: an SDK may be ready before the load event (lib/probe.mjs).
  const ready = page
    .waitForEvent("console", { predicate: (m) => m.text() === "bench-ready", timeout: 20000 })
    .catch(() => (ok = false));
  await page.goto(url, { waitUntil: "load" });
  await ready;
  const r = await page.evaluate((main) => {
    const res = performance.getEntriesByType("resource").filter((e) => new URL(e.name).pathname === main);
    return {
      readyAt: window.__bench.readyAt,
      // "Script loaded": the SDK's main file has arrived (responseEnd; from the HTTP cache on a
      // warm visit). Not the script's load event: some SDKs are ready while their script is
      // still being evaluated (Mixpanel calls `loaded` from inside it).
      scriptLoaded: res.length ? res[0].responseEnd : null,
      transfer: res.reduce((n, e) => n + e.transferSize, 0),
      // Every request of the page (Resource Timing: start and responseEnd are exposed
      // cross-origin): the timeline of a visit.
      timeline: performance.getEntriesByType("resource").map((e) => ({
        what: `${e.initiatorType} ${new URL(e.name).pathname}`,
        start: e.startTime,
        end: e.responseEnd,
      })),
    };
  }, sdk.mainFile ?? "/none");
  const events = await stopTrace(browser);
  const mt = ok ? mainThreadTime(events, { to: "bench-ready" }) : null;
  const shipped = collector.log.filter((e) => e.static && e.payload);
  return {
    ready: ok,
    navToReady: ok ? r.readyAt : null,
    scriptToReady: ok && r.scriptLoaded !== null ? r.readyAt - r.scriptLoaded : null,
    mainTransfer: r.transfer,
    timeline: r.timeline,
    initMainMs: mt?.ms ?? null,
    initCpuMs: mt?.cpuMs ?? null,
    files: shipped.map((e) => ({ path: e.path, ...sizes(e.payload) })),
    apiRequests: collector.api().length,
    apiPaths: [...new Set(collector.api().map((e) => `${e.method} ${e.path}`))],
  };
}

/** N updates of KEY through the SDK's own call; figures until delivered. */
async function workload(browser, page, sdk, collector, { user, tag, same, server }) {
  await page.evaluate((id) => window.__benchIdentify(id), user);
  // What identify sends (and anything else queued) leaves within the SDK's flush interval.
  await sleep(sdk.quietMs ?? 500);
  await quiet(collector, 500, 4000);
  collector.reset();
  const final = same ? `${tag}-same` : `${tag}-${N - 1}`;
  // Main-thread time of a workload: the renderer's TaskDuration (CDP Performance.getMetrics: the
  // summed duration of every task its main thread ran, what DevTools' performance monitor shows),
  // read before the calls and once delivered. A Chrome trace of a workload that sends 1,000
  // requests has ~360k events and takes ~25 s to read back on this machine, so the trace is
  // optional here (--trace-workloads: both figures are then kept, to compare them).
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const taskSeconds = async () => (await cdp.send("Performance.getMetrics")).metrics.find((x) => x.name === "TaskDuration").value;
  if (TRACE_WORKLOADS) await startTrace(browser, page);
  if (CPU_PROFILE) {
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
    await cdp.send("Profiler.start");
  }
  const before = await taskSeconds();
  const callMs = await page.evaluate(
    ({ n, key, tag: t, same: s }) => {
      performance.mark("bench-w0");
      const start = performance.now();
      for (let i = 0; i < n; i += 1) window.__benchSet(key, s ? `${t}-same` : `${t}-${i}`);
      return performance.now() - start;
    },
    { n: N, key: KEY, tag, same },
  );
  const t0 = Date.now(); // the calls returned
  const outcome = await waitDelivered(collector, sdk, tag, final, t0);
  const after = await taskSeconds();
  if (CPU_PROFILE) {
    const { profile } = await cdp.send("Profiler.stop");
    mkdirSync(CPU_PROFILE, { recursive: true });
    const file = `${sdk.name.replace(/\W+/g, "_")}-${same ? "identical" : "distinct"}-${tag}.cpuprofile`;
    writeFileSync(path.join(CPU_PROFILE, file), JSON.stringify(profile));
  }
  // What arrived by now is what counts (reading a trace back can take seconds, and an SDK may
  // still send meanwhile).
  const seen = [...collector.log];
  await cdp.detach().catch(() => {});
  const t1 = Date.now();
  const traced = TRACE_WORKLOADS ? mainThreadTime(await stopTrace(browser), { from: "bench-w0" }) : null;
  if (process.env.BENCH_T) log(`  ${sdk.name}: calls ${Math.round(callMs)} ms, wait ${t1 - t0} ms (${outcome}), trace read ${Date.now() - t1} ms`);
  const reqs = seen.filter((e) => !e.static && e.method !== "OPTIONS");
  const preflights = seen.filter((e) => !e.static && e.method === "OPTIONS");
  const values = valuesIn(reqs.filter((e) => sdk.writes.test(e.path)), tag);
  if (process.env.BENCH_DEBUG) {
    for (const e of reqs) log(`  ${sdk.name} ${e.method} ${e.url.slice(0, 120)} ${e.status} ${e.reqBytes}+${e.resBytes} B: ${e.text.slice(0, Number(process.env.BENCH_DEBUG) || 300).replace(/\s+/g, " ")}`);
  }
  let finalValue = values.length ? values[values.length - 1] : null;
  if (sdk.flavour) {
    // attrkit: what the real server stored for the person (secret-key read).
    const res = await api(server, "GET", `/api/v1/persons/${encodeURIComponent(user)}/attributes`, { key: server.secretKey });
    finalValue = res.status === 200 ? (res.body.attributes?.[KEY] ?? null) : null;
  }
  return {
    outcome,
    callMs,
    mainMs: (after - before) * 1000,
    tracedMainMs: traced?.ms ?? null,
    longestTaskMs: traced?.longestMs ?? null,
    requests: reqs.length,
    preflights: preflights.length,
    // Both directions, preflights included: what the page's network carries for the workload.
    wireBytes: [...reqs, ...preflights].reduce((n, e) => n + e.reqBytes + e.resBytes, 0),
    sentBytes: reqs.reduce((n, e) => n + e.reqBytes, 0),
    values: values.length,
    unique: new Set(values).size,
    final: finalValue,
    exact: finalValue === final,
    waitMs: Date.now() - t0,
  };
}

let ua;
async function userAgent(browser) {
  if (!ua) {
    const p = await browser.newPage();
    ua = await p.evaluate(() => navigator.userAgent);
    await p.close();
  }
  return ua;
}

async function runOne(browser, site, sdk, collector, rep, server) {
  // A visitor's browser, not a bot: headless Chromium's user agent says "HeadlessChrome", which
  // SDKs with bot filters (PostHog) drop events for.
  const context = await browser.newContext({ userAgent: (await userAgent(browser)).replace("HeadlessChrome", "Chrome") });
  const external = new Set();
  context.on("request", (req) => {
    const h = new URL(req.url()).hostname;
    if (!["127.0.0.1", "localhost"].includes(h) && !req.url().startsWith("data:")) external.add(h);
  });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e.message ?? e).slice(0, 200)));
  await page.addInitScript(probe, {});
  const out = { sdk: sdk.name, rep, errors, external: [] };
  try {
    out.cold = await visit(browser, page, sdk.url, sdk, collector);
    if (!out.cold.ready) throw new Error("not ready within 20 s (cold)");
    out.cold.mem = await heapAndWasm(page);
    if (sdk.name !== "blank page") {
      const tag = `bz${rep}${sdk.idx}d${Math.random().toString(36).slice(2, 6)}`;
      out.distinct = await workload(browser, page, sdk, collector, { user: `bench-${tag}`, tag, same: false, server });
      out.distinct.mem = await heapAndWasm(page);
    }
    out.warm = await visit(browser, page, sdk.url, sdk, collector);
    if (out.warm.ready) out.warm.mem = await heapAndWasm(page);
    if (sdk.name !== "blank page" && out.warm.ready) {
      const tag = `bz${rep}${sdk.idx}i${Math.random().toString(36).slice(2, 6)}`;
      out.identical = await workload(browser, page, sdk, collector, { user: `bench-${tag}`, tag, same: true, server });
      out.identical.mem = await heapAndWasm(page);
    }
  } catch (err) {
    out.failed = String(err.message ?? err).split("\n")[0];
    log(`${sdk.name} rep ${rep}: ${out.failed}`);
  } finally {
    out.external = [...external];
    await context.close().catch(() => {});
  }
  return out;
}

// The median start and end of each request of the cold visits (by kind and path, in the order of
// their median start), then ready.
function timelineOf(visits) {
  const by = new Map();
  for (const v of visits) {
    for (const e of v ?? []) {
      if (!by.has(e.what)) by.set(e.what, { starts: [], ends: [] });
      by.get(e.what).starts.push(e.start);
      by.get(e.what).ends.push(e.end);
    }
  }
  return [...by].map(([what, x]) => ({ what, start: median(x.starts), end: median(x.ends), n: x.starts.length }))
    .sort((a, b) => a.start - b.start);
}

function summarise(samples, sdks) {
  const rows = [];
  for (const sdk of sdks) {
    const s = samples.filter((x) => x.sdk === sdk.name && !x.failed);
    const m = (f) => median(s.map((x) => {
      try {
        return f(x);
      } catch {
        return null;
      }
    }));
    const files = s[0]?.cold.files ?? [];
    const total = files.reduce((t, f) => ({ raw: t.raw + f.raw, gzip: t.gzip + f.gzip, brotli: t.brotli + f.brotli }), { raw: 0, gzip: 0, brotli: 0 });
    const all = samples.filter((x) => x.sdk === sdk.name);
    rows.push({
      sdk: sdk.name,
      pkg: sdk.pkg ?? "attrkit",
      version: sdk.version ?? null,
      runs: s.length,
      failed: all.filter((x) => x.failed).map((x) => x.failed),
      files,
      bytes: total,
      cold: { navToReady: m((x) => x.cold.navToReady), scriptToReady: m((x) => x.cold.scriptToReady), initMainMs: m((x) => x.cold.initMainMs), initCpuMs: m((x) => x.cold.initCpuMs), heap: m((x) => x.cold.mem.heap), wasm: m((x) => x.cold.mem.wasm), apiRequests: m((x) => x.cold.apiRequests), apiPaths: s[0]?.cold.apiPaths ?? [] },
      warm: { navToReady: m((x) => x.warm.navToReady), scriptToReady: m((x) => x.warm.scriptToReady), initMainMs: m((x) => x.warm.initMainMs), initCpuMs: m((x) => x.warm.initCpuMs), mainTransfer: m((x) => x.warm.mainTransfer) },
      ...Object.fromEntries(["distinct", "identical"].map((w) => [w, s.some((x) => x[w]) ? {
        mainMs: m((x) => x[w].mainMs),
        callMs: m((x) => x[w].callMs),
        requests: m((x) => x[w].requests),
        preflights: m((x) => x[w].preflights),
        wireBytes: m((x) => x[w].wireBytes),
        sentBytes: m((x) => x[w].sentBytes),
        values: m((x) => x[w].values),
        unique: m((x) => x[w].unique),
        exact: `${s.filter((x) => x[w]?.exact).length}/${s.filter((x) => x[w]).length}`,
        outcomes: [...new Set(s.map((x) => x[w]?.outcome).filter(Boolean))],
        heapAfter: m((x) => x[w].mem.heap),
        wasmAfter: m((x) => x[w].mem.wasm),
      } : null])),
      timeline: timelineOf(s.map((x) => x.cold.timeline)),
      external: [...new Set(all.flatMap((x) => x.external))],
      errors: [...new Set(all.flatMap((x) => x.errors))].slice(0, 3),
    });
  }
  return rows;
}

const f0 = (v) => (v === null || v === undefined ? "–" : Math.round(v).toLocaleString("en-US"));
const f1 = (v) => (v === null || v === undefined ? "–" : v.toFixed(1));
const kb = (v) => (v === null || v === undefined ? "–" : (v / 1024).toFixed(1));
const mb = (v) => (v === null || v === undefined ? "–" : (v / 1048576).toFixed(2));

function tables(rows) {
  const out = [];
  out.push("| SDK | brotli KB | gzip KB | raw KB | nav→ready cold ms | script→ready cold ms | nav→ready warm ms | script→ready warm ms | init main-thread ms | init CPU ms | warm init CPU ms | JS heap MB | wasm KB |");
  out.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    out.push(`| ${r.sdk} | ${kb(r.bytes.brotli)} | ${kb(r.bytes.gzip)} | ${kb(r.bytes.raw)} | ${f0(r.cold.navToReady)} | ${f0(r.cold.scriptToReady)} | ${f0(r.warm.navToReady)} | ${f0(r.warm.scriptToReady)} | ${f1(r.cold.initMainMs)} | ${f1(r.cold.initCpuMs)} | ${f1(r.warm.initCpuMs)} | ${mb(r.cold.heap)} | ${r.cold.wasm ? kb(r.cold.wasm) : "–"} |`);
  }
  for (const w of ["distinct", "identical"]) {
    out.push("");
    out.push(`${N.toLocaleString("en-US")} ${w} updates | main-thread ms | calls ms | requests | wire KB | values received | unique values | final exact | JS heap after MB | wasm after KB |`.replace(/^/, "| "));
    out.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const r of rows) {
      const x = r[w];
      if (!x) continue;
      out.push(`| ${r.sdk} | ${f1(x.mainMs)} | ${f1(x.callMs)} | ${f0(x.requests)} | ${kb(x.wireBytes)} | ${f0(x.values)} | ${f0(x.unique)} | ${x.exact} | ${mb(x.heapAfter)} | ${x.wasmAfter ? kb(x.wasmAfter) : "–"} |`);
    }
  }
  return out.join("\n");
}

async function main() {
  ensurePeers();
  const started = Date.now();
  const server = await startServer({ sdk: path.join(repoRoot, "js/dist"), args: ["--verbose"] });
  const collectors = [];
  let site;
  let browser;
  try {
    const s1 = await api(server, "PUT", "/api/v1/workspace/settings", { key: server.secretKey, body: { clientAttributeWrites: true } });
    const s2 = await api(server, "PUT", `/api/v1/attributes/definitions/${KEY}`, { key: server.secretKey, body: { key: KEY, type: "string" } });
    if (s1.status >= 300 || s2.status >= 300) throw new Error(`server setup failed: ${s1.status} ${s1.text} / ${s2.status} ${s2.text}`);
    site = await startPageServer();
    const sdks = [];
    const pkgVersion = (pkg) => {
      try {
        return JSON.parse(readFileSync(path.join(benchDir, "node_modules", pkg, "package.json"), "utf8")).version;
      } catch {
        return null;
      }
    };
    for (const def of [...ATTRKIT, ...PEERS]) {
      if (ONLY.length && !ONLY.some((o) => def.name.toLowerCase().startsWith(o))) continue;
      let collector;
      if (def.flavour) {
        // attrkit's files (js/dist) are served like the peers' (from memory, cacheable for an
        // hour, as a CDN would); its API requests go to the real server through the proxy.
        collector = await startCollector({ proxyTo: server.url, files: distFiles() });
      } else {
        const files = await def.files().catch((e) => (log(`${def.name}: ${e.message}`), null));
        if (!files) {
          log(`${def.name}: ${def.pkg} not installed or not buildable: left out`);
          continue;
        }
        const c = {};
        collector = await startCollector({ files, route: (req) => def.route(req, c) });
        c.collector = collector.url;
      }
      collectors.push(collector);
      const c = { collector: collector.url, publicKey: server.publicKey };
      const head = def.module ? `<script type="module">${def.head(c)}</script>` : `<script>${def.head(c)}</script>`;
      sdks.push({ ...def, idx: sdks.length, collector, url: site.page({ head, body: "<p>bench</p>", name: def.name.replace(/\W+/g, "") }), version: def.pkg ? pkgVersion(def.pkg) : null });
    }
    // The page without any SDK: what the page itself costs (subtract it to compare SDKs).
    const blankCollector = await startCollector({});
    collectors.push(blankCollector);
    sdks.push({ name: "blank page", idx: sdks.length, collector: blankCollector, url: site.page({ head: "<script>__bench.ready()</script>", body: "<p>bench</p>", name: "blank" }) });

    browser = await launch();
    const samples = [];
    for (let rep = 0; rep < REPS; rep += 1) {
      const order = sdks.map((_, i) => sdks[(i + rep) % sdks.length]);
      for (const sdk of order) {
        const t = Date.now();
        samples.push(await runOne(browser, site, sdk, sdk.collector, rep, server));
        log(`rep ${rep + 1}/${REPS} ${sdk.name}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
      }
    }
    const rows = summarise(samples, sdks);
    const load = os.loadavg().map((x) => x.toFixed(2)).join(", ");
    const meta = {
      date: new Date().toISOString(),
      reps: REPS,
      n: N,
      loadavg: load,
      cpus: os.cpus().length,
      chromium: browser.version(),
      node: process.version,
      seconds: Math.round((Date.now() - started) / 1000),
    };
    const md = tables(rows);
    console.log(`\n${meta.date} · ${REPS} repetitions, medians · ${meta.cpus} cores, load average ${load} · Chromium ${meta.chromium}\n`);
    console.log(md);
    for (const r of rows.filter((x) => x.sdk.startsWith("attrkit"))) {
      const steps = r.timeline.map((t) => `${t.what} ${f0(t.start)}-${f0(t.end)}`);
      console.log(`- ${r.sdk} cold timeline (ms from navigation, medians): ${steps.join(", ")}; ready ${f0(r.cold.navToReady)}`);
    }
    for (const r of rows) {
      const notes = [];
      if (r.failed.length) notes.push(`failed runs: ${r.failed.length} (${r.failed[0]})`);
      if (r.external.length) notes.push(`tried to reach (blocked): ${r.external.join(", ")}`);
      if (r.errors.length) notes.push(`page errors: ${r.errors.join(" | ")}`);
      for (const w of ["distinct", "identical"]) if (r[w] && r[w].outcomes.some((o) => o !== "delivered")) notes.push(`${w}: ${r[w].outcomes.join("/")}`);
      if (notes.length) console.log(`- ${r.sdk}: ${notes.join("; ")}`);
    }
    const dir = path.join(benchDir, "results");
    mkdirSync(dir, { recursive: true });
    const doc = { meta, rows, samples };
    const stamp = meta.date.replace(/[:.]/g, "-");
    writeFileSync(path.join(dir, `${stamp}.json`), `${JSON.stringify(doc, null, 1)}\n`);
    writeFileSync(path.join(dir, "latest.json"), `${JSON.stringify(doc, null, 1)}\n`);
    writeFileSync(path.join(benchDir, "bench.svg"), plot(rows, meta));
    console.log(`\nwrote bench/results/${stamp}.json, bench/results/latest.json, bench/bench.svg (${meta.seconds} s)`);
  } finally {
    await browser?.close().catch(() => {});
    for (const c of collectors) await c.stop();
    await site?.stop();
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
