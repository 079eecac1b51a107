// Operations (issue #15): health endpoints, the access log, graceful shutdown, the admin command
// line against a running server (keys shown once, revocation at once), the CORS preflight cache.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { api, serverBinary, startServer } from "./helpers/server.mjs";
import { collect, connect, portOf, statusOf } from "./helpers/raw_http.mjs";

function admin(server, ...args) {
  const r = spawnSync(serverBinary(), [...args, "--db", server.db], { encoding: "utf8", timeout: 20000 });
  const lines = r.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  return { status: r.status, lines, stderr: r.stderr, stdout: r.stdout };
}

test("/healthz and /readyz answer without a key", async (t) => {
  const server = await startServer();
  t.after(() => server.stop());
  for (const p of ["/healthz", "/readyz"]) {
    const r = await api(server, "GET", p);
    assert.equal(r.status, 200, p);
    assert.equal(r.body.ok, true);
    assert.equal(r.headers.get("cache-control"), "no-store");
  }
  assert.equal((await api(server, "GET", "/readyz")).body.database, "ok");
});

test("one JSON access-log line per request: method, route, status, ms, workspace; never a key or a value", async (t) => {
  const server = await startServer();
  t.after(() => server.stop());
  const secretValue = "value-that-must-not-be-logged";
  await api(server, "POST", "/api/v1/attributes/values", {
    key: server.secretKey,
    body: { distinctId: "log-person-xyz", attribute: "feature_usage", value: [secretValue] },
  });
  await api(server, "GET", `/api/v1/persons/log-person-xyz/attributes`, { key: server.secretKey });
  await api(server, "GET", "/api/v1/sdk/config", { key: "pk_live_thisIsNotAKnownKeyAtAll0000" });
  await api(server, "GET", "/healthz");
  await new Promise((r) => setTimeout(r, 200));
  const { stderr } = server.output();
  const lines = stderr
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l));
  const routes = lines.map((l) => `${l.method} ${l.route} ${l.status}`);
  assert.deepEqual(routes.slice(-4), [
    "POST /api/v1/attributes/values 200",
    "GET /api/v1/persons/{distinctId}/attributes 200",
    "GET /api/v1/sdk/config 401",
    "GET /healthz 200",
  ]);
  const [write, read, unknown, health] = lines.slice(-4);
  assert.deepEqual(Object.keys(write), ["time", "method", "route", "status", "ms", "workspace"]);
  assert.match(write.workspace, /^ws_/);
  assert.equal(read.workspace, write.workspace);
  assert.equal(unknown.workspace, null);
  assert.equal(health.workspace, null);
  for (const l of lines) assert.equal(typeof l.ms, "number");
  assert.ok(!Number.isNaN(Date.parse(write.time)));
  for (const secret of [server.secretKey, server.publicKey, "pk_live_thisIsNotAKnownKeyAtAll0000", secretValue, "log-person-xyz"]) {
    assert.ok(!stderr.includes(secret), `the log holds ${secret}`);
  }
});

test("SIGTERM lets a request in flight finish, then exits 0", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "attrkit-ops-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const server = await startServer({ db: path.join(dir, "stop.db") });
  const socket = await connect(portOf(server));
  const body = JSON.stringify({ distinctId: "shutdown-1", attribute: "plan", value: "Growth" });
  socket.write(
    `POST /api/v1/attributes/values HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${server.secretKey}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
  );
  await new Promise((r) => setTimeout(r, 300));
  const exited = server.stop();
  await new Promise((r) => setTimeout(r, 300));
  const answer = collect(socket, { timeoutMs: 8000, send: body.slice(10) });
  const { text, timedOut } = await answer;
  assert.equal(timedOut, false);
  assert.equal(statusOf(text), 200, text);
  assert.match(text, /"Growth"/);
  assert.match(text, /Connection: close/i);
  const { code } = await exited;
  assert.equal(code, 0);
  assert.match(server.output().stdout, /stopped/);

  // And it was stored: a restart on the same file reads it back.
  const again = await startServer({ db: server.db, keepDb: true });
  t.after(() => again.stop());
  const person = await api(again, "GET", "/api/v1/persons/shutdown-1/attributes", { key: again.secretKey });
  assert.equal(person.body.attributes.plan, "Growth");
});

test("admin CLI on a running server's database: keys shown once, usable at once, revoked at once", async (t) => {
  const server = await startServer({ seedDemo: false, keepDb: false });
  t.after(() => server.stop());
  const created = admin(server, "workspace", "create", "Acme");
  assert.equal(created.status, 0, created.stderr);
  const ws = created.lines[0];
  assert.match(ws.secretKey, /^sk_live_[A-Za-z0-9]{32}$/);
  assert.match(created.stderr, /shown once/);

  // The new workspace works over HTTP with its keys; client writes are off until settings say on.
  const cfg = await api(server, "GET", "/api/v1/sdk/config", { key: ws.publicKey });
  assert.equal(cfg.status, 200);
  assert.equal(cfg.body.workspace, ws.workspace);
  assert.equal(cfg.body.clientAttributeWrites, false);

  // A folder of its own: server.db is a file beside which it could go, or a PostgreSQL URL.
  const dir = mkdtempSync(path.join(tmpdir(), "attrkit-defs-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "defs.json");
  writeFileSync(file, JSON.stringify([{ key: "plan", type: "single_choice", options: ["Free", "Pro"] }]));
  const applied = admin(server, "definitions", "apply", file, "--workspace", ws.workspace);
  assert.equal(applied.status, 0, applied.stderr);
  assert.deepEqual(applied.lines[0].changed, ["plan"]);
  assert.deepEqual(admin(server, "definitions", "apply", file, "--workspace", ws.workspace).lines[0].changed, []);
  const defs = await api(server, "GET", "/api/v1/attributes/definitions", { key: ws.secretKey });
  assert.deepEqual(defs.body.attributes.map((d) => d.key), ["plan"]);

  const write = () =>
    api(server, "POST", "/api/v1/attributes/values", { key: ws.publicKey, body: { distinctId: "u1", attribute: "plan", value: "pro" } });
  assert.equal((await write()).body.error.code, "client_attribute_writes_disabled");
  assert.equal(admin(server, "settings", "--workspace", ws.workspace, "--client-writes", "on").status, 0);
  const ok = await write();
  assert.equal(ok.status, 200);
  assert.equal(ok.body.value, "Pro");

  const extra = admin(server, "keys", "create", "--workspace", ws.workspace, "--role", "secret").lines[0];
  assert.equal((await api(server, "GET", "/api/v1/attributes/definitions", { key: extra.key })).status, 200);
  const listed = admin(server, "keys", "list", "--workspace", ws.workspace);
  assert.equal(listed.lines.length, 3);
  assert.ok(!listed.stdout.includes(extra.key) && !listed.stdout.includes(ws.secretKey));
  const revoked = admin(server, "keys", "revoke", extra.id);
  assert.equal(revoked.status, 0, revoked.stderr);
  const refused = await api(server, "GET", "/api/v1/attributes/definitions", { key: extra.key });
  assert.equal(refused.status, 401);
  assert.equal(refused.body.error.code, "invalid_key");
  assert.equal((await api(server, "GET", "/api/v1/attributes/definitions", { key: ws.secretKey })).status, 200);
});

test("the CORS preflight is cached by the browser for a day (Access-Control-Max-Age: 86400)", async (t) => {
  const server = await startServer();
  t.after(() => server.stop());
  const res = await fetch(`${server.url}/api/v1/attributes/values/batch`, {
    method: "OPTIONS",
    headers: {
      Origin: "https://shop.example",
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "authorization, content-type",
    },
  });
  assert.equal(res.status, 204);
  assert.equal(res.headers.get("access-control-max-age"), "86400");
  assert.equal(res.headers.get("access-control-allow-origin"), "*");
  assert.match(res.headers.get("access-control-allow-headers"), /Authorization/);
  assert.match(res.headers.get("access-control-allow-methods"), /POST/);
});

test("--help documents every flag and its environment variable", () => {
  const r = spawnSync(serverBinary(), ["--help"], { encoding: "utf8" });
  assert.equal(r.status, 0);
  for (const flag of ["--port", "--host", "--db", "--web", "--sdk", "--seed-demo", "--rate-limit", "--max-connections",
    "--header-timeout", "--body-timeout", "--write-timeout", "--keep-alive-timeout", "--shutdown-grace", "--access-log",
    "ATTRKIT_DB", "ATTRKIT_PORT", "workspace create", "keys revoke", "definitions apply", "settings"]) {
    assert.ok(r.stdout.includes(flag), flag);
  }
});
