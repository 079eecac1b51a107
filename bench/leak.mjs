#!/usr/bin/env node
// `npm run bench:leak` (issue #14 "No leaks"): identify / set / reset cycles in headless Chromium
// against the real server, through the real snippet and js/dist/attrkit.js, and how the page's
// memory moves: the wasm memory (every WebAssembly.Memory the page's modules export, lib/probe.mjs),
// the JS heap after a forced GC (CDP HeapProfiler.collectGarbage + Runtime.getHeapUsage), and the
// live timers and event listeners (setTimeout/setInterval/addEventListener wrapped in the page
// before the SDK loads: pending timers, listeners added minus removed).
//
//   node bench/leak.mjs [--cycles 100000] [--chunk 1000] [--users 100] [--max-seconds 420]
//
// A cycle is three pushes: ["do","identify",[user]], ["set","user:attributes",[{bench_plan: v}]],
// ["do","reset",[]]; users rotate over --users ids. After each chunk the script waits until the
// server stored the chunk's last value (GET /api/v1/persons/{id}/attributes, secret key): the
// outbox has drained, so what is measured is what stays, not a backlog. The first 10% of the
// cycles are warm-up; figures are printed at the end of warm-up and every 10% after. Stops early
// (and says so) past --max-seconds.
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { api, startServer } from "../tests/js/helpers/server.mjs";
import { startPageServer } from "../tests/e2e/helpers/page_server.mjs";
import { probe } from "./lib/probe.mjs";
import { attrkitSnippet, repoRoot } from "./lib/sdks.mjs";

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : def);
const CYCLES = opt("--cycles", 100_000);
const CHUNK = opt("--chunk", 1000);
const USERS = opt("--users", 100);
const MAX_S = opt("--max-seconds", 420);
const KEY = "bench_plan";
const log = (...a) => console.error("[leak]", ...a);
const js = (v) => JSON.stringify(v).replace(/</g, "\\u003c");

async function main() {
  const started = Date.now();
  const server = await startServer({ sdk: path.join(repoRoot, "js/dist") });
  let site;
  let browser;
  try {
    await api(server, "PUT", "/api/v1/workspace/settings", { key: server.secretKey, body: { clientAttributeWrites: true } });
    await api(server, "PUT", `/api/v1/attributes/definitions/${KEY}`, { key: server.secretKey, body: { key: KEY, type: "string" } });
    site = await startPageServer();
    const snippet = attrkitSnippet(`${server.url}/sdk/attrkit.js`);
    const url = site.page({
      head:
        `<script>${snippet}\n;attrkit.push(["do","init",[${js({ publicKey: server.publicKey, apiHost: server.url })}]]);` +
        `attrkit.push(["on","ready",[function(){__bench.ready()}]]);</script>`,
      body: "<p>leak</p>",
    });
    browser = await chromium.launch({
      executablePath: process.env.ATTRKIT_CHROMIUM ?? "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e.message)));
    await page.addInitScript(probe, { countListeners: true });
    await page.goto(url);
    await page.waitForFunction(() => window.__bench.readyAt !== null, null, { timeout: 20000 });
    const cdp = await context.newCDPSession(page);
    await cdp.send("HeapProfiler.enable");

    const sample = async (cycles) => {
      await cdp.send("HeapProfiler.collectGarbage");
      const { usedSize } = await cdp.send("Runtime.getHeapUsage");
      const p = await page.evaluate(() => ({ wasm: window.__bench.wasmBytes(), ...window.__bench.counts() }));
      return { cycles, seconds: Math.round((Date.now() - started) / 1000), heap: usedSize, ...p };
    };
    const stored = async (user) => {
      const r = await api(server, "GET", `/api/v1/persons/${encodeURIComponent(user)}/attributes`, { key: server.secretKey });
      return r.status === 200 ? r.body.attributes?.[KEY] : undefined;
    };

    const rows = [await sample(0)];
    const warmup = Math.max(CHUNK, Math.round(CYCLES / 10 / CHUNK) * CHUNK);
    const every = Math.max(CHUNK, Math.round(CYCLES / 10 / CHUNK) * CHUNK);
    let done = 0;
    let stoppedEarly = false;
    let lastWait = 0;
    while (done < CYCLES) {
      if ((Date.now() - started) / 1000 > MAX_S) {
        stoppedEarly = true;
        break;
      }
      const n = Math.min(CHUNK, CYCLES - done);
      const last = await page.evaluate(
        async ({ from, n: count, users, key }) => {
          let p;
          let lastUser;
          let lastValue;
          for (let i = from; i < from + count; i += 1) {
            lastUser = `leak-${i % users}`;
            lastValue = `v${i}`;
            window.attrkit.push(["do", "identify", [lastUser]]);
            window.attrkit.push(["set", "user:attributes", [{ [key]: lastValue }]]);
            p = window.attrkit.push(["do", "reset", []]);
          }
          await p;
          return { user: lastUser, value: lastValue };
        },
        { from: done, n, users: USERS, key: KEY },
      );
      const t = Date.now();
      while ((await stored(last.user)) !== last.value) {
        if (Date.now() - t > 30000) throw new Error(`chunk ending at ${done + n}: ${last.value} not stored for ${last.user} after 30 s`);
        await new Promise((r) => setTimeout(r, 50));
      }
      lastWait = Date.now() - t;
      done += n;
      if (done === warmup || (done > warmup && (done - warmup) % every === 0) || done === CYCLES) {
        rows.push(await sample(done));
        const r = rows[rows.length - 1];
        log(`${done} cycles (${r.seconds} s): heap ${(r.heap / 1048576).toFixed(2)} MB, wasm ${r.wasm / 1024} KB, timers ${r.timers}, listeners ${r.listeners}, last drain ${lastWait} ms`);
      }
    }
    if (rows[rows.length - 1].cycles !== done) rows.push(await sample(done));

    // Every user's last value is on the server.
    let exact = 0;
    for (let u = 0; u < USERS; u += 1) {
      let lastI = -1;
      for (let i = done - 1; i >= 0 && i >= done - USERS; i -= 1) {
        if (i % USERS === u) {
          lastI = i;
          break;
        }
      }
      if (lastI >= 0 && (await stored(`leak-${u}`)) === `v${lastI}`) exact += 1;
    }

    const base = rows.find((r) => r.cycles >= warmup) ?? rows[rows.length - 1];
    const end = rows[rows.length - 1];
    const pct = (a, b) => `${(((b - a) / a) * 100).toFixed(1)}%`;
    const when = new Date().toISOString();
    console.log(`\n${when} · ${done.toLocaleString("en-US")} identify/set/reset cycles (${USERS} users, chunks of ${CHUNK}) in ${Math.round((Date.now() - started) / 1000)} s · load average ${os.loadavg().map((x) => x.toFixed(2)).join(", ")}${stoppedEarly ? ` · STOPPED EARLY at --max-seconds ${MAX_S}` : ""}\n`);
    console.log("| cycles | s | JS heap (after GC) | wasm memory | live timers | live listeners |");
    console.log("|---:|---:|---:|---:|---:|---:|");
    for (const r of rows) {
      const tag = r === base ? " (end of warm-up)" : "";
      console.log(`| ${r.cycles.toLocaleString("en-US")}${tag} | ${r.seconds} | ${(r.heap / 1048576).toFixed(2)} MB | ${(r.wasm / 1024).toFixed(0)} KB | ${r.timers} | ${r.listeners} |`);
    }
    console.log(`\nfrom the end of warm-up to the end: JS heap ${pct(base.heap, end.heap)}, wasm ${base.wasm} -> ${end.wasm} B, timers ${base.timers} -> ${end.timers}, listeners ${base.listeners} -> ${end.listeners}`);
    console.log(`server: ${exact}/${USERS} users hold their last value; page errors: ${errors.length ? errors.slice(0, 3).join(" | ") : "none"}`);
  } finally {
    await browser?.close().catch(() => {});
    await site?.stop();
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
