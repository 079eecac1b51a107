// HTTP behaviour of the reference server over real sockets: CORS and preflight, the per-key rate
// limit, static files (MIME, caching, ETag, traversal), HEAD.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { api, serverBinary, startServer } from "./helpers/server.mjs";

// A raw request: fetch would normalise "/../" away before sending.
function rawGet(server, rawPath) {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path: rawPath, method: "GET", agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

let server;
let dir;
const SECRET = "TOP-SECRET-OUTSIDE-THE-ROOT";
const WASM = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "attrkit-static-"));
  const web = path.join(dir, "web");
  const sdk = path.join(dir, "sdk");
  mkdirSync(path.join(web, "console"), { recursive: true });
  mkdirSync(sdk);
  writeFileSync(path.join(web, "index.html"), "<!doctype html><title>demo</title>");
  writeFileSync(path.join(web, "app.js"), "console.log('demo')");
  writeFileSync(path.join(web, "style.css"), "body{}");
  writeFileSync(path.join(web, "console", "index.html"), "<title>console</title>");
  writeFileSync(path.join(web, ".env"), SECRET);
  writeFileSync(path.join(dir, "secret.txt"), SECRET);
  symlinkSync(path.join(dir, "secret.txt"), path.join(web, "leak.txt"));
  writeFileSync(path.join(sdk, "attrkit.js"), "/* sdk */");
  writeFileSync(path.join(sdk, "attrkit.wasm"), WASM);
  writeFileSync(path.join(sdk, "attrkit-1.2.0.js"), "/* 1.2.0 */");
  writeFileSync(path.join(sdk, "attrkit.3f9a1c2b.wasm"), WASM);
  server = await startServer({ web, sdk });
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("CORS", () => {
  test("preflight answers 204 with the allowed methods and headers", async () => {
    const res = await fetch(`${server.url}/api/v1/attributes/values/batch`, {
      method: "OPTIONS",
      headers: {
        Origin: "https://shop.example.com",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
      },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    const methods = res.headers.get("access-control-allow-methods");
    for (const m of ["GET", "POST", "PUT", "DELETE"]) assert.ok(methods.includes(m), m);
    const allowed = res.headers.get("access-control-allow-headers").toLowerCase();
    for (const h of ["authorization", "content-type", "if-none-match"]) assert.ok(allowed.includes(h), h);
    assert.ok(Number(res.headers.get("access-control-max-age")) > 0);
  });

  test("answers, errors and static files all carry Access-Control-Allow-Origin and expose ETag", async () => {
    const origin = { Origin: "https://shop.example.com" };
    const ok = await api(server, "GET", "/api/v1/sdk/config", { key: server.publicKey, headers: origin });
    const denied = await api(server, "GET", "/api/v1/sdk/config", { headers: origin });
    const missing = await api(server, "GET", "/api/v1/nothing", { headers: origin });
    const file = await fetch(`${server.url}/sdk/attrkit.js`, { headers: origin });
    for (const res of [ok, denied, missing, file]) {
      assert.equal(res.headers.get("access-control-allow-origin"), "*");
      assert.match(res.headers.get("access-control-expose-headers"), /ETag/);
      assert.match(res.headers.get("access-control-expose-headers"), /Retry-After/);
    }
    assert.equal(denied.status, 401);
    assert.equal(missing.status, 404);
  });
});

describe("static files", () => {
  test("web/ at / and the SDK at /sdk/, with MIME types", async () => {
    const cases = [
      ["/", "text/html; charset=utf-8", "<!doctype html><title>demo</title>"],
      ["/index.html", "text/html; charset=utf-8", "<!doctype html><title>demo</title>"],
      ["/app.js", "text/javascript; charset=utf-8", "console.log('demo')"],
      ["/style.css", "text/css; charset=utf-8", "body{}"],
      ["/console/", "text/html; charset=utf-8", "<title>console</title>"],
      ["/sdk/attrkit.js", "text/javascript; charset=utf-8", "/* sdk */"],
    ];
    for (const [p, type, body] of cases) {
      const res = await fetch(server.url + p);
      assert.equal(res.status, 200, p);
      assert.equal(res.headers.get("content-type"), type, p);
      assert.equal(await res.text(), body, p);
    }
    const wasm = await fetch(`${server.url}/sdk/attrkit.wasm`);
    assert.equal(wasm.headers.get("content-type"), "application/wasm");
    assert.deepEqual(Buffer.from(await wasm.arrayBuffer()), WASM);
    // WebAssembly.compileStreaming insists on application/wasm: prove the real consumer accepts it.
    await assert.doesNotReject(WebAssembly.compileStreaming(fetch(`${server.url}/sdk/attrkit.wasm`)));
  });

  test("versioned names are immutable; others revalidate with an ETag", async () => {
    for (const p of ["/sdk/attrkit-1.2.0.js", "/sdk/attrkit.3f9a1c2b.wasm"]) {
      const res = await fetch(server.url + p);
      assert.equal(res.status, 200, p);
      assert.equal(res.headers.get("cache-control"), "public, max-age=31536000, immutable", p);
    }
    const plain = await fetch(`${server.url}/sdk/attrkit.js`);
    assert.equal(plain.headers.get("cache-control"), "no-cache");
    const etag = plain.headers.get("etag");
    assert.ok(etag);
    const again = await fetch(`${server.url}/sdk/attrkit.js`, { headers: { "If-None-Match": etag } });
    assert.equal(again.status, 304);
  });

  test("a folder without its slash redirects; HEAD answers headers only", async () => {
    const res = await fetch(`${server.url}/console`, { redirect: "manual" });
    assert.equal(res.status, 301);
    assert.equal(res.headers.get("location"), "/console/");
    const head = await fetch(`${server.url}/sdk/attrkit.js`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.equal(await head.text(), "");
  });

  test("missing files are a JSON 404", async () => {
    for (const p of ["/nope.html", "/sdk/nope.js", "/sdk/"]) {
      const res = await api(server, "GET", p);
      assert.equal(res.status, 404, p);
      assert.equal(res.body.error.code, "not_found", p);
    }
  });

  test("nothing outside the served folders, nor dotfiles, is reachable", async () => {
    const attempts = [
      "/../secret.txt",
      "/sdk/../../secret.txt",
      "/sdk/../web/index.html",
      "/%2e%2e/secret.txt",
      "/..%2fsecret.txt",
      "/sdk/..%2f..%2fsecret.txt",
      "/sdk/%2e%2e%2f%2e%2e%2fsecret.txt",
      "/%2e%2e%5csecret.txt",
      "/..\\secret.txt",
      "//etc/passwd",
      "/sdk//etc/passwd",
      "/%2fetc%2fpasswd",
      "/leak.txt",
      "/.env",
      "/%2eenv",
      "/app.js%00.html",
    ];
    for (const p of attempts) {
      const res = await rawGet(server, p);
      assert.notEqual(res.status, 200, p);
      assert.ok(!res.body.includes(SECRET), p);
      assert.ok(!res.body.includes("root:"), p);
    }
  });
});

describe("without an SDK build", () => {
  test("/sdk/ answers 404 cleanly when the folder does not exist", async () => {
    const bare = await startServer({ sdk: path.join(dir, "no-such-folder") });
    try {
      const res = await api(bare, "GET", "/sdk/attrkit.js");
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, "not_found");
    } finally {
      await bare.stop();
    }
  });
});

describe("rate limit", () => {
  test("over the per-key budget answers 429 rate_limited with an integer Retry-After", async () => {
    const limited = await startServer({ rateLimit: 1 }); // 1 request/s, burst 2
    try {
      const statuses = [];
      let tooMany;
      for (let i = 0; i < 10 && !tooMany; i++) {
        const res = await api(limited, "GET", "/api/v1/sdk/config", { key: limited.publicKey });
        statuses.push(res.status);
        if (res.status === 429) tooMany = res;
      }
      assert.ok(tooMany, `no 429 in ${statuses}`);
      assert.equal(statuses[0], 200);
      assert.equal(tooMany.body.error.code, "rate_limited");
      assert.equal(tooMany.body.error.status, 429);
      assert.match(tooMany.headers.get("retry-after"), /^[1-9][0-9]*$/);

      // The budget is per key: the secret key still has its own.
      const other = await api(limited, "GET", "/api/v1/workspace/settings", { key: limited.secretKey });
      assert.equal(other.status, 200);
      // Unauthenticated requests are answered 401, never 429, and do not spend a key's budget.
      const anon = await api(limited, "GET", "/api/v1/sdk/config");
      assert.equal(anon.status, 401);
      // Static files are not limited.
      assert.notEqual((await fetch(`${limited.url}/nope`)).status, 429);
    } finally {
      await limited.stop();
    }
  });
});

describe("listening", () => {
  test("a second server on a port in use fails instead of sharing it", () => {
    const { port } = new URL(server.url);
    const second = spawnSync(serverBinary(), ["--port", port, "--db", path.join(dir, "second.db")], {
      encoding: "utf8",
      timeout: 10000,
    });
    assert.equal(second.status, 1, second.stdout + second.stderr);
    assert.match(second.stderr, /cannot listen/);
    assert.doesNotMatch(second.stdout, /attrkit ready/);
  });
});
