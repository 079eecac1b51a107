// Everything a browser test needs, started once per test file:
//   - the real reference server (tests/js/helpers/server.mjs: port 0, temp database, demo
//     workspace) serving the built SDK at /sdk/ and web/ at /;
//   - a customer's site on another origin (page_server.mjs);
//   - one headless Chromium.
//
//   const stack = await startStack();
//   const url = stack.customerPage({ before: `attrkit.push([...]);`, body: "..." });
//   const tab = await stack.open();          // fresh context, probes installed
//   await tab.page.goto(url);
//   await stack.stop();
import { existsSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import path from "node:path";
import { api, repoRoot, startServer } from "../../js/helpers/server.mjs";
import { launchBrowser, openPage } from "./browser.mjs";
import { startPageServer } from "./page_server.mjs";

export { api, repoRoot };

/**
 * The folder holding the script-tag build (attrkit.js and its .wasm): $ATTRKIT_SDK_DIR, else the
 * SDK's build output js/dist (what `npm start` serves at /sdk/), else build/sdk.
 */
export function sdkDir() {
  const candidates = [process.env.ATTRKIT_SDK_DIR, path.join(repoRoot, "js/dist"), path.join(repoRoot, "build/sdk")];
  for (const dir of candidates) {
    if (dir && existsSync(path.join(dir, "attrkit.js"))) return dir;
  }
  throw new Error(
    `no built SDK: expected attrkit.js in js/dist or build/sdk (run: node js/build.mjs), or set ATTRKIT_SDK_DIR`,
  );
}

/**
 * The real loader snippet (js/src/snippet.js), loading the SDK from `sdkUrl`. The snippet's source
 * names its default SDK URL in one string literal ending in "/attrkit.js"; we swap in ours, so the
 * test pages run the shipped snippet's code and nothing of our own.
 */
export function realSnippet(sdkUrl) {
  const file = path.join(repoRoot, "js/src/snippet.js");
  const source = readFileSync(file, "utf8");
  const literal = /(["'])[^"'\n]*\/attrkit(?:\.min)?\.js\1/;
  if (!literal.test(source)) throw new Error(`${file}: no "…/attrkit.js" URL literal to point at the test server`);
  return source.replace(literal, () => JSON.stringify(sdkUrl));
}

export async function startStack({ serverOptions = {} } = {}) {
  const sdk = sdkDir();
  // --verbose: one stderr line per request, the server's own count of what reached it.
  const server = await startServer({ sdk, ...serverOptions, args: ["--verbose", ...(serverOptions.args ?? [])] });
  let site;
  let browser;
  try {
    site = await startPageServer();
    browser = await launchBrowser();
  } catch (err) {
    await site?.stop();
    await server.stop();
    throw err;
  }
  const sdkUrl = `${server.url}/sdk/attrkit.js`;
  const snippet = realSnippet(sdkUrl);
  const init = { publicKey: server.publicKey, apiHost: server.url };
  return {
    server,
    site,
    browser,
    sdkUrl,
    init,
    /**
     * A customer page: the real snippet inline in <head>, then `before` in the SAME script (so
     * its pushes run before the SDK can possibly have loaded), then the body.
     * `initFirst: false` leaves out the init command (the test pushes its own).
     */
    customerPage({ before = "", body = "", initFirst = true, csp, name } = {}) {
      const initLine = initFirst ? `attrkit.push(["do", "init", [${jsLiteral(init)}]]);\n` : "";
      const script = `\n${snippet}\n;window.__e2eLoadedBeforePushes = !!(window.attrkit && window.attrkit.analytics);\n${initLine}${before}\n`;
      const head = `<script>${script}</script>`;
      // csp may be a function of the inline script's CSP hash ('sha256-...').
      const hash = `'sha256-${createHash("sha256").update(script).digest("base64")}'`;
      return site.page({ head, body, csp: typeof csp === "function" ? csp(hash) : csp, name });
    },
    open: (options = {}) => openPage(browser, { apiUrl: server.url, ...options }),
    /** Every request the server answered so far: [{method, path, status}] (static files too). */
    serverRequests() {
      return server
        .output()
        .stderr.split("\n")
        .map((line) => /^(GET|POST|PUT|DELETE|OPTIONS|HEAD) (\S+) (\d{3})$/.exec(line))
        .filter(Boolean)
        .map(([, method, path, status]) => ({ method, path, status: Number(status) }));
    },
    /** What the server stored for a person (secret-key read). */
    async stored(distinctId) {
      const res = await api(server, "GET", `/api/v1/persons/${encodeURIComponent(distinctId)}/attributes`, {
        key: server.secretKey,
      });
      return res.status === 200 ? res.body.attributes : { $status: res.status, $body: res.body };
    },
    async stop() {
      await browser?.close().catch(() => {});
      await site?.stop();
      await server.stop();
    },
  };
}

/** A value as JavaScript source safe inside an inline <script> (no "</script>" can end it). */
export function jsLiteral(value) {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** Resolves when the SDK has loaded: it replays the snippet's array, then adds `analytics`. */
export async function waitForSdk(page, timeout = 15000) {
  await page.waitForFunction(() => Boolean(window.attrkit && window.attrkit.analytics), null, { timeout });
}

/**
 * Page code (a string for customerPage's `before`) that records every SDK event in
 * window.__events.{ready,identified,delivered,error}, through the push queue itself.
 */
export const RECORD_EVENTS = `
window.__plain = function (e) {
  // An AttrkitError's message is not enumerable: copy the documented fields by name.
  if (!(e instanceof Error)) return JSON.parse(JSON.stringify(e === undefined ? null : e));
  var copy = JSON.parse(JSON.stringify(e));
  copy.message = e.message; copy.name = e.name; copy.isError = true;
  return copy;
};
// push from the test: resolves with the result, its error made plain; records a rejection.
window.__push = function (cmd) {
  return window.attrkit.push(cmd).then(function (r) {
    return r && r.ok === false ? { ok: false, error: window.__plain(r.error) } : r;
  }, function (e) { return { rejected: window.__plain(e) }; });
};
window.__events = { ready: [], identified: [], delivered: [], error: [] };
Object.keys(window.__events).forEach(function (name) {
  attrkit.push(["on", name, [function (e) { window.__events[name].push(window.__plain(e)); }]]);
});
`;

/** Waits until the page recorded `count` events of a type (see RECORD_EVENTS); returns them. */
export async function waitForEvents(page, type, count, timeout = 15000) {
  await page.waitForFunction(
    ([t, n]) => (window.__events?.[t]?.length ?? 0) >= n,
    [type, count],
    { timeout },
  );
  return page.evaluate((t) => window.__events[t], type);
}

/** Polls `fn` until it returns a truthy value (a condition, never a fixed sleep). */
export async function eventually(fn, { timeout = 15000, interval = 50, message = "condition" } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > end) throw new Error(`timed out waiting for ${message}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Waits until the server stored, for distinctId, at least the given attributes (deep-equal). */
export async function waitForStored(stack, distinctId, expected, timeout = 15000) {
  const want = JSON.stringify(Object.entries(expected).sort());
  let stored;
  await eventually(
    async () => {
      stored = await stack.stored(distinctId);
      const got = Object.entries(expected).map(([k]) => [k, stored?.[k]]).sort();
      return JSON.stringify(got) === want;
    },
    { timeout, message: `stored ${JSON.stringify(expected)} for ${distinctId} (have ${JSON.stringify(stored)})` },
  ).catch((err) => {
    throw new Error(`${err.message}; server has ${JSON.stringify(stored)}`);
  });
  return stored;
}

// Every write a tab sent, flattened from its batch (and single-write) requests, in order.
// `through` names a write the test knows the server stored: the browser's request events can reach
// the test after the server has answered, so this waits until that write shows in the log (the
// outbox is FIFO: everything sent before it is then in the log too).
export async function sentWrites(tab, through) {
  const all = () =>
    tab
      .writeRequests()
      .flatMap((r) => (r.path.endsWith("/batch") ? JSON.parse(r.body).writes : [JSON.parse(r.body)]));
  await eventually(() => all().some(through), { message: "the stored write in the page's request log" });
  return all();
}
