// Server load benchmark (bench/README.md, "Server"): wrk posts batches of 50 writes from 64
// connections (bench/server_batch.lua) for a few seconds and reports writes per second and
// p50/p99 latency per request, on SQLite, on PostgreSQL with one node, and on PostgreSQL with two
// nodes sharing one database (one wrk per node, 32 connections each, summed: the same 64 clients
// spread by a load balancer, without a balancer process competing for the 2 cores).
//
//   node bench/server.mjs [--seconds 10] [--connections 64] [--only sqlite|pg1|pg2]
//
// Needs wrk (Debian's `wrk`), the native build (bash scripts/build.sh native) and Debian's
// postgresql (a throwaway cluster is started, like the tests' but with PostgreSQL's durable
// defaults, and stopped at the end). Every server runs with --rate-limit 0 and the default access log (one line per request).
// Figures go to stdout and bench/server.json.
import { spawn } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

import { createDatabase, pgCluster } from "../tests/js/helpers/postgres.mjs";
import { repoRoot, startServer } from "../tests/js/helpers/server.mjs";

const { values: opts } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "64" },
    only: { type: "string" },
  },
});
const SECONDS = Number(opts.seconds);
const CONNECTIONS = Number(opts.connections);
const WRITES_PER_BATCH = 50;

// CPU seconds (user + system) used so far by these processes and, with `children`, by every
// process whose parent is one of them (a PostgreSQL cluster's backends). The machine is shared,
// so wall-clock throughput depends on what else runs; writes per CPU-second do not, much.
const TICKS = 100; // USER_HZ on Linux
function statOf(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / TICKS };
  } catch {
    return null;
  }
}
function cpuSeconds(pids, children = false) {
  let total = 0;
  const set = new Set(pids.map(Number));
  for (const p of set) total += statOf(p)?.cpu ?? 0;
  if (children) {
    for (const name of readdirSync("/proc")) {
      if (!/^\d+$/.test(name) || set.has(Number(name))) continue;
      const st = statOf(name);
      if (st && set.has(st.ppid)) total += st.cpu;
    }
  }
  return total;
}
function postmasterPid() {
  const dir = process.env.ATTRKIT_BENCH_PG_DIR;
  if (!dir) return null;
  return Number(readFileSync(path.join(dir, "data/postmaster.pid"), "utf8").split("\n")[0]);
}

function wrk(url, key, connections, run) {
  return new Promise((resolve, reject) => {
    const args = ["-t", "2", "-c", String(connections), "-d", `${SECONDS}s`, "--timeout", "10s",
      "-s", path.join(repoRoot, "bench/server_batch.lua"), url];
    const child = spawn("wrk", args, { env: { ...process.env, ATTRKIT_BENCH_KEY: key, ATTRKIT_BENCH_RUN: run } });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    child.on("exit", (code) => {
      const m = /ATTRKIT_BENCH (\{.*\})/.exec(out);
      if (code !== 0 || !m) reject(new Error(`wrk failed (${code}):\n${out}`));
      else resolve(JSON.parse(m[1]));
    });
  });
}

async function measure(name, servers) {
  const per = Math.floor(CONNECTIONS / servers.length);
  const pm = name.startsWith("postgres") ? postmasterPid() : null;
  const cpu = () => cpuSeconds(servers.map((s) => s.pid)) + (pm ? cpuSeconds([pm], true) : 0);
  const cpuBefore = cpu();
  const results = await Promise.all(servers.map((s, i) => wrk(s.url, s.secretKey, per, `${name}-${i}-${Date.now()}`)));
  const requests = results.reduce((a, r) => a + r.requests - r.non2xx, 0);
  const seconds = Math.max(...results.map((r) => r.duration_us)) / 1e6;
  const cpuUsed = cpu() - cpuBefore;
  const row = {
    name,
    nodes: servers.length,
    connections: per * servers.length,
    batches_per_s: Math.round(requests / seconds),
    writes_per_s: Math.round((requests * WRITES_PER_BATCH) / seconds),
    p50_ms: Math.max(...results.map((r) => r.p50_us)) / 1000,
    p99_ms: Math.max(...results.map((r) => r.p99_us)) / 1000,
    non2xx: results.reduce((a, r) => a + r.non2xx, 0),
    socket_errors: results.reduce((a, r) => a + r.socket_errors, 0),
    // Server processes (+ the PostgreSQL backends when the cluster is known) per wall second.
    cpu_cores_used: Number((cpuUsed / seconds).toFixed(2)),
    writes_per_cpu_s: Math.round((requests * WRITES_PER_BATCH) / cpuUsed),
  };
  console.log(JSON.stringify(row));
  return row;
}

const rows = [];
const want = (n) => !opts.only || opts.only === n;
const machine = { cpus: cpus().length, loadavg_before: loadavg().map((x) => x.toFixed(2)) };

if (want("sqlite")) {
  const s = await startServer({ rateLimit: 0 });
  try { rows.push(await measure("sqlite", [s])); } finally { await s.stop(); }
}
if (want("pg1") || want("pg2")) {
  if (!process.env.ATTRKIT_TEST_PG_URL) {
    // Our own cluster, so its backends' CPU can be counted.
    const { execFileSync, spawnSync } = await import("node:child_process");
    // Durable settings (fsync, synchronous_commit on), unlike the tests' cluster.
    const [url, dir] = execFileSync("bash", [path.join(repoRoot, "scripts/pg_cluster.sh"), "start"], {
      encoding: "utf8", env: { ...process.env, ATTRKIT_PG_DURABLE: "1" },
    }).trim().split(" ");
    process.env.ATTRKIT_TEST_PG_URL = url;
    process.env.ATTRKIT_BENCH_PG_DIR = dir;
    process.on("exit", () => spawnSync("bash", [path.join(repoRoot, "scripts/pg_cluster.sh"), "stop", dir]));
  }
  pgCluster();
  if (want("pg1")) {
    const s = await startServer({ db: createDatabase(), rateLimit: 0 });
    try { rows.push(await measure("postgres, 1 node", [s])); } finally { await s.stop(); }
  }
  if (want("pg2")) {
    const db = createDatabase();
    const a = await startServer({ db, rateLimit: 0 });
    const b = await startServer({ db, rateLimit: 0 });
    try { rows.push(await measure("postgres, 2 nodes", [a, b])); } finally { await a.stop(); await b.stop(); }
  }
}
machine.loadavg_after = loadavg().map((x) => x.toFixed(2));
console.log(JSON.stringify(machine));
writeFileSync(path.join(repoRoot, "bench/server.json"), JSON.stringify({ seconds: SECONDS, machine, rows }, null, 2) + "\n");
