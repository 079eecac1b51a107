// A fault-injecting HTTP proxy (node:http) in front of a REAL attrkit-server, for the delivery
// tests (docs/delivery.md). The SDK is pointed at proxy.url instead of server.url; every request
// goes through here and gets one action:
//
//   {do: "pass"}                               forward, answer what the server answered
//   {do: "status", status, headers?, body?}    answer itself, never forwarded (status may be a
//                                              list: one is drawn from the PRNG)
//   {do: "hang", forward?}                     never answer (forward: true lets the server commit
//                                              first); the client's own timeout must end it
//   {do: "drop"}                               forward, wait until the server answered (so it
//                                              committed), then destroy the socket unanswered
//   {do: "key", key}                           forward with another Authorization (a real 401)
//   (entry) => action                          decided when the request is complete
//
// The action comes from, in order: a script (`script(n, action)`: the next n matching requests),
// a standing rule (`always(action)`), then the seeded random faults (`faults: [{p, action}]`),
// else pass. Random faults draw from one PRNG stream per `streamKey(entry)` (default: the
// distinct id of the batch's first write), so with concurrent clients the k-th request of one
// user gets the same fault in every run with the same seed, whatever the interleaving.
//
// `refuse()` closes the listening socket and every open connection (the port then refuses
// connections); `accept()` listens on the same port again.
//
// Every request is recorded in `proxy.log`: {n, at, method, path, auth, body, writes, ids, action,
// forwarded, serverStatus, status (what the client got; null: nothing), answeredAt, closedAt}.
// Times are Date.now(): with node:test MockTimers that is the SDK's (mocked) clock too.
// CORS: OPTIONS and forwarded answers pass through unchanged (the server does CORS); answers the
// proxy makes itself carry the same two CORS headers the server sends, as a gateway would.
import { EventEmitter } from "node:events";
import http from "node:http";

export const BATCH_PATH = "/api/v1/attributes/values/batch";
const isBatch = (e) => e.method === "POST" && e.path === BATCH_PATH;

const HOP_BY_HOP = new Set([
  "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer",
]);

/** mulberry32: a small, fast, seedable PRNG returning [0, 1). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of a string, mixed with a seed: one PRNG stream per key. */
function streamSeed(seed, key) {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** $ATTRKIT_FAULT_SEED when set (to replay a failure), else a fresh random seed. */
export function chooseSeed() {
  const env = process.env.ATTRKIT_FAULT_SEED;
  if (env !== undefined && env !== "") return Number(env) >>> 0;
  return (Math.random() * 2 ** 32) >>> 0;
}

function errorBody(status) {
  const code = status === 429 ? "rate_limited" : status >= 500 ? "server_error" : "invalid_request";
  return { error: { code, message: `injected by the fault proxy (${status})`, status } };
}

/**
 * @param {{url: string}} target  the real server (startServer())
 * @param {object} [options]
 * @param {number} [options.seed]
 * @param {{p: number, action: object|Function}[]} [options.faults]  random faults, tried in order
 * @param {(entry) => boolean} [options.faultable]  which requests random faults apply to
 *                                                 (default: batch POSTs)
 * @param {(entry) => string} [options.streamKey]   PRNG stream of a request
 */
export async function startFaultProxy(target, options = {}) {
  const upstream = new URL(target.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const seed = options.seed ?? chooseSeed();
  const faultable = options.faultable ?? isBatch;
  const streamKey = options.streamKey ?? ((e) => (e.writes[0]?.distinctId ?? "").toString());
  const streams = new Map();
  const stream = (key) => {
    if (!streams.has(key)) streams.set(key, prng(streamSeed(seed, key)));
    return streams.get(key);
  };
  const scripts = []; // {count, action, match}
  const standing = []; // {action, match}
  const sockets = new Set();
  const events = new EventEmitter();
  events.setMaxListeners(0);

  const proxy = {
    seed,
    url: "",
    port: 0,
    faults: options.faults ?? [],
    log: [],
    /** The next `count` requests matching `match` (default: batch POSTs) get `action`. */
    script(count, action, match = isBatch) {
      scripts.push({ count, action, match });
    },
    /** Every request matching `match` gets `action` until clear(). */
    always(action, match = isBatch) {
      standing.push({ action, match });
    },
    /** Forgets scripts, standing rules and random faults: everything passes. */
    clear() {
      scripts.length = standing.length = 0;
      proxy.faults = [];
    },
    /** Entries of batch requests. */
    batches: () => proxy.log.filter(isBatch),
    /** Requests received and not yet answered, dropped or closed (hung ones included). */
    open: () => proxy.log.filter((e) => e.answeredAt === null && e.closedAt === null).length,
    /** Is one of these write ids in a request that is hanging right now? */
    hanging(ids) {
      const set = new Set(ids);
      return proxy.log.some((e) => e.action === "hang" && e.closedAt === null && !e.forwarding && e.ids.some((id) => set.has(id)));
    },
    /** Resolves with the first entry (recorded or future) for which pred(entry) holds. */
    waitFor(pred) {
      return new Promise((resolve) => {
        const check = () => {
          const hit = proxy.log.find(pred);
          if (!hit) return false;
          events.off("change", check);
          resolve(hit);
          return true;
        };
        if (!check()) events.on("change", check);
      });
    },
    /** Stop listening and cut every open connection: new connections are refused. */
    async refuse() {
      if (!server.listening) return;
      const closed = new Promise((r) => server.close(r));
      for (const s of sockets) s.destroy();
      await closed;
    },
    /** Listen again, on the same port. */
    async accept() {
      if (server.listening) return;
      await new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(proxy.port, "127.0.0.1", () => {
          server.off("error", reject);
          resolve();
        });
      });
    },
    async stop() {
      await proxy.refuse();
      agent.destroy();
    },
  };

  function decide(entry) {
    for (const s of scripts) {
      if (s.count > 0 && s.match(entry)) {
        s.count--;
        return s.action;
      }
    }
    for (const s of standing) if (s.match(entry)) return s.action;
    if (faultable(entry) && proxy.faults.length) {
      const rng = stream(streamKey(entry));
      const r = rng();
      const pick = rng(); // always drawn, so the stream advances the same way for every action
      let acc = 0;
      for (const f of proxy.faults) {
        acc += f.p;
        if (r < acc) return { ...(typeof f.action === "function" ? f.action(entry) : f.action), pick };
      }
    }
    return { do: "pass" };
  }

  function forward(req, entry, body, headersOverride) {
    return new Promise((resolve) => {
      const headers = {};
      for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k)) headers[k] = v;
      Object.assign(headers, headersOverride);
      headers.host = upstream.host;
      if (body.length || "content-length" in req.headers) headers["content-length"] = String(body.length);
      const up = http.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
        (res) => {
          const chunks = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on("error", () => resolve(null));
        },
      );
      up.on("error", () => resolve(null));
      up.end(body);
      entry.forwarded = true;
    });
  }

  function answer(res, entry, status, headers, body) {
    if (res.destroyed || res.socket?.destroyed) return;
    const out = {};
    for (const [k, v] of Object.entries(headers)) if (!HOP_BY_HOP.has(k.toLowerCase())) out[k] = v;
    out["content-length"] = String(body.length);
    res.writeHead(status, out);
    res.end(body);
    entry.status = status;
    entry.answeredAt = Date.now();
    events.emit("change");
  }

  // A client that goes away mid-request must not become an unhandled rejection in the tests.
  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });

  async function handle(req, res) {
    const entry = {
      n: proxy.log.length + 1,
      at: Date.now(),
      method: req.method,
      path: new URL(req.url, "http://x").pathname,
      auth: req.headers.authorization ?? null,
      body: null,
      writes: [],
      ids: [],
      action: null,
      forwarded: false,
      serverStatus: null,
      status: null,
      answeredAt: null,
      closedAt: null,
    };
    proxy.log.push(entry);
    res.on("close", () => {
      if (entry.answeredAt === null) entry.closedAt = Date.now();
      events.emit("change");
    });
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    try {
      entry.body = body.length ? JSON.parse(body.toString("utf8")) : null;
    } catch {}
    if (Array.isArray(entry.body?.writes)) {
      entry.writes = entry.body.writes;
      entry.ids = entry.writes.map((w) => w?.id);
    }
    let action = decide(entry);
    if (typeof action === "function") action = action(entry);
    entry.action = action.do;
    events.emit("change");

    switch (action.do) {
      case "status": {
        const list = Array.isArray(action.status) ? action.status : [action.status];
        const status = list[Math.floor((action.pick ?? 0) * list.length) % list.length];
        const headers = {
          "content-type": "application/json; charset=utf-8",
          "access-control-allow-origin": "*",
          "access-control-expose-headers": "ETag, Retry-After",
        };
        for (const [k, v] of Object.entries(action.headers ?? {})) headers[k] = typeof v === "function" ? v(entry) : v;
        const payload = action.body === undefined ? errorBody(status) : action.body;
        const text = typeof payload === "string" ? payload : JSON.stringify(payload);
        return answer(res, entry, status, headers, Buffer.from(text));
      }
      case "hang":
        if (action.forward) {
          // Not "hanging" (see hanging()) until the server has answered the proxy: a mocked clock
          // must not reach the client's timeout while the request is still on its way to the
          // server (through a round-robin proxy that takes longer).
          entry.forwarding = true;
          const up = await forward(req, entry, body);
          entry.serverStatus = up?.status ?? null;
          entry.forwarding = false;
          events.emit("change");
        }
        return; // the client gives up (abort) or stop() cuts it
      case "drop": {
        const up = await forward(req, entry, body);
        entry.serverStatus = up?.status ?? null;
        req.socket.destroy();
        entry.closedAt ??= Date.now();
        events.emit("change");
        return;
      }
      default: {
        const override = action.do === "key" ? { authorization: `Bearer ${action.key}` } : undefined;
        const up = await forward(req, entry, body, override);
        if (!up) {
          req.socket.destroy();
          return;
        }
        entry.serverStatus = up.status;
        return answer(res, entry, up.status, up.headers, up.body);
      }
    }
  }
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.keepAliveTimeout = 60_000;

  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.port = server.address().port;
  proxy.url = `http://127.0.0.1:${proxy.port}`;
  return proxy;
}
