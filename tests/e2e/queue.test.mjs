// The push queue on a customer's page (DESIGN §2a, §4): commands pushed before the SDK has loaded,
// through the real snippet, on another origin than the API, replayed in order once it loads.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { RECORD_EVENTS, startStack, waitForEvents, waitForSdk, waitForStored, sentWrites } from "./helpers/stack.mjs";

let stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

test("Jimo's back-to-back order before load: identify, then attributes without waiting", async () => {
  const tab = await stack.open();
  const url = stack.customerPage({
    name: "jimo",
    before: `${RECORD_EVENTS}
window.__callback = [];
attrkit.push(["do", "identify", ["user-123456", function () { window.__callback.push(window.attrkit.analytics ? "sdk" : "array"); }]]);
attrkit.push(["set", "user:name", ["Sam Taylor"]]);
attrkit.push(["set", "user:email", ["sam@example.com"]]);
attrkit.push(["set", "user:language", ["fr"]]);
attrkit.push(["set", "user:attributes", [{ plan: "Pro", role: "admin", signup_date: "2024-06-15" }, { refetchBoosted: false, removeUnspecified: false }]]);
window.__stillArrayAfterPushes = !window.attrkit.analytics;`,
  });
  await tab.page.goto(url);
  assert.notEqual(new URL(tab.page.url()).origin, new URL(stack.server.url).origin, "the page is on another origin than the API");
  assert.equal(await tab.page.evaluate(() => window.__e2eLoadedBeforePushes), false, "the SDK had not loaded when the page pushed");
  assert.equal(await tab.page.evaluate(() => window.__stillArrayAfterPushes), true, "all of it went to the snippet's queue");
  await waitForSdk(tab.page);
  await waitForEvents(tab.page, "ready", 1);
  const stored = await waitForStored(stack, "user-123456", {
    name: "Sam Taylor",
    email: "sam@example.com",
    language: "fr",
    plan: "Pro",
    role: "admin",
    signup_date: "2024-06-15",
  });
  assert.equal(Object.keys(stored).length, 6, `nothing else stored: ${JSON.stringify(stored)}`);
  assert.equal((await tab.page.evaluate(() => window.__callback)).length, 1, "the identify callback ran once");
  const identified = await waitForEvents(tab.page, "identified", 1);
  assert.equal(identified[0].distinctId, "user-123456");
  // Every write went to the identified person, in the order pushed.
  const writes = await sentWrites(tab, (w) => w.attribute === "signup_date");
  assert.ok(writes.length >= 6, `sent ${writes.length} writes`);
  assert.ok(writes.every((w) => w.distinctId === "user-123456"), "no write without the distinct id");
  assert.deepEqual(
    writes.map((w) => w.attribute).filter((a, i, all) => all.indexOf(a) === i),
    ["name", "email", "language", "plan", "role", "signup_date"],
    "sent in push order (attributes of one command in key order)",
  );
  assert.deepEqual(await tab.page.evaluate(() => window.__events.error), []);
  await tab.assertClean();
  await tab.close();
});

test("attributes pushed before identify are held, then attached to the identified user", async () => {
  const tab = await stack.open();
  const url = stack.customerPage({
    name: "held",
    before: `${RECORD_EVENTS}
attrkit.push(["set", "user:attributes", [{ plan: "Growth", team_size: 40 }]]);
attrkit.push(["set", "user:attributes", [{ topics: ["math", "art"] }]]);`,
  });
  await tab.page.goto(url);
  assert.equal(await tab.page.evaluate(() => window.__e2eLoadedBeforePushes), false);
  await waitForSdk(tab.page);
  await waitForEvents(tab.page, "ready", 1);
  // Loaded and configured, no identity: the writes wait in the page, none is sent anonymously.
  const view = await tab.page.evaluate(() => window.attrkit.push(["get", "user:attributes", []]));
  assert.deepEqual(view, { ok: true, value: { plan: "Growth", team_size: 40, topics: ["math", "art"] } });
  assert.equal(tab.writeRequests().length, 0, "nothing sent before identify");

  const identify = await tab.page.evaluate(() => window.attrkit.push(["do", "identify", ["user-held-1"]]));
  assert.deepEqual(identify, { ok: true, value: { distinctId: "user-held-1" } });
  await waitForStored(stack, "user-held-1", { plan: "Growth", team_size: 40, topics: ["math", "art"] });
  assert.ok((await sentWrites(tab, (w) => w.attribute === "topics")).every((w) => w.distinctId === "user-held-1"));
  await tab.assertClean();
  await tab.close();
});

test("pushed before load: a write before identify, a user switch, a reset; each write goes to its user", async () => {
  const tab = await stack.open();
  const url = stack.customerPage({
    name: "switch",
    before: `${RECORD_EVENTS}
attrkit.push(["set", "user:attributes", [{ role: "viewer" }]]);
attrkit.push(["do", "identify", ["user-a"]]);
attrkit.push(["set", "user:attributes", [{ plan: "Starter" }]]);
attrkit.push(["do", "identify", ["user-b"]]);
attrkit.push(["set", "user:attributes", [{ plan: "Enterprise" }]]);
attrkit.push(["do", "reset", []]);
attrkit.push(["set", "user:attributes", [{ role: "member" }]]);
attrkit.push(["do", "identify", ["user-c"]]);`,
  });
  await tab.page.goto(url);
  await waitForSdk(tab.page);
  await waitForStored(stack, "user-a", { role: "viewer", plan: "Starter" });
  await waitForStored(stack, "user-b", { plan: "Enterprise" });
  await waitForStored(stack, "user-c", { role: "member" });
  assert.equal((await stack.stored("user-b")).role, undefined, "user-b never got a role");
  assert.equal((await stack.stored("user-c")).plan, undefined, "user-c never got a plan");
  await tab.assertClean();
  await tab.close();
});
