// Errors on a customer's page (DESIGN §2a, §3, §6): a value the definitions refuse reaches the
// `error` listeners and the push's Promise with the server's code, and nothing is sent; a
// secret key refuses to start; values are data. No page error, no unhandled rejection anywhere.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { RECORD_EVENTS, jsLiteral, startStack, waitForEvents, waitForSdk, waitForStored, sentWrites } from "./helpers/stack.mjs";

let stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

async function identifiedPage(distinctId, extra = "") {
  const tab = await stack.open();
  await tab.page.goto(
    stack.customerPage({ name: "errors", before: `${RECORD_EVENTS}\nattrkit.push(["do", "identify", [${jsLiteral(distinctId)}]]);\n${extra}` }),
  );
  await waitForSdk(tab.page);
  await waitForEvents(tab.page, "ready", 1);
  return tab;
}

// [command, code, attribute named by the error (or null), the core's message (DESIGN §2b; null:
// not a validation rule)]
const REFUSED = [
  [["set", "user:attributes", [{ team_size: 1.5 }]], "attribute_value_invalid", "team_size", "team_size: 1.5 is not a whole number"],
  [["set", "user:attributes", [{ team_size: 0 }]], "attribute_value_invalid", "team_size", "team_size: 0 is below the minimum 1"],
  [["set", "user:attributes", [{ plan: "Platinum" }]], "attribute_value_invalid", "plan", 'plan: "Platinum" is not one of Free, Starter, Pro, Growth, Enterprise'],
  [["set", "user:attributes", [{ signup_date: "2024-02-30" }]], "attribute_value_invalid", "signup_date", 'signup_date: "2024-02-30" is not a real date'],
  [["set", "user:attributes", [{ favourite_colour: "teal" }]], "attribute_not_defined", "favourite_colour", '"favourite_colour" is not a declared attribute'],
  [["set", "user:attributes", [{ legacy_segment: "x" }]], "attribute_archived", "legacy_segment", "legacy_segment: the attribute is archived"],
  [["set", "user:name", ["n".repeat(701)]], "attribute_value_too_long", "name", "name: 701 characters, the maximum is 700"],
  [["set", "user:email", ["not an address"]], "attribute_value_invalid", "email", 'email: "not an address" is not an email address'],
  // all-or-nothing: the valid plan of a command with a bad team_size is not written either
  [["set", "user:attributes", [{ plan: "Pro", team_size: "twelve" }]], "attribute_value_invalid", "team_size", 'team_size: expected a number, got "twelve"'],
  [["set", "user:attributes", [{ plan: "Pro" }, { removeUnspecfied: true }]], "invalid_command", null, null],
  [["fly", "away", []], "invalid_command", null, null],
  [["set"], "invalid_command", null, null],
  [["do", "identify", ["anonymous"]], "distinct_id_invalid", null, 'distinctId: "anonymous" is a placeholder, not a user id'],
];

test("a refused value reaches on('error') and the Promise with its code, and nothing is sent", async () => {
  const tab = await identifiedPage("user-errors");
  for (const [i, [cmd, code, attribute, message]] of REFUSED.entries()) {
    const result = await tab.page.evaluate((c) => window.__push(c), cmd);
    assert.equal(result.ok, false, `${JSON.stringify(cmd)}: ${JSON.stringify(result)}`);
    assert.equal(result.error.code, code, JSON.stringify(cmd));
    assert.equal(result.error.isError, true, "the error is an AttrkitError");
    assert.equal(result.error.name, "AttrkitError");
    if (attribute) assert.equal(result.error.attribute, attribute, JSON.stringify(cmd));
    if (message) assert.equal(result.error.message, message, JSON.stringify(cmd));
    const events = await waitForEvents(tab.page, "error", i + 1);
    assert.equal(events.length, i + 1, `exactly one error event per refused command (${JSON.stringify(cmd)})`);
    assert.equal(events[i].code, code);
    if (message) assert.equal(events[i].message, message, "the error event carries the same message");
  }
  // A valid write after them: once it is stored, everything queued before it has been sent
  // (the outbox is FIFO), so the refused writes would be in the requests if they had been queued.
  const ok = await tab.page.evaluate(() => window.__push(["set", "user:attributes", [{ role: "member" }]]));
  assert.deepEqual(ok, { ok: true, value: { role: "member" } });
  const stored = await waitForStored(stack, "user-errors", { role: "member" });
  assert.deepEqual(stored, { role: "member" }, "only the valid write was stored");
  assert.deepEqual(
    (await sentWrites(tab, (w) => w.attribute === "role")).map((w) => [w.attribute, w.value]),
    [["role", "member"]],
    "only the valid write was sent",
  );
  await tab.assertClean();
  await tab.close();
});

test("a bad value pushed before load fails after load with its code; the good ones still go", async () => {
  const tab = await identifiedPage(
    "user-preload-errors",
    `attrkit.push(["set", "user:attributes", [{ plan: "Starter" }]]);
attrkit.push(["set", "user:attributes", [{ team_size: 1.5 }]]);
attrkit.push(["set", "user:attributes", [{ role: "admin" }]]);`,
  );
  const [error] = await waitForEvents(tab.page, "error", 1);
  assert.equal(error.code, "attribute_value_invalid");
  assert.equal(error.attribute, "team_size");
  await waitForStored(stack, "user-preload-errors", { plan: "Starter", role: "admin" });
  assert.deepEqual(await stack.stored("user-preload-errors"), { plan: "Starter", role: "admin" });
  const sent = await sentWrites(tab, (w) => w.attribute === "role");
  assert.ok(!sent.some((w) => w.attribute === "team_size"), "team_size was never sent");
  assert.equal((await tab.page.evaluate(() => window.__events.error)).length, 1);
  await tab.assertClean();
  await tab.close();
});

test("the Promise API rejects a refused value with an AttrkitError at once, sending nothing", async () => {
  const tab = await identifiedPage("user-promise-errors");
  const outcome = await tab.page.evaluate(async () => {
    const out = {};
    for (const [name, call] of Object.entries({
      invalid: () => window.attrkit.analytics.setAttribute({ distinctId: "user-promise-errors", attribute: "team_size", value: 1.5 }),
      undeclared: () => window.attrkit.analytics.setAttributes({ distinctId: "user-promise-errors", attributes: { nope: 1 } }),
      badId: () => window.attrkit.analytics.setAttribute({ distinctId: "", attribute: "plan", value: "Pro" }),
      contextStyle: () => window.attrkit.setAttribute("subscription_status", "gold", { id: "user-promise-errors" }),
    })) {
      try {
        out[name] = { resolved: await call() };
      } catch (e) {
        out[name] = window.__plain(e);
      }
    }
    return out;
  });
  assert.equal(outcome.invalid.code, "attribute_value_invalid");
  assert.equal(outcome.invalid.attribute, "team_size");
  assert.equal(outcome.invalid.name, "AttrkitError");
  assert.equal(outcome.undeclared.code, "attribute_not_defined");
  assert.equal(outcome.badId.code, "distinct_id_invalid");
  assert.equal(outcome.contextStyle.code, "attribute_value_invalid");
  assert.equal(outcome.contextStyle.attribute, "subscription_status");
  // Then a valid one through the same API: it is the first and only write sent.
  const stored = await tab.page.evaluate(() =>
    window.attrkit.analytics.setAttribute({ distinctId: "user-promise-errors", attribute: "persona", value: "TEACHER" }),
  );
  assert.equal(stored.attribute, "persona");
  assert.equal(stored.value, "teacher", "normalised to the declared spelling, as stored");
  assert.match(stored.personId, /^p_/);
  assert.deepEqual((await sentWrites(tab, (w) => w.attribute === "persona")).map((w) => w.attribute), ["persona"]);
  await tab.assertClean();
  await tab.close();
});

test("a secret key in the browser: refused with secret_key_in_browser, no request at all", async () => {
  const tab = await stack.open();
  const url = stack.customerPage({
    name: "secret",
    initFirst: false,
    before: `${RECORD_EVENTS}
attrkit.push(["do", "init", [{ publicKey: ${jsLiteral(stack.server.secretKey)}, apiHost: ${jsLiteral(stack.server.url)} }]]);
attrkit.push(["do", "identify", ["user-secret"]]);
attrkit.push(["set", "user:attributes", [{ plan: "Pro" }]]);`,
  });
  await tab.page.goto(url);
  await waitForSdk(tab.page);
  const errors = await waitForEvents(tab.page, "error", 1);
  assert.equal(errors[0].code, "secret_key_in_browser");
  // Later writes fail locally with the same code, and still nothing goes out.
  const later = await tab.page.evaluate(() => window.__push(["set", "user:attributes", [{ role: "admin" }]]));
  assert.equal(later.ok, false);
  assert.equal(later.error.code, "secret_key_in_browser");
  assert.deepEqual(tab.apiRequests, [], "not one request to the API, not even the config");
  assert.equal((await stack.stored("user-secret")).$status, 404, "the server never heard of user-secret");
  assert.equal((await tab.page.evaluate(() => window.__events.ready)).length, 0, "never ready");
  await tab.assertClean();
  await tab.close();
});

test("values are data: an <img onerror> string is stored and sent as text, nothing runs", async () => {
  const tab = await stack.open();
  let dialogs = 0;
  tab.page.on("dialog", (d) => {
    dialogs++;
    d.dismiss().catch(() => {});
  });
  const value = `<img src=x onerror="window.__pwned=1;alert(1)"><script>window.__pwned=2</script>`;
  await tab.page.goto(
    stack.customerPage({
      name: "xss",
      before: `${RECORD_EVENTS}
attrkit.push(["do", "identify", ["user-xss"]]);
attrkit.push(["set", "user:name", [${jsLiteral(value)}]]);
attrkit.push(["set", "user:attributes", [{ feature_usage: [${jsLiteral(value)}] }]]);`,
    }),
  );
  await waitForSdk(tab.page);
  const stored = await waitForStored(stack, "user-xss", { name: value, feature_usage: [value] });
  assert.equal(stored.name, value);
  const page = await tab.page.evaluate(() => ({ pwned: window.__pwned ?? null, imgs: document.images.length, scripts: document.scripts.length }));
  assert.equal(page.pwned, null);
  assert.equal(page.imgs, 0, "the SDK wrote nothing to the DOM");
  assert.equal(dialogs, 0);
  await tab.assertClean();
  await tab.close();
});
