// The three call shapes of DESIGN §2, each on a customer's page on another origin than the API:
// the push queue after load (every verb), the Promise API (window.attrkit.analytics, and the npm
// ESM build imported by a page), the user-context style; and the SDK under a strict CSP (§6).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { RECORD_EVENTS, jsLiteral, startStack, waitForEvents, waitForSdk, waitForStored } from "./helpers/stack.mjs";

let stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

async function loadedPage(name, extra = "", options = {}) {
  const tab = await stack.open();
  await tab.page.goto(stack.customerPage({ name, before: `${RECORD_EVENTS}\n${extra}`, ...options }));
  await waitForSdk(tab.page);
  await waitForEvents(tab.page, "ready", 1);
  return tab;
}

test("push queue after load: every verb, both option forms, refetchBoosted, get, on/off, reset", async () => {
  const tab = await loadedPage("verbs");
  const push = (cmd) => tab.page.evaluate((c) => window.__push(c), cmd);

  assert.deepEqual(await push(["do", "identify", ["user-verbs"]]), { ok: true, value: { distinctId: "user-verbs" } });
  assert.deepEqual(await push(["set", "user:name", ["Sam Taylor"]]), { ok: true, value: { name: "Sam Taylor" } });
  assert.deepEqual(await push(["set", "user:email", ["sam@example.com"]]), { ok: true, value: { email: "sam@example.com" } });
  assert.deepEqual(await push(["set", "user:language", ["fr"]]), { ok: true, value: { language: "fr" } });
  // Object options; values come back normalised (numeric text -> number, case -> declared spelling).
  assert.deepEqual(
    await push(["set", "user:attributes", [{ plan: "pro", team_size: "12", topics: "math" }, { refetchBoosted: false, removeUnspecified: false }]]),
    { ok: true, value: { plan: "Pro", team_size: 12, topics: ["math"] } },
  );
  // Positional options [obj, refetchBoosted, removeUnspecified]; refetchBoosted resolves once stored.
  const boosted = await push(["set", "user:attributes", [{ role: "ADMIN", signup_date: "2024-06-15T10:00:00+02:00" }, true, false]]);
  assert.deepEqual(boosted, { ok: true, value: { role: "admin", signup_date: "2024-06-15T08:00:00.000Z" } });
  // Resolved "as stored": the server has them now, no waiting needed.
  const stored = await stack.stored("user-verbs");
  assert.equal(stored.role, "admin");
  assert.equal(stored.signup_date, "2024-06-15T08:00:00.000Z");

  const view = await push(["get", "user:attributes", []]);
  assert.equal(view.ok, true);
  assert.deepEqual(
    Object.fromEntries(["plan", "team_size", "topics", "role", "name"].map((k) => [k, view.value[k]])),
    { plan: "Pro", team_size: 12, topics: ["math"], role: "admin", name: "Sam Taylor" },
  );

  // on/off: a listener removed with off hears nothing more; one still registered does.
  await tab.page.evaluate(async () => {
    window.__kept = [];
    window.__removed = [];
    window.__removedFn = (e) => window.__removed.push(e.attribute);
    await window.attrkit.push(["on", "delivered", [(e) => window.__kept.push(e.attribute)]]);
    await window.attrkit.push(["on", "delivered", [window.__removedFn]]);
    await window.attrkit.push(["off", "delivered", [window.__removedFn]]);
  });
  assert.deepEqual(await push(["set", "user:attributes", [{ hasInstalled: "true" }]]), { ok: true, value: { hasInstalled: true } });
  await tab.page.waitForFunction(() => window.__kept.includes("hasInstalled"));
  assert.deepEqual(await tab.page.evaluate(() => window.__removed), []);

  // removeUnspecified: true replaces the person's attributes on the server in one step.
  const replaced = await push(["set", "user:attributes", [{ plan: "Growth" }, { refetchBoosted: true, removeUnspecified: true }]]);
  assert.deepEqual(replaced, { ok: true, value: { plan: "Growth" } });
  assert.deepEqual(await stack.stored("user-verbs"), { plan: "Growth" });

  // reset forgets the identity: the view is empty, later writes are held for the next identify.
  assert.deepEqual(await push(["do", "reset", []]), { ok: true, value: null });
  assert.deepEqual(await push(["get", "user:attributes", []]), { ok: true, value: {} });
  assert.equal((await push(["set", "user:attributes", [{ role: "viewer" }]])).ok, true);
  await push(["do", "identify", ["user-verbs-2"]]);
  await waitForStored(stack, "user-verbs-2", { role: "viewer" });
  assert.equal((await stack.stored("user-verbs")).role, undefined, "the held write went to the next user only");

  assert.deepEqual(await tab.page.evaluate(() => window.__events.error), []);
  await tab.assertClean();
  await tab.close();
});

test("Promise API on window.attrkit.analytics, and the user-context style", async () => {
  const tab = await loadedPage("promise");
  const r = await tab.page.evaluate(async () => {
    const a = window.attrkit.analytics;
    const one = await a.setAttribute({ distinctId: "user-promise", attribute: "persona", value: "teacher" });
    const many = await a.setAttributes({ distinctId: "user-promise", attributes: { plan: "Enterprise", team_size: 250 } });
    const context = await window.attrkit.setAttribute("subscription_status", "Premium", { id: "user-promise" });
    const got = await a.getAttributes({ distinctId: "user-promise" });
    const cleared = await a.clearAttribute({ distinctId: "user-promise", attribute: "persona" });
    return { one, many, context, got, cleared };
  });
  assert.equal(r.one.attribute, "persona");
  assert.equal(r.one.value, "teacher");
  assert.match(r.one.personId, /^p_/);
  assert.equal(r.many.personId, r.one.personId);
  assert.deepEqual(r.many.attributes, { plan: "Enterprise", team_size: 250 });
  assert.deepEqual(r.context, { personId: r.one.personId, attribute: "subscription_status", value: "premium" });
  assert.equal(r.got.distinctId, "user-promise");
  assert.equal(r.got.attributes.plan, "Enterprise");
  assert.deepEqual(r.cleared, { personId: r.one.personId, attribute: "persona", value: null });
  assert.deepEqual(await stack.stored("user-promise"), { plan: "Enterprise", team_size: 250, subscription_status: "premium" });
  await tab.assertClean();
  await tab.close();
});

test("npm ESM build: a page imports attrkit.mjs from the API origin and uses createClient", async () => {
  const tab = await stack.open();
  const moduleUrl = `${stack.server.url}/sdk/attrkit.mjs`;
  const url = stack.site.page({
    name: "esm",
    head: `<script type="module">
import { createClient, AttrkitError } from ${jsLiteral(moduleUrl)};
window.__esm = (async () => {
  const client = await createClient(${jsLiteral(stack.init)});
  const stored = await client.analytics.setAttributes({ distinctId: "user-esm", attributes: { plan: "Starter", topics: ["art", "art", "math"] } });
  let refused;
  try { await client.analytics.setAttribute({ distinctId: "user-esm", attribute: "plan", value: "Platinum" }); }
  catch (e) { refused = { code: e.code, isAttrkitError: e instanceof AttrkitError }; }
  const pushed = await client.push(["do", "identify", ["user-esm"]]);
  let secret;
  try { await createClient({ publicKey: ${jsLiteral(stack.server.secretKey)}, apiHost: ${jsLiteral(stack.server.url)} }); }
  catch (e) { secret = e.code; }
  return { stored, refused, pushed, secret };
})().catch((e) => ({ failed: String(e && e.stack || e) }));
</script>`,
  });
  await tab.page.goto(url);
  await tab.page.waitForFunction(() => window.__esm);
  const r = await tab.page.evaluate(() => window.__esm);
  assert.equal(r.failed, undefined, r.failed);
  assert.deepEqual(r.stored.attributes, { plan: "Starter", topics: ["art", "math"] });
  assert.deepEqual(r.refused, { code: "attribute_value_invalid", isAttrkitError: true });
  assert.deepEqual(r.pushed, { ok: true, value: { distinctId: "user-esm" } });
  assert.equal(r.secret, "secret_key_in_browser");
  assert.deepEqual(await stack.stored("user-esm"), { plan: "Starter", topics: ["art", "math"] });
  await tab.assertClean();
  await tab.close();
});

test("under a strict CSP (no unsafe-eval, only wasm-unsafe-eval) the SDK loads and delivers", async () => {
  const api = new URL(stack.server.url).origin;
  const tab = await stack.open();
  await tab.page.goto(
    stack.customerPage({
      name: "csp",
      before: `${RECORD_EVENTS}\nattrkit.push(["do", "identify", ["user-csp"]]);\nattrkit.push(["set", "user:attributes", [{ plan: "Pro" }]]);`,
      csp: (hash) => `default-src 'none'; script-src ${hash} ${api} 'wasm-unsafe-eval'; connect-src ${api}; img-src data:`,
    }),
  );
  // A CSP violation is a console error (the probe's assertClean catches it) or a securitypolicyviolation.
  await waitForSdk(tab.page);
  await waitForEvents(tab.page, "ready", 1);
  await waitForStored(stack, "user-csp", { plan: "Pro" });
  await tab.assertClean();
  await tab.close();
});
