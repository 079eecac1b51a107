// Failures a developer can see, in real Chromium through the real snippet (issue 11; docs/sdk.md
// "When delivery stops", "Consent and persistence", "Re-init", "Debug"): a wrong key or writes
// disabled settle every queued push; consent pending keeps storage empty (its getter untouched)
// and the network silent until granted; denied discards with one event; persistence "memory"
// never calls a (throwing) localStorage getter; a corrected init after a bad one stores a value;
// debug: true logs each kind of line. No page error, no console error, no unhandled rejection.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { storageOf } from "./helpers/persistence.mjs";
import { startRelayedStack } from "./helpers/relayed_stack.mjs";
import { api, eventually, jsLiteral, RECORD_EVENTS, waitForEvents, waitForSdk, waitForStored } from "./helpers/stack.mjs";

let stack;
let relay;
before(async () => ({ stack, relay } = await startRelayedStack()));
after(() => stack?.stop());

const UNKNOWN_KEY = `pk_live_${"u".repeat(32)}`;

// Counts every read of window.localStorage (the getter itself); `throws` makes it throw, as a
// browser that blocks storage does. Installed before any page script runs.
function storageProbe({ throws }) {
  return `(() => {
    const desc = Object.getOwnPropertyDescriptor(window, "localStorage");
    window.__lsReads = 0;
    Object.defineProperty(window, "localStorage", {
      configurable: true,
      get() {
        window.__lsReads++;
        ${throws ? 'throw new DOMException("blocked", "SecurityError");' : "return desc.get.call(window);"}
      },
    });
  })();`;
}

// A page whose init is `init` (pushed first), recording events; `before` runs before the SDK loads.
async function page(init, { before = "", probe } = {}) {
  // The browser's own lines for a 401/403 or a refused connection are not the SDK's.
  const tab = await stack.open({ allowConsoleError: (text) => /Failed to load resource|ERR_EMPTY_RESPONSE|ERR_CONNECTION/.test(text) });
  if (probe) await tab.page.addInitScript(probe);
  const initLine = init ? `attrkit.push(["do", "init", [${jsLiteral(init)}]]);\n` : "";
  await tab.page.goto(stack.customerPage({ initFirst: false, name: "failures", before: `${RECORD_EVENTS}\n${initLine}${before}` }));
  await waitForSdk(tab.page);
  return tab;
}

// Pushed once the SDK is loaded (a push before load returns no Promise): identify, then three
// writes; settled(tab) awaits their results.
const queue = (tab, id) =>
  tab.page.evaluate((distinctId) => {
    window.__queued = [
      window.__push(["do", "identify", [distinctId]]),
      window.__push(["set", "user:attributes", [{ plan: "Pro" }]]),
      window.__push(["set", "user:name", ["Sam Taylor"]]),
      window.__push(["set", "user:attributes", [{ team_size: 3 }, { refetchBoosted: true }]]),
    ];
  }, id);
const settled = (tab) => tab.page.evaluate(() => Promise.all(window.__queued));
// Holds the config request at the relay until the returned function is called, so writes pushed
// after load are queued behind it.
function holdConfig() {
  let release;
  const gate = new Promise((r) => (release = r));
  relay.rule = (e) => (e.method === "GET" && e.path.startsWith("/api/v1/sdk/config") ? { hold: gate } : undefined);
  return () => {
    relay.rule = () => undefined;
    release();
  };
}
// Written before the SDK loaded: no Promise to await; an error event tells their fate.
const PRELOAD = `attrkit.push(["do", "identify", ["user-e2e-preload"]]);
attrkit.push(["set", "user:attributes", [{ role: "admin" }]]);`;
const warnings = (tab) => tab.consoleLines.filter((l) => l.startsWith("warning: attrkit:"));

test("a wrong pk_ key: every queued push resolves {ok: false, invalid_key} within seconds; one warning", async () => {
  const release = holdConfig();
  const seen = relay.log.length;
  const tab = await page({ publicKey: UNKNOWN_KEY, apiHost: relay.url }, { before: PRELOAD });
  await queue(tab, "user-e2e-401");
  assert.equal((await tab.page.evaluate(() => window.attrkit.inspect())).pending.length, 4, "queued behind the config");
  release();
  const started = Date.now();
  const results = await settled(tab);
  assert.ok(Date.now() - started < 5000);
  assert.equal(results[0].ok, true, "identify is not a write");
  for (const r of results.slice(1)) {
    assert.equal(r.ok, false, JSON.stringify(r));
    assert.equal(r.error.code, "invalid_key");
    assert.equal(r.error.status, 401);
  }
  const later = await tab.page.evaluate(() => window.__push(["set", "user:attributes", [{ plan: "Free" }]]));
  assert.equal(later.error.code, "invalid_key");
  const rejected = await tab.page.evaluate(() =>
    window.attrkit.analytics.setAttribute({ distinctId: "u", attribute: "plan", value: "Pro" }).then(() => null, (e) => e.code));
  assert.equal(rejected, "invalid_key");
  const [event] = await waitForEvents(tab.page, "error", 1);
  assert.equal(event.code, "invalid_key");
  assert.equal(event.writeIds.length, 4, "the pre-load write and the three queued ones, one event");
  const traffic = relay.log.slice(seen).filter((e) => e.method !== "OPTIONS");
  assert.deepEqual(traffic.map((e) => `${e.method} ${e.path}`), ["GET /api/v1/sdk/config"], "one config request, no write");
  assert.equal(warnings(tab).length, 1, tab.consoleLines.join("\n"));
  await tab.assertClean();
  await tab.close();
});

test("writes disabled: every queued push resolves {ok: false, client_attribute_writes_disabled}", async () => {
  const off = await api(stack.server, "PUT", "/api/v1/workspace/settings", { key: stack.server.secretKey, body: { clientAttributeWrites: false } });
  assert.equal(off.status, 200);
  try {
    const release = holdConfig();
    const seen = relay.log.length;
    const tab = await page({ publicKey: stack.server.publicKey, apiHost: relay.url }, { before: PRELOAD });
    await queue(tab, "user-e2e-403");
    release();
    const results = await settled(tab);
    const [event] = await waitForEvents(tab.page, "error", 1);
    assert.equal(event.code, "client_attribute_writes_disabled");
    for (const r of results.slice(1)) {
      assert.equal(r.error.code, "client_attribute_writes_disabled");
      assert.equal(r.error.status, 403);
    }
    assert.deepEqual(relay.log.slice(seen).filter((e) => e.writes), [], "no write request");
    assert.equal(warnings(tab).length, 1, tab.consoleLines.join("\n"));
    await tab.assertClean();
    await tab.close();
  } finally {
    await api(stack.server, "PUT", "/api/v1/workspace/settings", { key: stack.server.secretKey, body: { clientAttributeWrites: true } });
  }
});

test("consent pending: storage untouched and no request until granted; then the held writes arrive once", async () => {
  const tab = await page({ ...stack.init, consent: "pending" }, { probe: storageProbe({ throws: false }) });
  await queue(tab, "user-e2e-consent");
  await tab.page.evaluate(() => new Promise((r) => setTimeout(r, 1500))); // past a flush window
  assert.equal(await tab.page.evaluate(() => window.__lsReads), 0, "the localStorage getter was never called");
  assert.deepEqual(tab.apiRequests, [], "no request left the page");
  assert.equal((await tab.page.evaluate(() => window.attrkit.inspect())).pending.length, 3);
  assert.deepEqual(await storageOf(tab.page), {}, "localStorage is empty");

  assert.deepEqual(await tab.page.evaluate(() => window.__push(["do", "consent", ["granted"]])), { ok: true, value: null });
  const results = await settled(tab);
  assert.deepEqual(results.map((r) => r.ok), [true, true, true, true]);
  await waitForStored(stack, "user-e2e-consent", { plan: "Pro", name: "Sam Taylor", team_size: 3 });
  const sent = tab.writeRequests().flatMap((r) => JSON.parse(r.body).writes).filter((w) => w.distinctId === "user-e2e-consent");
  assert.deepEqual(sent.map((w) => w.attribute).sort(), ["name", "plan", "team_size"], "each held write sent once");
  const storage = await eventually(async () => {
    const s = await storageOf(tab.page);
    return s["attrkit:v1:client"] ? s : null;
  }, { message: "the client id stored once granted" });
  assert.match(storage["attrkit:v1:client"], /^[a-z0-9]{16}$/);
  assert.equal(sent[0].clientId, storage["attrkit:v1:client"], "the in-memory id became the install's id");
  await tab.assertClean();
  await tab.close();
});

test("consent denied: the held writes are discarded with one consent_denied event; nothing stored or sent", async () => {
  const tab = await page({ ...stack.init, consent: "pending" }, { probe: storageProbe({ throws: false }) });
  await queue(tab, "user-e2e-denied");
  assert.deepEqual(await tab.page.evaluate(() => window.__push(["do", "consent", ["denied"]])), { ok: true, value: null });
  const results = await settled(tab);
  for (const r of results.slice(1)) assert.equal(r.error.code, "consent_denied");
  const errors = await waitForEvents(tab.page, "error", 1);
  await tab.page.evaluate(() => new Promise((r) => setTimeout(r, 1200)));
  const all = await tab.page.evaluate(() => window.__events.error);
  assert.equal(all.length, 1, JSON.stringify(all));
  assert.equal(errors[0].code, "consent_denied");
  assert.equal(errors[0].writeIds.length, 3);
  assert.equal(await tab.page.evaluate(() => window.__lsReads), 0);
  assert.deepEqual(tab.apiRequests, []);
  assert.deepEqual(await storageOf(tab.page), {});
  assert.equal(warnings(tab).length, 1, tab.consoleLines.join("\n"));
  await tab.assertClean();
  await tab.close();
});

test("consent denied after it was granted: this page's stored state and the client id are removed", async () => {
  const tab = await page(stack.init);
  await queue(tab, "user-e2e-revoked");
  await settled(tab);
  await waitForStored(stack, "user-e2e-revoked", { plan: "Pro" });
  await eventually(async () => Object.keys(await storageOf(tab.page)).some((k) => k.startsWith("attrkit:v1:s:")),
    { message: "a stored state" });
  await tab.page.evaluate(() => window.__push(["do", "consent", ["denied"]]));
  await tab.page.evaluate(() => window.__push(["do", "identify", ["user-e2e-revoked-2"]]));
  await tab.page.evaluate(() => new Promise((r) => setTimeout(r, 600))); // past the save debounce
  const keys = Object.keys(await storageOf(tab.page));
  assert.deepEqual(keys.filter((k) => k === "attrkit:v1:client" || k.startsWith("attrkit:v1:s:")), [], keys.join(", "));
  await tab.assertClean();
  await tab.close();
});

test('persistence "memory": a throwing localStorage getter is never called, and writes are delivered', async () => {
  const tab = await page({ ...stack.init, persistence: "memory" }, { probe: storageProbe({ throws: true }) });
  await queue(tab, "user-e2e-memory");
  const results = await settled(tab);
  assert.deepEqual(results.map((r) => r.ok), [true, true, true, true]);
  await waitForStored(stack, "user-e2e-memory", { plan: "Pro", team_size: 3 });
  await tab.page.evaluate(() => window.__push(["set", "user:attributes", [{ role: "admin" }, true]]));
  assert.equal(await tab.page.evaluate(() => window.__lsReads), 0, "never touched");
  assert.deepEqual(warnings(tab), [], "no storage warning: storage was never tried");
  await tab.assertClean();
  await tab.close();
});

test("a corrected init after a bad one stores a value; an sk_ key stops the page for good", async () => {
  const tab = await page({ publicKey: "pk_live_typo", apiHost: stack.server.url }, {
    before: `attrkit.push(["do", "identify", ["user-e2e-reinit"]]);
attrkit.push(["set", "user:attributes", [{ role: "admin" }]]);`,
  });
  const [initError] = await waitForEvents(tab.page, "error", 1);
  assert.equal(initError.code, "invalid_key");
  const bad = await tab.page.evaluate((o) => window.__push(["do", "init", [o]]), { publicKey: stack.server.publicKey, apiHost: "http://api.example.com" });
  assert.equal(bad.error.code, "invalid_api_host");
  const held = tab.page.evaluate(() => window.__push(["set", "user:attributes", [{ plan: "Growth" }, true]]));
  assert.deepEqual(await tab.page.evaluate((o) => window.__push(["do", "init", [o]]), stack.init), { ok: true, value: null });
  assert.deepEqual(await held, { ok: true, value: { plan: "Growth" } });
  await waitForStored(stack, "user-e2e-reinit", { plan: "Growth", role: "admin" });
  await tab.assertClean();
  await tab.close();

  const sk = await page({ publicKey: stack.server.secretKey, apiHost: stack.server.url });
  const again = await sk.page.evaluate((init) => window.__push(["do", "init", [init]]), stack.init);
  assert.equal(again.error.code, "secret_key_in_browser");
  assert.deepEqual(sk.apiRequests, []);
  await sk.close();
});

test("debug: true logs commands, failures with their message, batches, responses, retries and stops", async () => {
  let refused = 0;
  // Twice: Chromium resends a request once by itself when a reused connection closes unanswered.
  relay.rule = (e) => (e.method === "POST" && e.path.endsWith("/batch") && refused++ < 2 ? { refuse: true } : undefined);
  try {
    const tab = await page({ publicKey: stack.server.publicKey, apiHost: relay.url, debug: true }, {
      before: `attrkit.push(["do", "identify", ["user-e2e-debug"]]);
attrkit.push(["set", "user:attributes", [{ plan: "Platinum" }]]);`,
    });
    assert.deepEqual(await tab.page.evaluate(() => window.__push(["set", "user:attributes", [{ plan: "Pro" }, true]])), { ok: true, value: { plan: "Pro" } });
    await api(stack.server, "PUT", "/api/v1/workspace/settings", { key: stack.server.secretKey, body: { clientAttributeWrites: false } });
    const stopped = await tab.page.evaluate(() => window.__push(["set", "user:attributes", [{ plan: "Free" }, true]]));
    assert.equal(stopped.error.code, "client_attribute_writes_disabled");
    const lines = tab.consoleLines;
    const has = (re, what) => assert.ok(lines.some((l) => re.test(l)), `${what}: ${re}\n${lines.join("\n")}`);
    has(/^debug: \[attrkit\] command \["do","identify"/, "a command");
    has(/^warning: \[attrkit\] .*attribute_value_invalid: plan: \S/, "a validation failure with its message");
    has(/^debug: \[attrkit\] batch \S+: 1 write\(s\), \d+ B, attempt 1/, "a batch cut");
    has(/^warning: \[attrkit\] batch \S+: retry, next try in \d+ ms/, "a retry with its delay");
    has(/^debug: \[attrkit\] batch \S+ response: 200/, "a response");
    has(/^info: \[attrkit\] batch \S+: delivered/, "an outcome");
    has(/^warning: \[attrkit\] batch \S+: delivery stopped for this page \(client_attribute_writes_disabled\)/, "a stop");
    await tab.assertClean();
    await tab.close();
  } finally {
    relay.rule = () => undefined;
    await api(stack.server, "PUT", "/api/v1/workspace/settings", { key: stack.server.secretKey, body: { clientAttributeWrites: true } });
  }
});
