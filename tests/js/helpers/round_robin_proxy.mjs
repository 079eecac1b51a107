// A load balancer for the multi-node tests: each request goes to the next server in turn
// (round robin), whole, over keep-alive connections. It does nothing else: faults are the fault
// proxy's job (chain it in front: startFaultProxy(await startRoundRobinProxy(nodes))).
//
//   const lb = await startRoundRobinProxy([a, b, c]);   // {url}s of running servers
//   lb.url; lb.counts;   // requests sent to each node so far
//   await lb.stop();
import http from "node:http";

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "te", "trailer"]);

/** @param {{url: string}[]} nodes */
export async function startRoundRobinProxy(nodes) {
  const upstreams = nodes.map((n) => new URL(n.url));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const counts = upstreams.map(() => 0);
  const sockets = new Set();
  let next = 0;

  const server = http.createServer((req, res) => {
    const i = next++ % upstreams.length;
    counts[i]++;
    const target = upstreams[i];
    const headers = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k)) headers[k] = v;
    headers.host = target.host;
    const up = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
      (upRes) => {
        const out = {};
        for (const [k, v] of Object.entries(upRes.headers)) if (!HOP_BY_HOP.has(k)) out[k] = v;
        res.writeHead(upRes.statusCode, out);
        upRes.pipe(res);
      },
    );
    // A node that is down answers 502, as a load balancer would.
    up.on("error", () => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "server_error", message: "upstream unreachable", status: 502 } }));
    });
    req.pipe(up);
  });
  server.keepAliveTimeout = 30_000;
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = server.address().port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    counts,
    async stop() {
      const closed = new Promise((r) => server.close(r));
      for (const s of sockets) s.destroy();
      await closed;
      agent.destroy();
    },
  };
}
