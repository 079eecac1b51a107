// The workspace config is cached with its ETag (DESIGN §3; issue 4): a reload revalidates with
// If-None-Match and gets 304, writes validated against the cached copy still go; a changed
// workspace answers 200 and the new definitions apply at once (no stale refusal).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { api, eventually, startStack, waitForSdk, waitForStored } from "./helpers/stack.mjs";

let stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

test("config: ETag cached, revalidated on reload (304), refreshed when the workspace changes", async () => {
  const tab = await stack.open();
  const configRequests = []; // {ifNoneMatch} per GET /api/v1/sdk/config the page made
  tab.context.on("request", (req) => {
    if (req.method() === "GET" && new URL(req.url()).pathname === "/api/v1/sdk/config") {
      configRequests.push({ ifNoneMatch: req.headers()["if-none-match"] ?? null });
    }
  });
  const etags = []; // the ETag of each 200 config response the page received
  tab.context.on("response", (res) => {
    if (new URL(res.url()).pathname === "/api/v1/sdk/config" && res.status() === 200) etags.push(res.headers()["etag"]);
  });
  const configStatuses = () =>
    stack.serverRequests().filter((r) => r.method === "GET" && r.path === "/api/v1/sdk/config").map((r) => r.status);
  const url = stack.customerPage({ name: "config-cache", before: `attrkit.push(["do", "identify", ["user-config-cache"]]);` });

  await tab.page.goto(url);
  await waitForSdk(tab.page);
  await eventually(() => configStatuses().length === 1, { message: "the first config request" });
  assert.deepEqual(configStatuses(), [200]);
  assert.equal(configRequests[0].ifNoneMatch, null, "nothing cached on the first visit");
  await eventually(() => etags.length === 1, { message: "the first config response" });
  assert.match(etags[0], /^".+"$/, "the config carries an ETag");

  // Reload: the SDK sends the cached ETag, the server answers 304, the cached config validates.
  await tab.page.reload();
  await waitForSdk(tab.page);
  await eventually(() => configStatuses().length === 2, { message: "the revalidation" });
  assert.deepEqual(configStatuses(), [200, 304]);
  assert.ok(configRequests[1].ifNoneMatch, "the reload revalidates with If-None-Match");
  assert.equal(configRequests[1].ifNoneMatch, etags[0]);
  const bad = await tab.page.evaluate(() =>
    window.attrkit.push(["set", "user:attributes", [{ team_size: 1.5 }]]).then((r) => ({ ok: r.ok, code: r.error?.code })),
  );
  assert.deepEqual(bad, { ok: false, code: "attribute_value_invalid" }, "validated against the cached definitions");
  const good = await tab.page.evaluate(() => window.attrkit.push(["set", "user:attributes", [{ plan: "pro" }]]));
  assert.deepEqual(good, { ok: true, value: { plan: "Pro" } });
  await waitForStored(stack, "user-config-cache", { plan: "Pro" });

  // The workspace declares a new attribute: the next load gets 200 and accepts it at once.
  const put = await api(stack.server, "PUT", "/api/v1/attributes/definitions/favourite_colour", {
    key: stack.server.secretKey,
    body: { key: "favourite_colour", type: "single_choice", options: ["teal", "red"] },
  });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  await tab.page.reload();
  await waitForSdk(tab.page);
  await eventually(() => configStatuses().length === 3, { message: "the refreshed config" });
  assert.deepEqual(configStatuses(), [200, 304, 200]);
  assert.equal(configRequests[2].ifNoneMatch, configRequests[1].ifNoneMatch, "sent the old ETag");
  const fresh = await tab.page.evaluate(() =>
    window.attrkit.push(["set", "user:attributes", [{ favourite_colour: "TEAL" }]]),
  );
  assert.deepEqual(fresh, { ok: true, value: { favourite_colour: "teal" } });
  await waitForStored(stack, "user-config-cache", { plan: "Pro", favourite_colour: "teal" });
  await tab.assertClean();
  await tab.close();
});
