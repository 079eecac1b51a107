// A hostile or broken page, in Chromium, through the real snippet and script tag (issue #14;
// DESIGN §6): Object.prototype polluted before the snippet runs and after the SDK loaded (every
// name in tests/hostile/cases.mjs), throwing getters and Proxy traps, cyclic / huge / deep values,
// BigInt, Symbol, functions, toJSON tricks, a tight loop of pushes, callbacks that throw or push
// re-entrantly. For each: no exception reaches the page (its 'error' / 'unhandledrejection'
// listeners and Playwright's pageerror stay silent, except for the page's own callbacks' throws,
// which are the page's errors and reported as such), Object.prototype and window's own keys are
// unchanged, results carry the right code, and later valid writes arrive on the server.
//
// While Object.prototype is polluted, the page's own script does the work and reports by a console
// line (no page.evaluate then: Playwright's evaluation runs in the page's world too).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { ARGUMENT_NAMES, PLATFORM_NAMES, pollute, unpollute } from "../hostile/cases.mjs";
import { jsLiteral, startStack, waitForStored } from "./helpers/stack.mjs";

let stack;
before(async () => {
  stack = await startStack();
});
after(async () => stack?.stop());

// toJSON is a function: sent as source.
const NAMES = { ...ARGUMENT_NAMES, ...PLATFORM_NAMES };
const POLLUTE = `(${pollute})(${jsLiteral(NAMES)}); Object.defineProperty(Object.prototype, "toJSON", { __proto__: null, value: function () { return "polluted"; }, writable: true, configurable: true, enumerable: true });`;
const UNPOLLUTE = `(${unpollute})(${jsLiteral({ ...NAMES, toJSON: 0 })});`;

// Runs first in the page: the page's listeners, and what Object.prototype and window hold.
const PROBE = `
window.__hpErrors = [];
window.addEventListener("error", function (e) { window.__hpErrors.push("error: " + (e.error && e.error.message || e.message)); });
window.addEventListener("unhandledrejection", function (e) { window.__hpErrors.push("rejection: " + (e.reason && e.reason.message || e.reason)); });
window.__hpProto = Reflect.ownKeys(Object.prototype).map(String).sort();
window.__hpWindow = Reflect.ownKeys(window).map(String);
`;
// The page globals a test page itself adds (the probe's, stack.mjs's, the snippet's queue).
const PAGE_OWN = new Set(["attrkit", "__hpErrors", "__hpProto", "__hpWindow", "__e2eLoadedBeforePushes", "__e2eRejections", "__hpDone"]);

async function runPage({ initPolluted, script }) {
  const tab = await stack.open({ allowConsoleError: () => false });
  await tab.page.addInitScript({ content: PROBE + (initPolluted ? POLLUTE : "") });
  const done = tab.page.waitForEvent("console", { predicate: (m) => m.text().startsWith("HOSTILE "), timeout: 30000 });
  const url = stack.customerPage({
    name: "hostile",
    before: `(async function () {
      var wait = function () { return new Promise(function (r) { setTimeout(r, 20); }); };
      var codeOf = async function (p) { try { await p; return "resolved"; } catch (e) { return e && e.code || String(e); } };
      var out = {};
      try {
        ${script}
      } catch (e) {
        out.threw = String(e && e.stack || e);
      }
      ${UNPOLLUTE}
      window.__hpDone = true;
      console.log("HOSTILE " + JSON.stringify(out));
    })();`,
  });
  await tab.page.goto(url);
  const line = await done;
  const out = JSON.parse(line.text().slice("HOSTILE ".length));
  const state = await tab.page.evaluate(() => ({
    errors: window.__hpErrors,
    proto: Reflect.ownKeys(Object.prototype).map(String).sort(),
    protoBefore: window.__hpProto,
    added: Reflect.ownKeys(window).map(String).filter((k) => !window.__hpWindow.includes(k)),
    removed: window.__hpWindow.filter((k) => !(k in window)),
  }));
  return { tab, out, state };
}

function assertUntouched(state, { pageErrors = [] } = {}) {
  assert.deepEqual(state.errors, pageErrors, "the page's error / unhandledrejection listeners");
  assert.deepEqual(state.proto, state.protoBefore, "Object.prototype's own keys unchanged");
  assert.deepEqual(state.added.filter((k) => !PAGE_OWN.has(k)), [], "no global added");
  assert.deepEqual(state.removed, [], "no global removed");
}

test("Object.prototype polluted before the snippet: the SDK loads, reads nothing inherited, delivers", async () => {
  const { tab, out, state } = await runPage({
    initPolluted: true,
    script: `
      attrkit.push(["do", "identify", ["e2e-hp-before"]]);
      var queued = attrkit.push(["set", "user:attributes", [{ role: "Admin" }]]);
      for (var i = 0; i < 500 && !Object.getOwnPropertyDescriptor(attrkit, "analytics"); i++) await wait();
      out.loaded = !!Object.getOwnPropertyDescriptor(attrkit, "analytics");
      out.noId = await codeOf(attrkit.analytics.setAttribute({ attribute: "role", value: "x" }));
      out.noIdCtx = await codeOf(attrkit.setAttribute("role", "x", {}));
      out.set = await attrkit.push(["set", "user:attributes", [{ plan: "pro" }]]);
      out.get = await attrkit.push(["get", "user:attributes", []]);
      out.written = await attrkit.analytics.setAttribute({ distinctId: "e2e-hp-before-2", attribute: "team_size", value: 3 });
      out.ok = out.set.ok;
      out.set = out.set.value; out.get = out.get.value;
    `,
  });
  assert.equal(out.threw, undefined);
  assert.equal(out.loaded, true, "an inherited Object.prototype.s / __attrkitLoaded does not stop the SDK");
  assert.equal(out.noId, "distinct_id_invalid", "an inherited distinctId names nobody");
  assert.equal(out.noIdCtx, "distinct_id_invalid");
  assert.equal(out.ok, true);
  assert.deepEqual(out.get, { role: "admin", plan: "Pro" });
  assert.equal(out.written.value, 3);
  await waitForStored(stack, "e2e-hp-before", { role: "admin", plan: "Pro" });
  await waitForStored(stack, "e2e-hp-before-2", { team_size: 3 });
  assert.equal((await stack.stored("polluted-person")).role, undefined, "nothing for the inherited person");
  assertUntouched(state);
  await tab.assertClean();
  await tab.close();
});

test("polluted after load, hostile values, a tight loop, throwing and re-entrant callbacks", async () => {
  const { tab, out, state } = await runPage({
    initPolluted: false,
    script: `
      for (var i = 0; i < 500 && !Object.getOwnPropertyDescriptor(attrkit, "analytics"); i++) await wait();
      await attrkit.push(["do", "identify", ["e2e-hp-after"]]);
      ${POLLUTE}
      var thrower = function () { throw new Error("getter says no"); };
      var trap = new Proxy({}, { get: thrower, has: thrower, ownKeys: thrower, getOwnPropertyDescriptor: thrower, getPrototypeOf: thrower });
      var cyclic = { a: 1 }; cyclic.self = cyclic;
      var deep = "leaf"; for (var d = 0; d < 100000; d++) deep = [deep];
      var sparse = []; sparse[1e9] = "x";
      var A = attrkit.analytics, id = "e2e-hp-after";
      var set = function (value, attribute) { return codeOf(A.setAttribute({ distinctId: id, attribute: attribute || "role", value: value })); };
      out.codes = {
        getter: await codeOf(A.setAttribute(Object.defineProperty({}, "distinctId", { __proto__: null, get: thrower, enumerable: true }))),
        proxyRequest: await codeOf(A.setAttribute(trap)),
        proxyAttributes: await codeOf(A.setAttributes({ distinctId: id, attributes: trap })),
        proxyContext: await codeOf(attrkit.setAttribute("role", "x", trap)),
        cyclic: await set(cyclic),
        deep: await set(deep),
        sparse: await set(sparse, "topics"),
        huge: await set("x".repeat(10000000), "name"),
        bigint: await set(10n, "team_size"),
        symbol: await set(Symbol("x")),
        fn: await set(function () { return "admin"; }),
        toJSON: await set({ toJSON: function () { return "admin"; } }),
        noId: await codeOf(A.setAttribute({ attribute: "role", value: "x" })),
      };
      var pushes = await Promise.all([attrkit.push(trap), attrkit.push(["set", "user:attributes", [trap]]), attrkit.push(["set", "user:attributes", [{ name: cyclic }]]), attrkit.push(deep)]);
      out.pushCodes = pushes.map(function (r) { return r.ok ? "ok" : r.error.code; });
      // A tight loop of pushes (bounded): every one resolves, the last value wins.
      var loop = [];
      for (var k = 0; k < 20000; k++) loop.push(attrkit.push(["set", "user:attributes", [{ name: "r" + k }]]));
      out.loopFailed = (await Promise.all(loop)).filter(function (r) { return !r.ok; }).length;
      // Callbacks that throw, and push from inside (re-entrant).
      var pushed = 0;
      await attrkit.push(["on", "delivered", [function (ev) {
        if ((ev.attribute === "role" || ev.attribute === "team_size") && pushed < 2) attrkit.push(["set", "user:attributes", [{ team_size: ++pushed }]]);
        throw new Error("delivered boom");
      }]]);
      await attrkit.push(["do", "identify", [id, function () {
        attrkit.push(["set", "user:attributes", [{ plan: "Pro" }]]);
        throw new Error("callback boom");
      }]]);
      await attrkit.push(["set", "user:attributes", [{ role: "member", name: "final" }]]);
    `,
  });
  assert.equal(out.threw, undefined);
  assert.deepEqual(out.codes, {
    getter: "invalid_command", proxyRequest: "invalid_command", proxyAttributes: "invalid_command",
    proxyContext: "invalid_command", cyclic: "attribute_value_invalid", deep: "attribute_value_invalid",
    sparse: "attribute_value_invalid", huge: "attribute_value_too_long", bigint: "attribute_value_invalid",
    symbol: "attribute_value_invalid", fn: "attribute_value_invalid", toJSON: "attribute_value_invalid",
    noId: "distinct_id_invalid",
  });
  assert.deepEqual(out.pushCodes, ["invalid_command", "invalid_command", "attribute_value_invalid", "invalid_command"]);
  assert.equal(out.loopFailed, 0);
  await waitForStored(stack, "e2e-hp-after", { role: "member", name: "final", plan: "Pro", team_size: 2 });
  // The only errors the page hears are its own callbacks' throws, reported as the page's errors.
  const own = state.errors.filter((e) => !/(delivered|callback) boom/.test(e));
  assertUntouched({ ...state, errors: own });
  assert.ok(state.errors.some((e) => /callback boom/.test(e)));
  await tab.close();
});
