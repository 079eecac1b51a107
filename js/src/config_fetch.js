// The workspace config request (DESIGN §3, GET /api/v1/sdk/config) and its ETag cache. The cache
// is keyed by host and a hash of the key, never the key itself; on 304, or while the server is
// unreachable, the cached copy is used. Which failures retry, and after how long, is the core's
// retry policy (DESIGN §5, core/retry.h): this only waits and asks again.
import { toError } from "./errors.js";
import { CONFIG_KEY, hash } from "./ids.js";
import { own, stringify } from "./own.js";
import { readJson } from "./storage.js";
import { request } from "./transport.js";

/**
 * Fetches the config for `options` ({publicKey, apiHost}) until one is applied or the failure is
 * final. `apply(config, provisional)` hands a config to the engine (true when it took it;
 * provisional: the cached copy, before the server answered); `attempted()` says
 * the first request finished, whatever its outcome; `fail(error, forGood)` reports a failure that
 * will not be retried (forGood), or `maxTries` requests in a row that were not answered (the
 * writes waiting for the config settle; the requests go on); `closed()` stops it; `log` is the
 * debug console (log.js). `early` (early_config.js), when given, is a request started before the
 * core loaded: its answer stands for the first request only if it asked for exactly these
 * options with the same cached ETag; otherwise it is discarded.
 */
export async function fetchConfig(options, { core, storage, timeoutMs, maxTries, log, closed, apply, attempted, fail, early }) {
  const id = `${options.apiHost} ${hash(options.publicKey)}`; // never the key itself
  const cached = readJson(storage.get(CONFIG_KEY));
  const cache = cached && cached.id === id && cached.config ? cached : null;
  const same = early && early.publicKey === options.publicKey && early.apiHost === options.apiHost &&
    early.etag === own(cache, "etag");
  // The cached copy stands in until the server answers: `ready` need not wait for the network.
  if (cache) apply(cache.config, true);
  for (let tries = 1; !closed(); tries++) {
    log.debug("config request", { attempt: tries, cached: !!cache, early: tries === 1 && same });
    const r = tries === 1 && same ? await early.response : await request("GET", `${options.apiHost}/api/v1/sdk/config`,
      options.publicKey, { etag: own(cache, "etag"), timeoutMs });
    if (closed()) return;
    log.debug("config response", r.status ?? (r.timeout ? "timeout" : r.offline ? "offline" : "network error"));
    if (r.status === 200) {
      if (!apply(r.body)) return void fail(toError({ code: "invalid_config", status: 200, message: "attrkit: the config does not parse" }), true);
      if (r.etag) storage.set(CONFIG_KEY, stringify({ id, etag: r.etag, config: r.body }));
      return;
    }
    if (r.status === 304 && cache) return void apply(cache.config);
    const advice = core.retryAdvice({ ...r, jitter: Math.random() }, tries);
    if (advice.delayMs === undefined) {
      // 401 invalid_key and the like: nothing can ever be sent from this page.
      return void fail(toError(own(r.body, "error") ?? { code: advice.code, status: r.status }), true);
    }
    if (tries === 1 && cache) apply(cache.config); // unreachable: validate against the last known
    else if (tries % maxTries === 0) {
      fail(toError({ code: "delivery_failed", status: 0, message: `attrkit: the config could not be fetched (${tries} tries)` }), false);
    }
    attempted();
    log.info(`config retry in ${advice.delayMs} ms`);
    await new Promise((res) => setTimeout(res, advice.delayMs));
  }
}
