// HTTP for the runtime: one JSON request with the key as a bearer token, an abort timeout, and
// an outcome the core understands ({status, body, retryAfter} | {network} | {timeout} |
// {offline}). Never throws. fetch is looked up at call time (the page may wrap it).

export async function request(method, url, key, { body, etag, timeoutMs, keepalive } = {}) {
  if (globalThis.navigator?.onLine === false) return { offline: true };
  const headers = { Authorization: `Bearer ${key}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (etag) headers["If-None-Match"] = etag;
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, timeoutMs);
  try {
    const res = await globalThis.fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: abort.signal,
      keepalive: !!keepalive,
      credentials: "omit",
    });
    const text = await res.text();
    let parsed = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {}
    const out = { status: res.status, body: parsed, etag: res.headers.get("ETag") };
    const ra = retryAfter(res.headers.get("Retry-After"));
    if (ra !== undefined) out.retryAfter = ra;
    return out;
  } catch {
    return timedOut ? { timeout: true } : { network: true };
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
