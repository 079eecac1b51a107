// No way in (issue #15): strict key parsing, demo routes only where they are safe, and slow or
// idle clients that cannot starve the others (server/guarded_server.h).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { api, serverBinary, startServer } from "./helpers/server.mjs";
import { collect, connect, exchange, portOf, statusOf } from "./helpers/raw_http.mjs";

const DEFINITIONS = "/api/v1/attributes/definitions";

function getWithAuth(server, authorization) {
  const head = Buffer.concat([
    Buffer.from(`GET ${DEFINITIONS} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: `, "latin1"),
    Buffer.isBuffer(authorization) ? authorization : Buffer.from(authorization, "latin1"),
    Buffer.from("\r\nConnection: close\r\n\r\n", "latin1"),
  ]);
  return exchange(portOf(server), head);
}

test("a key followed by NUL or any stray byte is 401 invalid_key; the key alone works", async (t) => {
  const server = await startServer();
  t.after(() => server.stop());
  const ok = await getWithAuth(server, `Bearer ${server.secretKey}`);
  assert.equal(statusOf(ok.text), 200, ok.text);

  // (A lone trailing space or tab is optional whitespace around the header value, which HTTP
  // strips before the server sees it; followed by anything it is part of the value.)
  const tails = ["\0", "\0x", "\0\0\0garbage", " x", "\tx", "\r", "\x0b", "\x01", "\x7f", "\xc3\xa9", "\xff", "!", "%00x", "/"];
  for (const key of [server.secretKey, server.publicKey]) {
    for (const tail of tails) {
      const r = await getWithAuth(server, Buffer.from(`Bearer ${key}${tail}`, "latin1"));
      assert.equal(statusOf(r.text), 401, `${JSON.stringify(tail)}: ${r.text.slice(0, 80)}`);
      assert.match(r.text, /"invalid_key"/);
    }
  }
  // The attack: the secret key, a NUL and more, used to write a value. Refused, nothing
  // stored; the same request with the key alone is applied.
  const writeWith = (authorization) => {
    const body = '{"distinctId":"nul-attack","attribute":"plan","value":"Pro"}';
    return exchange(portOf(server), Buffer.from(
      `POST /api/v1/attributes/values HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      "latin1",
    ));
  };
  assert.equal(statusOf((await writeWith(`Bearer ${server.secretKey}\0x`)).text), 401);
  const before = await api(server, "GET", "/api/v1/persons/nul-attack/attributes", { key: server.secretKey });
  assert.equal(before.body?.attributes?.plan, undefined, before.text);
  assert.equal(statusOf((await writeWith(`Bearer ${server.secretKey}`)).text), 200);
  const after = await api(server, "GET", "/api/v1/persons/nul-attack/attributes", { key: server.secretKey });
  assert.equal(after.body.attributes.plan, "Pro", after.text);
  // A NUL inside the key, a truncated key, two Authorization headers.
  const sk = server.secretKey;
  for (const header of [`Bearer ${sk.slice(0, 20)}\0${sk.slice(20)}`, `Bearer ${sk.slice(0, -1)}`]) {
    const r = await getWithAuth(server, Buffer.from(header, "latin1"));
    assert.equal(statusOf(r.text), 401, JSON.stringify(header));
  }
  const twice = await exchange(
    portOf(server),
    `GET ${DEFINITIONS} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${sk}\r\nAuthorization: Bearer ${sk}\r\nConnection: close\r\n\r\n`,
  );
  assert.equal(statusOf(twice.text), 401);
});

test("demo routes: 404 without --seed-demo; --seed-demo says so at start and is refused off loopback", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "attrkit-guards-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const plain = await startServer({ seedDemo: false });
  t.after(() => plain.stop());
  assert.equal((await fetch(`${plain.url}/demo/config.json`)).status, 404);
  assert.equal((await fetch(`${plain.url}/demo/person/u1`)).status, 404);

  const seeded = await startServer();
  t.after(() => seeded.stop());
  assert.match(seeded.output().stdout, /demo routes on/);
  assert.equal((await fetch(`${seeded.url}/demo/config.json`)).status, 200);

  for (const host of ["0.0.0.0", "::"]) {
    const r = spawnSync(serverBinary(), ["--port", "0", "--host", host, "--db", path.join(dir, "x.db"), "--seed-demo"], {
      encoding: "utf8",
      timeout: 10000,
    });
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /--seed-demo refused on --host/);
    assert.doesNotMatch(r.stdout, /attrkit ready/);
  }
});

test("256 slow connections leave /healthz and a normal write answering within 1 s", async (t) => {
  const server = await startServer();
  t.after(() => server.stop());
  const port = portOf(server);
  const sockets = [];
  t.after(() => sockets.forEach((s) => s.destroy()));
  // Half trickle their headers, half send headers and trickle a body: one byte each every 1.5 s.
  const headerSlow = `POST /api/v1/attributes/values HTTP/1.1\r\nHost: x\r\nX-Slow: ${"a".repeat(64)}`;
  const bodySlow = `POST /api/v1/attributes/values HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${server.secretKey}\r\n` +
    "Content-Type: application/json\r\nContent-Length: 200\r\n\r\n";
  for (let i = 0; i < 256; i++) {
    const s = await connect(port);
    s.on("error", () => {});
    if (i % 2 === 1) s.write(bodySlow);
    sockets.push(s);
  }
  let tick = 0;
  const trickle = setInterval(() => {
    tick++;
    for (const [i, s] of sockets.entries()) {
      if (!s.destroyed) s.write(i % 2 === 1 ? "{" : headerSlow[tick % headerSlow.length]);
    }
  }, 1500);
  t.after(() => clearInterval(trickle));
  await new Promise((r) => setTimeout(r, 2000));

  for (let round = 0; round < 3; round++) {
    let start = performance.now();
    const health = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) });
    const healthMs = performance.now() - start;
    assert.equal(health.status, 200);
    start = performance.now();
    const write = await api(server, "POST", "/api/v1/attributes/values", {
      key: server.secretKey,
      body: { distinctId: `slow-${round}`, attribute: "plan", value: "Pro" },
    });
    const writeMs = performance.now() - start;
    assert.equal(write.status, 200, write.text);
    assert.equal(write.body.value, "Pro");
    assert.ok(healthMs < 1000, `healthz took ${healthMs} ms`);
    assert.ok(writeMs < 1000, `write took ${writeMs} ms`);
    await new Promise((r) => setTimeout(r, 700));
  }
  // The slow ones were all still connected (none was refused or reset meanwhile).
  assert.equal(sockets.filter((s) => s.destroyed).length, 0);
  // Hang up before stopping the server (a stop waits for requests in flight, slow ones too).
  clearInterval(trickle);
  sockets.forEach((s) => s.destroy());
  await new Promise((r) => setTimeout(r, 200));
});

test("headers or a body that do not arrive in time are 408 request_timeout, and the connection closes", async (t) => {
  const server = await startServer({ args: ["--header-timeout", "1", "--body-timeout", "1"] });
  t.after(() => server.stop());
  const port = portOf(server);

  const slowHeaders = await connect(port);
  slowHeaders.write("GET /healthz HTTP/1.1\r\nHost: x\r\n");
  const headerText = `X-Slow: ${"a".repeat(100)}`;
  let i = 0;
  const trickle = setInterval(() => !slowHeaders.destroyed && slowHeaders.write(headerText[i++ % headerText.length]), 200);
  t.after(() => clearInterval(trickle));
  const started = Date.now();
  const a = await collect(slowHeaders, { timeoutMs: 6000 });
  clearInterval(trickle);
  assert.equal(a.timedOut, false, "the server closed the connection");
  assert.equal(statusOf(a.text), 408, a.text);
  assert.match(a.text, /"request_timeout"/);
  assert.ok(Date.now() - started < 5000);

  const slowBody = await connect(port);
  slowBody.write(
    `POST /api/v1/attributes/values HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${server.secretKey}\r\n` +
      "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
  );
  const b = await collect(slowBody, { timeoutMs: 6000 });
  assert.equal(b.timedOut, false);
  assert.equal(statusOf(b.text), 408, b.text);
  assert.match(b.text, /Connection: close/i);

  // A request line that never ends: the connection is closed (there is no request to answer).
  const slowLine = await connect(port);
  const lineText = `GET /${"a".repeat(100)}`;
  let j = 0;
  const lineTrickle = setInterval(() => !slowLine.destroyed && slowLine.write(lineText[j++ % lineText.length]), 200);
  t.after(() => clearInterval(lineTrickle));
  const c = await collect(slowLine, { timeoutMs: 6000 });
  clearInterval(lineTrickle);
  assert.equal(c.timedOut, false, "the server closed the connection");
});

test("beyond --max-connections a connection gets a fast 503 server_busy; capacity comes back", async (t) => {
  const server = await startServer({ args: ["--max-connections", "8"] });
  t.after(() => server.stop());
  const idle = [];
  for (let i = 0; i < 8; i++) idle.push(await connect(portOf(server)));
  t.after(() => idle.forEach((s) => s.destroy()));
  await new Promise((r) => setTimeout(r, 300));
  const busy = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) });
  assert.equal(busy.status, 503);
  assert.equal(busy.headers.get("retry-after"), "1");
  assert.equal((await busy.json()).error.code, "server_busy");

  idle.forEach((s) => s.destroy());
  await new Promise((r) => setTimeout(r, 300));
  const back = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) });
  assert.equal(back.status, 200);
});
