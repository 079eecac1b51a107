// The cost of one call (issue #13 "cheapest per call"), in Node, on the REAL Wasm core and the
// real runtime against the real server: what `npm run bench` measures in Chromium as "1,000
// identical / distinct updates", without the browser, so a change can be measured in seconds and
// profiled with `node --cpu-prof bench/calls.mjs`.
//
//   bash scripts/build.sh all              # build/wasm/dist and the server
//   node bench/calls.mjs                   # --n 1000 --rounds 7
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/calls.mjs --rounds 20
//
// Two parts, each printing medians over the rounds (the first round is warm-up and not counted):
// 1. the client: createClient (js/src) -> ready -> identify, then per round N synchronous
//    `client.push(["set", "user:attributes", [{bench_plan: v}]])` calls, identical (v the same) or
//    distinct (v = tag-i). "calls ms": the loop alone; "+ microtasks ms": until the Promises the
//    loop created have settled (what the page's main thread also pays before it is idle). Each
//    round waits until the server stored its last value (the batch is not timed).
// 2. the engine alone, on a second core module: each crossing the runtime makes per push
//    (engineCommand, engineTakeEvents, engineNextWake), timed N times on its own, in us per call.
// Not part of `npm test`: it measures, it asserts nothing but that the last value was stored.
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";

import { createClientWith } from "../js/src/client.js";
import { loadTestCore } from "../tests/js/helpers/core.mjs";
import { api, startServer } from "../tests/js/helpers/server.mjs";

const { values: opt } = parseArgs({
  options: { n: { type: "string", default: "1000" }, rounds: { type: "string", default: "7" } },
});
const N = Number(opt.n);
const ROUNDS = Math.max(2, Number(opt.rounds));
const KEY = "bench_plan";
const DEADLINE_MS = 10_000; // per round: the batch must have been stored by then

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const macrotask = () => new Promise((r) => setImmediate(r));

const server = await startServer();
try {
  await api(server, "PUT", "/api/v1/workspace/settings", { key: server.secretKey, body: { clientAttributeWrites: true } });
  await api(server, "PUT", `/api/v1/attributes/definitions/${KEY}`, { key: server.secretKey, body: { key: KEY, type: "string" } });

  // ---- 1. the client ----
  const client = await createClientWith(() => loadTestCore(), { publicKey: server.publicKey, apiHost: server.url });
  const stored = async (id) => (await api(server, "GET", `/api/v1/persons/${id}/attributes`, { key: server.secretKey })).body?.attributes?.[KEY];
  const rows = [];
  for (const same of [true, false]) {
    const calls = [];
    const settled = [];
    const cpu = [];
    for (let round = 0; round < ROUNDS; round++) {
      const user = `calls-${same ? "same" : "distinct"}-${round}`;
      await client.push(["do", "identify", [user]]);
      await new Promise((r) => setTimeout(r, 50));
      const tag = `r${round}`;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      let last;
      for (let i = 0; i < N; i++) {
        const o = {};
        o[KEY] = same ? `${tag}-same` : `${tag}-${i}`;
        last = client.push(["set", "user:attributes", [o]]);
      }
      const t1 = performance.now();
      const cu = process.cpuUsage(c0);
      await macrotask(); // every Promise of the loop settled (they resolve synchronously or later)
      const t2 = performance.now();
      const r = await last;
      if (!r.ok) throw new Error(`push failed: ${r.error?.code}`);
      const want = same ? `${tag}-same` : `${tag}-${N - 1}`;
      const until = Date.now() + DEADLINE_MS;
      while ((await stored(user)) !== want) {
        if (Date.now() > until) throw new Error(`round ${round}: ${want} not stored within ${DEADLINE_MS} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
      if (round > 0) {
        calls.push(t1 - t0);
        settled.push(t2 - t0);
        cpu.push((cu.user + cu.system) / 1000);
      }
    }
    rows.push({ workload: `${N} ${same ? "identical" : "distinct"}`, calls: median(calls), settled: median(settled), min: Math.min(...calls), cpu: median(cpu) });
  }
  client.close();

  // ---- 2. the engine alone ----
  const core = await loadTestCore();
  const config = (await api(server, "GET", "/api/v1/sdk/config", { key: server.publicKey })).body;
  core.engineCreate("c-calls", { instance: "bench" });
  core.engineCommand(["do", "init", [{ publicKey: server.publicKey, apiHost: server.url }]], Date.now());
  core.engineConfigure(config, Date.now(), false);
  core.engineCommand(["do", "identify", ["calls-engine"]], Date.now());
  core.engineTakeEvents();
  const per = (label, fn) => {
    const us = [];
    const cpu = [];
    for (let round = 0; round < ROUNDS; round++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < N; i++) fn(i, round);
      const t = ((performance.now() - t0) * 1000) / N;
      const cu = process.cpuUsage(c0);
      if (round > 0) {
        us.push(t);
        cpu.push((cu.user + cu.system) / N);
      }
      core.engineTakeEvents();
    }
    return { crossing: label, us: median(us), cpu: median(cpu) };
  };
  const now = Date.now();
  const engine = [
    per("engineCommand, identical", () => core.engineCommand(["set", "user:attributes", [{ [KEY]: "same" }]], now)),
    per("engineCommand, distinct", (i, r) => core.engineCommand(["set", "user:attributes", [{ [KEY]: `v${r}-${i}` }]], now)),
    per("engineTakeEvents (none waiting)", () => core.engineTakeEvents()),
    per("engineNextWake", () => core.engineNextWake(now)),
  ];

  console.log(`bench/calls.mjs: N=${N}, ${ROUNDS - 1} timed rounds (+1 warm-up), medians; node ${process.version}`);
  console.log("\n| workload | calls ms | + microtasks ms | best calls ms | CPU ms (calls) |\n|---|---:|---:|---:|---:|");
  for (const r of rows) console.log(`| ${r.workload} | ${r.calls.toFixed(1)} | ${r.settled.toFixed(1)} | ${r.min.toFixed(1)} | ${r.cpu.toFixed(1)} |`);
  console.log("\n| engine crossing | us per call | CPU us per call |\n|---|---:|---:|");
  for (const r of engine) console.log(`| ${r.crossing} | ${r.us.toFixed(2)} | ${r.cpu.toFixed(2)} |`);
} finally {
  await server.stop();
}
