// An HTTP relay in front of the REAL attrkit-server for the browser tests of persistence: the SDK
// is pointed at relay.url (its apiHost), and the relay forwards everything unchanged (CORS
// included: the server answers it) unless a rule says otherwise for a request:
//
//   relay.rule = (entry) => undefined          forward at once (the default)
//   relay.rule = (entry) => ({ hold: promise })  forward only once `promise` settles: a server
//                                                that is slow to receive; the answer goes back
//                                                if the browser is still waiting for it
//   relay.rule = (entry) => ({ refuse: true })   close the connection unanswered, never forwarded:
//                                                the browser sees a network error
//
// Every request is recorded in relay.log: {method, path, body (text), writes (a batch's writes,
// parsed), forwarded (the server answered it), status}. Nothing else is done to the traffic.
// One relay serves every test of a file, and a page of an earlier test may still be sending after
// the log was emptied (a closing tab's keepalive flush, a surviving tab adopting its writes): a
// test counts only the writes of its own person.
//
//   const relay = await startRelay(stack.server.url);
//   ...
//   await relay.stop();
import http from "node:http";

export async function startRelay(targetUrl) {
  const target = new URL(targetUrl);
  const sockets = new Set();
  const relay = {
    log: [],
    rule: () => undefined,
    url: "",
    /** The writes of every batch request the server received (answered), in arrival order. */
    storedWrites() {
      return relay.log.filter((e) => e.forwarded && e.writes).flatMap((e) => e.writes);
    },
    /**
     * Waits until the server received `count` writes matching `filter` through the relay, and
     * returns them: a test that saw a value stored may see it before the relay saw the answer.
     */
    async stored(count, filter = () => true) {
      const end = Date.now() + 15000;
      for (;;) {
        const found = relay.storedWrites().filter(filter);
        if (found.length >= count || Date.now() > end) return found;
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    /** The writes of every batch request the browser sent, answered or not. */
    sentWrites() {
      return relay.log.filter((e) => e.writes).flatMap((e) => e.writes);
    },
    stop: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      const entry = { method: req.method, path: req.url, body: body.toString("utf8"), forwarded: false, status: null };
      if (req.method === "POST" && req.url.endsWith("/values/batch")) {
        try {
          entry.writes = JSON.parse(entry.body).writes;
        } catch {}
      }
      relay.log.push(entry);
      const action = relay.rule(entry) ?? {};
      if (action.refuse) {
        req.socket.destroy();
        return;
      }
      if (action.hold) await action.hold.catch(() => {});
      const headers = { ...req.headers, host: target.host };
      delete headers.connection;
      const up = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
        (answer) => {
          // The server answers after it committed: from here on the writes are stored.
          entry.forwarded = true;
          entry.status = answer.statusCode;
          const parts = [];
          answer.on("data", (c) => parts.push(c));
          answer.on("end", () => {
            if (res.destroyed || res.writableEnded) return; // the browser gave up meanwhile
            const out = { ...answer.headers };
            delete out.connection;
            delete out["transfer-encoding"];
            res.writeHead(answer.statusCode, out).end(Buffer.concat(parts));
          });
        },
      );
      up.on("error", () => res.destroy());
      up.end(body);
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  relay.url = `http://127.0.0.1:${server.address().port}`;
  return relay;
}
