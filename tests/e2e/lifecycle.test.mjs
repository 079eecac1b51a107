// Page lifecycle on a customer's site (DESIGN §4, §5): writes made just before the visitor leaves
// are flushed with keepalive on pagehide; writes held before identify survive a reload.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { RECORD_EVENTS, eventually, startStack, waitForEvents, waitForSdk, waitForStored } from "./helpers/stack.mjs";

let stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

test("a write made right before leaving the page is flushed on pagehide", async () => {
  const tab = await stack.open();
  await tab.page.goto(stack.customerPage({ name: "leave", before: `${RECORD_EVENTS}\nattrkit.push(["do", "identify", ["user-leaving"]]);` }));
  await waitForSdk(tab.page);
  await waitForEvents(tab.page, "ready", 1);
  const result = await tab.page.evaluate(() => window.__push(["set", "user:attributes", [{ plan: "Enterprise" }]]));
  assert.deepEqual(result, { ok: true, value: { plan: "Enterprise" } });
  const batches = () => stack.serverRequests().filter((r) => r.method === "POST" && r.path.endsWith("/values/batch"));
  const sentBefore = batches().length;
  // Leave at once, inside the 1 s flush window, for a page without attrkit: only a flush on
  // pagehide can deliver the write now (a keepalive request, which Chromium sends after the
  // page is gone, so it is counted from the server's log rather than the page's).
  assert.equal(tab.writeRequests().length, 0, "not sent before leaving");
  await tab.page.goto(stack.site.page({ name: "elsewhere", body: "<p>another page</p>" }));
  await waitForStored(stack, "user-leaving", { plan: "Enterprise" });
  // The server logs a request after answering it, so its log line may trail the stored value.
  await eventually(() => batches().length > sentBefore, { message: "the batch request in the server's log" });
  await new Promise((r) => setTimeout(r, 300)); // a second request, were there one, would show by now
  assert.equal(batches().length, sentBefore + 1, "one batch request reached the server");
  await tab.assertClean();
  await tab.close();
});

test("writes held before identify survive a reload and go to the user identified after it", async () => {
  const tab = await stack.open();
  const url = stack.customerPage({ name: "reload", before: RECORD_EVENTS });
  await tab.page.goto(url);
  await waitForSdk(tab.page);
  await waitForEvents(tab.page, "ready", 1);
  const r = await tab.page.evaluate(() => window.__push(["set", "user:attributes", [{ role: "viewer", team_size: 3 }]]));
  assert.equal(r.ok, true);
  // Wait until the SDK persisted its state (the snapshot holds the two writes), then reload.
  await tab.page.waitForFunction(() =>
    Object.keys(localStorage).some((k) => {
      const v = localStorage.getItem(k);
      return v.includes('"team_size"') && v.includes('"viewer"');
    }),
  );
  const storedState = await tab.page.evaluate(() => Object.values(localStorage).join("\n"));
  assert.ok(!storedState.includes(stack.server.publicKey), "the key is never persisted");
  assert.equal(tab.writeRequests().length, 0, "nothing sent without an identity");
  await tab.page.reload();
  await waitForSdk(tab.page);
  await waitForEvents(tab.page, "ready", 1);
  const id = await tab.page.evaluate(() => window.__push(["do", "identify", ["user-after-reload"]]));
  assert.equal(id.ok, true);
  await waitForStored(stack, "user-after-reload", { role: "viewer", team_size: 3 });
  await tab.assertClean();
  await tab.close();
});
