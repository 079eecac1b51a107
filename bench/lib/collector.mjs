// The local collector the benchmark points each SDK at: a node:http server on 127.0.0.1 that
// answers what that SDK expects (config/settings, decide/flags, batch endpoints), serves the
// SDK's files as a CDN would (cacheable), and records every request: path, bytes on the wire
// (request line + headers + body, and the answer), and the body decoded to text so the values
// it carries can be counted. With `proxyTo` it forwards every request that is not one of its
// `files` unchanged to another server (attrkit's real reference server) and records the same way,
// so every SDK is measured through the same code.
//
//   const c = await startCollector({ routes, files, proxyTo });
//   c.url; c.log (entries); c.reset(); await c.stop();
import http from "node:http";
import { gunzipSync, inflateSync, brotliDecompressSync } from "node:zlib";

/** Turns a request body into text: gzip/deflate/brotli, form `data=` fields, base64 JSON. */
export function decodeBody(buf, headers = {}, url = "") {
  let b = buf;
  try {
    const enc = String(headers["content-encoding"] ?? "").toLowerCase();
    if (enc === "gzip" || (b.length > 2 && b[0] === 0x1f && b[1] === 0x8b)) b = gunzipSync(b);
    else if (enc === "deflate") b = inflateSync(b);
    else if (enc === "br") b = brotliDecompressSync(b);
  } catch {}
  let text = b.toString("utf8");
  // Form bodies (Mixpanel's `data=`, PostHog's base64 flavour): the fields, decoded.
  const type = String(headers["content-type"] ?? "");
  if (type.includes("x-www-form-urlencoded") || /^[a-z_]+=/.test(text)) {
    const form = new URLSearchParams(text);
    const parts = [];
    for (const [, v] of form) parts.push(maybeBase64(v));
    if (parts.length) text = parts.join("\n");
  }
  return `${decodeURIComponentSafe(url)}\n${maybeBase64(text)}`;
}

function maybeBase64(s) {
  const t = s.trim();
  if (t.length < 8 || !/^[A-Za-z0-9+/=_-]+$/.test(t)) return s;
  const d = Buffer.from(t, "base64").toString("utf8");
  return /^[[{]/.test(d) ? d : s;
}

function decodeURIComponentSafe(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// A static file as the page gets it after decompression (what raw/gzip/brotli sizes are taken of).
function decoded(buf, headers) {
  const enc = String(headers["content-encoding"] ?? headers["Content-Encoding"] ?? "").toLowerCase();
  try {
    if (enc === "gzip") return gunzipSync(buf);
    if (enc === "br") return brotliDecompressSync(buf);
    if (enc === "deflate") return inflateSync(buf);
  } catch {}
  return buf;
}

function corsHeaders(req) {
  const h = {
    "Access-Control-Allow-Origin": req.headers.origin ?? "*",
    "Access-Control-Allow-Credentials": "true",
    "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
    "Access-Control-Max-Age": "600",
    Vary: "Origin",
  };
  if (req.headers["access-control-request-headers"]) h["Access-Control-Allow-Headers"] = req.headers["access-control-request-headers"];
  return h;
}

const headerBytes = (rawHeaders) => rawHeaders.reduce((n, s, i) => n + Buffer.byteLength(s) + (i % 2 ? 2 : 2), 0) + 2;

/**
 * @param {object} o
 * @param {(req: {method, path, query, body: Buffer, text: string, headers}) => ({status?, json?, body?, headers?}|undefined)} [o.route]
 *   answers an API request; undefined = `{}` with 200
 * @param {Record<string, {body: Buffer, type: string}>} [o.files] static files by path (served with CORS, cacheable)
 * @param {string} [o.proxyTo] forward everything to this origin instead
 */
export async function startCollector({ route = () => undefined, files = {}, proxyTo } = {}) {
  const sockets = new Set();
  const c = {
    url: "",
    log: [],
    reset() {
      c.log = [];
    },
    /** API requests only (not static files, not preflights). */
    api() {
      return c.log.filter((e) => !e.static && e.method !== "OPTIONS");
    },
    lastAt: 0,
    stop: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const target = proxyTo ? new URL(proxyTo) : null;

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (ch) => chunks.push(ch));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const u = new URL(req.url, "http://x");
      const entry = {
        t: Date.now(),
        method: req.method,
        path: u.pathname,
        url: req.url,
        static: false,
        reqBytes: Buffer.byteLength(`${req.method} ${req.url} HTTP/1.1\r\n`) + headerBytes(req.rawHeaders) + body.length,
        bodyBytes: body.length,
        resBytes: 0,
        status: 0,
        text: "",
      };
      c.log.push(entry);
      c.lastAt = entry.t;
      const finish = (status, headers, payload) => {
        entry.status = status;
        const buf = Buffer.isBuffer(payload) ? payload : Buffer.from(payload ?? "");
        headers["Content-Length"] = String(buf.length);
        entry.resBytes = Buffer.byteLength(`HTTP/1.1 ${status} OK\r\n`) +
          Object.entries(headers).reduce((n, [k, v]) => n + Buffer.byteLength(`${k}: ${v}\r\n`), 2) + buf.length;
        if (entry.static && status === 200) entry.payload = decoded(buf, headers);
        if (!res.destroyed) res.writeHead(status, headers).end(buf);
      };

      const file = files[u.pathname];
      if (target && !(file && req.method === "GET")) {
        const isStatic = !u.pathname.startsWith("/api/");
        entry.static = isStatic;
        if (!isStatic && req.method !== "OPTIONS") entry.text = decodeBody(body, req.headers, req.url);
        const headers = { ...req.headers, host: target.host };
        delete headers.connection;
        const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (answer) => {
          const parts = [];
          answer.on("data", (p) => parts.push(p));
          answer.on("end", () => {
            const out = { ...answer.headers };
            delete out.connection;
            delete out["transfer-encoding"];
            delete out["content-length"];
            finish(answer.statusCode, out, Buffer.concat(parts));
          });
        });
        up.on("error", () => res.destroy());
        up.end(body);
        return;
      }

      if (req.method === "OPTIONS") return finish(204, corsHeaders(req), "");
      if (file && req.method === "GET") {
        entry.static = true;
        const etag = `"${file.body.length}-${file.hash ?? ""}"`;
        const h = { ...corsHeaders(req), "Content-Type": file.type, "Cache-Control": "public, max-age=3600", ETag: etag };
        if (req.headers["if-none-match"] === etag) return finish(304, h, "");
        return finish(200, h, file.body);
      }
      entry.text = decodeBody(body, req.headers, req.url);
      let answer;
      try {
        answer = route({ method: req.method, path: u.pathname, query: u.searchParams, body, text: entry.text, headers: req.headers });
      } catch (err) {
        answer = { status: 500, json: { error: String(err) } };
      }
      answer ??= { json: {} };
      const headers = { ...corsHeaders(req), ...(answer.headers ?? {}) };
      if (answer.json !== undefined) {
        headers["Content-Type"] = "application/json";
        return finish(answer.status ?? 200, headers, JSON.stringify(answer.json));
      }
      headers["Content-Type"] ??= "text/plain";
      return finish(answer.status ?? 200, headers, answer.body ?? "");
    });
  });
  server.keepAliveTimeout = 5000;
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  c.url = `http://127.0.0.1:${server.address().port}`;
  return c;
}
