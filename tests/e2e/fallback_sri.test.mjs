// The no-Wasm fallback and Subresource Integrity, in Chromium through the script tag (issue #14;
// DESIGN §6, §9). The server serves a copy of js/dist with tampered copies beside it:
//   /sdk/                     the release as built
//   /sdk/tampered-wasm/       attrkit.js + the fallback as built, the .wasm with one byte changed
//   /sdk/tampered-fallback/   the same with the fallback changed instead
//   /sdk/tampered-script/     attrkit.js with one byte changed
// Fallback: where WebAssembly cannot be used (a CSP without 'wasm-unsafe-eval'; WebAssembly deleted
// before load) the runtime fetches attrkit-core.fallback.<hash>.mjs, never the .wasm, and a value
// is stored; where it can, the fallback is never fetched. SRI: the built snippet sets integrity and
// crossorigin on its script, and the runtime refuses a tampered .wasm or fallback with one
// sdk_unavailable warning and nothing sent.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { eventually, jsLiteral, RECORD_EVENTS, realSnippet, sdkDir, startStack, waitForSdk, waitForStored } from "./helpers/stack.mjs";

const dist = sdkDir();
const file = (re) => readdirSync(dist).find((f) => re.test(f));
const WASM = file(/^attrkit-core\.[0-9a-f]{12}\.wasm$/);
const FALLBACK = file(/^attrkit-core\.fallback\.[0-9a-f]{12}\.mjs$/);
const SRI = JSON.parse(readFileSync(join(dist, "sri.json"), "utf8"));

let folder;
let stack;
before(async () => {
  folder = mkdtempSync(join(tmpdir(), "attrkit-sri-"));
  cpSync(dist, folder, { recursive: true });
  const tampered = (name, victim) => {
    cpSync(dist, join(folder, name), { recursive: true });
    const p = join(folder, name, victim);
    const bytes = readFileSync(p);
    bytes[bytes.length - 2] ^= 1; // still the same size; only the hash tells
    writeFileSync(p, bytes);
  };
  tampered("tampered-wasm", WASM);
  tampered("tampered-fallback", FALLBACK);
  tampered("tampered-script", "attrkit.js");
  stack = await startStack({ serverOptions: { sdk: folder } });
});
after(async () => {
  await stack?.stop();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

const sdkFiles = () => stack.serverRequests().filter((r) => r.path.startsWith("/sdk/")).map((r) => r.path);
const NO_WASM = "delete window.WebAssembly;";

/** A customer page through the real snippet (src/snippet.js, no integrity: a development copy), or
 * with `built` the release's (snippet.min.js: SRI, and the early compile of the .wasm). */
async function open({ sdkUrl = stack.sdkUrl, csp, initScript, allowConsoleError, id, built = false }) {
  const tab = await stack.open({ allowConsoleError });
  if (initScript) await tab.page.addInitScript({ content: initScript });
  const snippet = built
    ? readFileSync(join(dist, "snippet.min.js"), "utf8").replace('"/sdk/attrkit.js"', () => JSON.stringify(sdkUrl))
    : realSnippet(sdkUrl);
  const script = `\n${snippet}\n;attrkit.push(["do", "init", [${jsLiteral(stack.init)}]]);\n${RECORD_EVENTS}\n` +
    `attrkit.push(["do", "identify", [${jsLiteral(id)}]]);\nattrkit.push(["set", "user:attributes", [{ plan: "Pro" }]]);\n`;
  const { createHash } = await import("node:crypto");
  const hash = `'sha256-${createHash("sha256").update(script).digest("base64")}'`;
  const url = stack.site.page({ head: `<script>${script}</script>`, csp: csp?.(hash), name: id });
  await tab.page.goto(url);
  return tab;
}

test("a CSP without 'wasm-unsafe-eval': the fallback is fetched (not the .wasm) and a value is stored", async () => {
  const api = stack.server.url;
  const before = sdkFiles().length;
  const tab = await open({
    id: "fb-csp",
    csp: (hash) => `default-src 'none'; script-src ${hash} ${api}; connect-src ${api}; img-src data:`,
  });
  await waitForSdk(tab.page);
  await waitForStored(stack, "fb-csp", { plan: "Pro" });
  const fetched = sdkFiles().slice(before);
  assert.ok(fetched.includes(`/sdk/${FALLBACK}`), fetched.join(" "));
  assert.ok(!fetched.includes(`/sdk/${WASM}`), "the .wasm is not downloaded where it cannot run");
  assert.deepEqual(await tab.page.evaluate(() => window.__events.error), []);
  await tab.assertClean();
  await tab.close();
});

// The release snippet starts compiling the .wasm itself; under such a CSP that compile fails, and
// attrkit.js (whose glue's setup did not wait for it) must still end on the fallback.
test("a CSP without 'wasm-unsafe-eval' under the release snippet: its compile fails, the fallback runs", async () => {
  const api = stack.server.url;
  const before = sdkFiles().length;
  const tab = await open({
    id: "fb-csp-built",
    built: true,
    csp: (hash) => `default-src 'none'; script-src ${hash} ${api}; connect-src ${api}; img-src data:`,
  });
  await waitForSdk(tab.page);
  await waitForStored(stack, "fb-csp-built", { plan: "Pro" });
  const fetched = sdkFiles().slice(before);
  assert.equal(fetched.filter((f) => f === `/sdk/${FALLBACK}`).length, 1, fetched.join(" "));
  // Downloaded once, by the snippet (it cannot know the CSP); the runtime does not ask again.
  assert.equal(fetched.filter((f) => f === `/sdk/${WASM}`).length, 1, fetched.join(" "));
  assert.deepEqual(await tab.page.evaluate(() => window.__events.error), []);
  await tab.assertClean();
  await tab.close();
});

test("WebAssembly deleted before load: the fallback runs the page's writes", async () => {
  const before = sdkFiles().length;
  const tab = await open({ id: "fb-deleted", initScript: NO_WASM });
  await waitForSdk(tab.page);
  await waitForStored(stack, "fb-deleted", { plan: "Pro" });
  const r = await tab.page.evaluate(() => window.attrkit.analytics.setAttribute({ distinctId: "fb-deleted", attribute: "team_size", value: "12" }));
  assert.equal(r.value, 12);
  await waitForStored(stack, "fb-deleted", { plan: "Pro", team_size: 12 });
  const fetched = sdkFiles().slice(before);
  assert.ok(fetched.includes(`/sdk/${FALLBACK}`));
  assert.ok(!fetched.includes(`/sdk/${WASM}`));
  await tab.assertClean();
  await tab.close();
});

test("WebAssembly available: the fallback is never fetched", async () => {
  const before = sdkFiles().length;
  const tab = await open({ id: "fb-none" });
  await waitForStored(stack, "fb-none", { plan: "Pro" });
  const fetched = sdkFiles().slice(before);
  assert.ok(fetched.includes(`/sdk/${WASM}`));
  assert.ok(!fetched.some((f) => f.includes("fallback")), fetched.join(" "));
  await tab.assertClean();
  await tab.close();
});

test("the built snippet sets integrity and crossorigin on its script; the SDK loads under it", async () => {
  const built = readFileSync(join(dist, "snippet.min.js"), "utf8");
  assert.ok(built.includes(JSON.stringify(SRI["attrkit.js"])), "snippet.min.js carries sri.json's hash of attrkit.js");
  const tab = await stack.open();
  const snippet = built.replace('"/sdk/attrkit.js"', () => JSON.stringify(stack.sdkUrl));
  const url = stack.site.page({
    head: `<script>${snippet};attrkit.push(["do", "init", [${jsLiteral(stack.init)}]]);` +
      `attrkit.push(["do", "identify", ["sri-ok"]]);attrkit.push(["set", "user:attributes", [{ plan: "Growth" }]]);</script>`,
    name: "sri-ok",
  });
  await tab.page.goto(url);
  const attrs = await tab.page.evaluate(() => {
    const s = document.querySelector('script[src$="/sdk/attrkit.js"]');
    return { integrity: s.integrity, crossOrigin: s.crossOrigin };
  });
  assert.deepEqual(attrs, { integrity: SRI["attrkit.js"], crossOrigin: "anonymous" });
  await waitForStored(stack, "sri-ok", { plan: "Growth" });
  await tab.assertClean();
  await tab.close();
});

test("a tampered .wasm under the built snippet: its compile is refused by the hash, so is the runtime's", async () => {
  const built = readFileSync(join(dist, "snippet.min.js"), "utf8");
  assert.ok(built.includes(JSON.stringify(SRI[WASM])), "snippet.min.js carries sri.json's hash of the .wasm");
  const tab = await stack.open({ allowConsoleError: (text) => /integrity|Failed to fetch|ERR_/i.test(text) });
  // attrkit.js as built (its hash is the snippet's); only the .wasm beside it is tampered.
  const snippet = built.replace('"/sdk/attrkit.js"', () => JSON.stringify(`${stack.server.url}/sdk/tampered-wasm/attrkit.js`));
  const script = `${snippet};attrkit.push(["do", "init", [${jsLiteral(stack.init)}]]);\n${RECORD_EVENTS}\n` +
    `attrkit.push(["do", "identify", ["sri-built-wasm"]]);attrkit.push(["set", "user:attributes", [{ plan: "Pro" }]]);`;
  await tab.page.goto(stack.site.page({ head: `<script>${script}</script>`, name: "sri-built-wasm" }));
  await tab.page.waitForFunction(() => window.__events.error.length > 0, null, { timeout: 15000 });
  assert.equal(await tab.page.evaluate(() => window.attrkit.w[1].then((m) => m)), undefined, "the snippet's compile failed");
  assert.deepEqual(await tab.page.evaluate(() => window.__events.error.map((e) => e.code)), ["sdk_unavailable"]);
  assert.ok(tab.consoleLines.some((l) => /integrity/.test(l) && l.includes(WASM)), tab.consoleLines.join("\n"));
  assert.deepEqual(tab.writeRequests(), []);
  assert.deepEqual(tab.pageErrors, []);
  await tab.close();
});

test("a tampered attrkit.js is not run (the built snippet's integrity)", async () => {
  const built = readFileSync(join(dist, "snippet.min.js"), "utf8");
  const tab = await stack.open({ allowConsoleError: (text) => /integrity/i.test(text) });
  const snippet = built.replace('"/sdk/attrkit.js"', () => JSON.stringify(`${stack.server.url}/sdk/tampered-script/attrkit.js`));
  await tab.page.goto(stack.site.page({ head: `<script>${snippet}</script>`, name: "sri-script" }));
  await eventually(() => tab.consoleLines.some((l) => /integrity/i.test(l)), { message: "Chromium's integrity error" });
  assert.equal(await tab.page.evaluate(() => Array.isArray(window.attrkit) && !window.attrkit.analytics), true);
  await tab.close();
});

for (const [what, dir, initScript, victim] of [
  [".wasm", "tampered-wasm", undefined, WASM],
  ["fallback", "tampered-fallback", NO_WASM, FALLBACK],
]) {
  test(`a tampered ${what} is refused: one sdk_unavailable warning, nothing sent`, async () => {
    const id = `sri-${dir}`;
    // Chromium's own line for the refused resource.
    const tab = await open({ id, initScript, sdkUrl: `${stack.server.url}/sdk/${dir}/attrkit.js`, allowConsoleError: (text) => /integrity|Failed to fetch|ERR_/i.test(text) });
    await tab.page.waitForFunction(() => window.__events.error.length > 0, null, { timeout: 15000 });
    await new Promise((r) => setTimeout(r, 300)); // a second warning or event would show by now
    const codes = await tab.page.evaluate(() => window.__events.error.map((e) => e.code));
    assert.deepEqual(codes, ["sdk_unavailable"]);
    const warnings = tab.consoleLines.filter((l) => l.startsWith("warning: attrkit"));
    assert.equal(warnings.length, 1, tab.consoleLines.join("\n"));
    assert.match(warnings[0], /the SDK could not load/);
    // Refused by its hash (Chromium says so), not by a failed compile.
    assert.ok(tab.consoleLines.some((l) => /integrity/.test(l) && l.includes(victim)), tab.consoleLines.join("\n"));
    assert.deepEqual(tab.writeRequests(), []);
    assert.deepEqual(tab.pageErrors, []);
    await tab.close();
  });
}
