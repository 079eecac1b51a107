// HTTP for the runtime: one JSON request with the key as a bearer token, an abort timeout, and
// an outcome the core understands ({status, body, retryAfter} | {network} | {timeout} |
// {offline}). Never throws. fetch is looked up at call time (the page may wrap it). Its init and
// headers have no prototype (platform.js).
import { own, stringify } from "./own.js";
import { fetchInit } from "./platform.js";

// `opts` ({body, etag, timeoutMs, keepalive}) is read by own property, and every outcome has no
// prototype: an inherited Object.prototype.body / .status must not become a request body or an
// answer (DESIGN §6).
export async function request(method, url, key, opts) {
  const [body, etag, timeoutMs, keepalive] = ["body", "etag", "timeoutMs", "keepalive"].map((k) => own(opts, k));
  if (globalThis.navigator?.onLine === false) return { __proto__: null, offline: true };
  const headers = fetchInit({ Authorization: `Bearer ${key}` });
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (etag) headers["If-None-Match"] = etag;
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, timeoutMs);
  try {
    const res = await globalThis.fetch(url, fetchInit({
      method,
      headers,
      body: body === undefined ? undefined : stringify(body),
      signal: abort.signal,
      keepalive: !!keepalive,
      credentials: "omit",
    }));
    const text = await res.text();
    let parsed = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {}
    const out = { __proto__: null, status: res.status, body: parsed, etag: res.headers.get("ETag") };
    const ra = retryAfter(res.headers.get("Retry-After"));
    if (ra !== undefined) out.retryAfter = ra;
    return out;
  } catch {
    return timedOut ? { __proto__: null, timeout: true } : { __proto__: null, network: true };
  } finally {
    clearTimeout(timer);
  }
}

// Seconds, from either form of the header (delta-seconds or an HTTP date).
function retryAfter(h) {
  if (!h) return undefined;
  if (/^\s*\d+\s*$/.test(h)) return Number(h);
  const at = Date.parse(h);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - Date.now()) / 1000);
}
