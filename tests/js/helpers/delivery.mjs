// Shared by tests/js/delivery_*.test.mjs (docs/delivery.md): the built npm SDK, a real server
// behind the fault proxy, the server's own count of applications, and a driver for node:test's
// MockTimers so retry schedules of minutes run in a second.
//
// How time is driven. `useMockClock()` mocks setTimeout and Date (node:test MockTimers) BEFORE the
// clients are created, so every timer of the real runtime (the flush window, the retry wake-up,
// the 10 s request abort in transport.js, the offline recheck) runs on the mocked clock, and
// Date.now() (which the runtime hands the engine as `now`) reads it. Nothing else is replaced:
// fetch, the proxy and the server do real I/O. `advance(ms)` moves the clock in steps and after
// each step waits, in REAL time, until every client's batch request has been answered and handed
// to the engine (or is hanging at the proxy, waiting for the clock to reach its timeout). So the
// schedule seen by the proxy (whose timestamps are Date.now(), the mocked clock) is exactly the
// one the engine computed, quantised to the step.
import { mock } from "node:test";
import { existsSync } from "node:fs";

import { startFaultProxy } from "./fault_proxy.mjs";
import { createDatabase, dropDatabase } from "./postgres.mjs";
import { startRoundRobinProxy } from "./round_robin_proxy.mjs";
import { api, sdkDir, startServer } from "./server.mjs";

export { api };

// Taken before any test can mock timers: real waiting for real I/O.
const realSetTimeout = globalThis.setTimeout;
const realDelay = (ms) => new Promise((r) => realSetTimeout(r, ms));
const turn = () => new Promise((r) => setImmediate(r));

export async function loadSdk() {
  const dist = `${sdkDir}/attrkit.node.mjs`; // what Node resolves "attrkit" to (the exports "node" condition)
  if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`node js/build.mjs\``);
  return import(dist);
}

/**
 * A real server and the fault proxy in front of it; `stop()` ends both.
 *
 * With `nodes` > 1 (default: $ATTRKIT_TEST_NODES, else 1) the backend is that many server
 * processes on ONE PostgreSQL database behind a round-robin proxy (helpers/round_robin_proxy.mjs),
 * with the fault proxy in front of it: the clients see one URL and every request may reach
 * another node. `server` is the first node (any node reads the same database); `nodes` all.
 */
export async function startBackend(proxyOptions = {}, { nodes = Number(process.env.ATTRKIT_TEST_NODES || 1), serverOptions = {} } = {}) {
  if (nodes <= 1) {
    const server = await startServer(serverOptions);
    const proxy = await startFaultProxy(server, proxyOptions);
    return {
      server,
      nodes: [server],
      proxy,
      init: { publicKey: server.publicKey, apiHost: proxy.url },
      async stop() {
        await proxy.stop();
        await server.stop();
      },
    };
  }
  const db = createDatabase();
  const servers = [];
  // The first node migrates and seeds; the others find the same demo workspace and keys.
  for (let i = 0; i < nodes; i++) servers.push(await startServer({ ...serverOptions, db }));
  for (const s of servers) {
    if (s.publicKey !== servers[0].publicKey) throw new Error("nodes disagree on the demo keys");
  }
  const balancer = await startRoundRobinProxy(servers);
  const proxy = await startFaultProxy(balancer, proxyOptions);
  return {
    server: servers[0],
    nodes: servers,
    balancer,
    proxy,
    init: { publicKey: servers[0].publicKey, apiHost: proxy.url },
    async stop() {
      await proxy.stop();
      await balancer.stop();
      for (const s of servers) await s.stop();
      dropDatabase(db);
    },
  };
}

/** Waits in real time until pred() holds (checked every 2 ms), at most `ms`. */
export async function until(pred, what, ms = 20000) {
  const end = performance.now() + ms;
  while (!pred()) {
    if (performance.now() > end) throw new Error(`timed out after ${ms} ms (real time) waiting for ${what}`);
    await realDelay(2);
  }
}

/** GET /api/v1/debug/writes (secret key): the server's count per write id. */
export async function appliedCounts(server, query = {}) {
  const qs = new URLSearchParams(query).toString();
  const r = await api(server, "GET", `/api/v1/debug/writes${qs ? `?${qs}` : ""}`, { key: server.secretKey });
  if (r.status !== 200) throw new Error(`debug/writes answered ${r.status}: ${r.text}`);
  if (r.body.truncated) throw new Error("debug/writes truncated its answer");
  return new Map(r.body.writes.map((w) => [w.id, w]));
}

/** What the server stores for a person (secret key); {} for a person never written. */
export async function storedAttributes(server, distinctId) {
  const r = await api(server, "GET", `/api/v1/persons/${encodeURIComponent(distinctId)}/attributes`, { key: server.secretKey });
  if (r.status === 404) return {};
  if (r.status !== 200) throw new Error(`persons answered ${r.status}: ${r.text}`);
  return r.body.attributes;
}

/** Collects a client's "error" and "delivered" events. */
export function recordEvents(client) {
  const events = { errors: [], delivered: [] };
  client.on("error", (e) => events.errors.push(e));
  client.on("delivered", (d) => events.delivered.push(d));
  return events;
}

/** Tracks a promise: {state: "pending" | "resolved" | "rejected", value, error}. */
export function track(promise) {
  const t = { state: "pending", value: undefined, error: undefined };
  t.promise = promise.then(
    (v) => Object.assign(t, { state: "resolved", value: v }),
    (e) => Object.assign(t, { state: "rejected", error: e }),
  );
  return t;
}

/**
 * Mocks setTimeout and Date for the clients created afterwards; see the header.
 * Call clock.reset() when done (an `after`/`finally`), before real timers are needed again.
 */
export function useMockClock({ clients = [], proxy, step = 250 } = {}) {
  mock.timers.enable({ apis: ["setTimeout", "Date"], now: Date.now() });
  // A client is quiet when no batch of its is in flight, or when the one in flight hangs at the
  // proxy (only the clock reaching the request timeout can end it).
  const quiet = (c) => {
    const s = c.inspect();
    if (!s || s.inFlight === undefined) return true;
    return proxy ? proxy.hanging(s.outbox.filter((w) => w.inFlight).map((w) => w.id)) : false;
  };
  const clock = {
    clients,
    step,
    elapsed: 0,
    /** Real-time wait until every in-flight request is answered and its outcome is applied. */
    async settle() {
      await until(() => clock.clients.every(quiet), "in-flight batch requests to finish");
      for (let i = 0; i < 4; i++) await turn(); // let settled tickets reach their Promises
    },
    /** Moves the clock by `ms`, `step` at a time, settling after each step. */
    async advance(ms) {
      await clock.settle();
      for (let t = 0; t < ms; t += clock.step) {
        const dt = Math.min(clock.step, ms - t);
        mock.timers.tick(dt);
        clock.elapsed += dt;
        await clock.settle();
      }
    },
    /** Advances until pred() holds; throws after maxMs of mocked time. Returns the mocked ms spent. */
    async advanceUntil(pred, what, maxMs) {
      let spent = 0;
      await clock.settle();
      while (!pred()) {
        if (spent >= maxMs) throw new Error(`not reached within ${maxMs} ms of mocked time: ${what}`);
        mock.timers.tick(clock.step);
        clock.elapsed += clock.step;
        spent += clock.step;
        await clock.settle();
      }
      return spent;
    },
    reset() {
      mock.timers.reset();
    },
  };
  return clock;
}
