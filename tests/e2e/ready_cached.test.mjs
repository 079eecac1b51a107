// Ready from the cached config (issue #13; docs/engine.md "Provisional config"): on a visit with a
// cached config, `ready` comes before the config request is answered; writes the cached copy
// accepts resolve at once but nothing is sent until the server's answer is in; a write of an
// attribute declared since (unknown to the cached copy) waits for that answer instead of failing.
// The config request is held in front of the real server (Playwright routing), then let through.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { api, eventually, RECORD_EVENTS, startStack, waitForEvents, waitForStored } from "./helpers/stack.mjs";

let stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

test("ready before the config answer on a cached visit; the answer decides what the cached copy could not", async () => {
  const tab = await stack.open();
  const batches = [];
  tab.context.on("request", (req) => {
    if (req.method() === "POST" && new URL(req.url()).pathname.startsWith("/api/v1/attributes/values")) batches.push(req.url());
  });
  const distinctId = "user-ready-cached";
  const url = stack.customerPage({
    name: "ready-cached",
    before: `${RECORD_EVENTS}\nattrkit.push(["do", "identify", [${JSON.stringify(distinctId)}]]);`,
  });

  // First visit: the config is fetched (200) and cached with its ETag.
  await tab.page.goto(url);
  await waitForEvents(tab.page, "ready", 1);

  // The workspace declares an attribute the cached copy does not know.
  const put = await api(stack.server, "PUT", "/api/v1/attributes/definitions/favourite_colour", {
    key: stack.server.secretKey,
    body: { key: "favourite_colour", type: "single_choice", options: ["teal", "red"] },
  });
  assert.equal(put.status, 200, JSON.stringify(put.body));

  // Second visit: every config request is held until the test lets it through.
  let release;
  const held = new Promise((r) => (release = r));
  let configRequests = 0;
  let answered = false;
  await tab.page.route("**/api/v1/sdk/config", async (route) => {
    configRequests++;
    await held;
    await route.continue();
    answered = true;
  });
  await tab.page.reload();
  const [ready] = await waitForEvents(tab.page, "ready", 1);
  assert.equal(answered, false, "ready came before the config request was answered");
  assert.ok(configRequests >= 1, "the config request is on its way (held)");
  assert.equal(ready.clientAttributeWrites, true);

  // Accepted by the cached copy: resolves at once, with the normalised value.
  const plan = await tab.page.evaluate(() => window.__push(["set", "user:attributes", [{ plan: "pro" }]]));
  assert.deepEqual(plan, { ok: true, value: { plan: "Pro" } });
  // Unknown to the cached copy: neither refused nor resolved while the answer is out.
  await tab.page.evaluate(() => {
    window.__colour = "pending";
    window.__push(["set", "user:attributes", [{ favourite_colour: "TEAL" }]]).then((r) => (window.__colour = r));
  });
  // Longer than the flush window (1 s): nothing is sent before the server's answer.
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await tab.page.evaluate(() => window.__colour), "pending");
  assert.equal(batches.length, 0, "nothing sent under the cached copy before the answer");
  assert.deepEqual(await tab.page.evaluate(() => window.__events.error), []);

  release();
  const colour = await eventually(() => tab.page.evaluate(() => (window.__colour === "pending" ? null : window.__colour)), {
    message: "the write the cached copy could not decide",
  });
  assert.deepEqual(colour, { ok: true, value: { favourite_colour: "teal" } });
  await waitForStored(stack, distinctId, { plan: "Pro", favourite_colour: "teal" });
  assert.deepEqual(await tab.page.evaluate(() => window.__events.error), []);
  await tab.page.unroute("**/api/v1/sdk/config");
  await tab.assertClean();
  await tab.close();
});
