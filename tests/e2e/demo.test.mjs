// The demo page as `npm start` serves it (web/ on the real server, the SDK at /sdk/, the demo
// workspace): a person logs in, sets attributes, sees them stored, and sees a bad value refused
// with its code, in the live console. Also checks the page embeds the real snippet unchanged.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { repoRoot, startStack, waitForStored, sentWrites } from "./helpers/stack.mjs";

let stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

test("web/index.html embeds js/src/snippet.js unchanged", () => {
  const snippet = readFileSync(path.join(repoRoot, "js/src/snippet.js"), "utf8");
  const code = snippet.slice(snippet.indexOf("(function")).trim();
  const html = readFileSync(path.join(repoRoot, "web/index.html"), "utf8");
  const m = /<!-- attrkit snippet[^>]*-->\s*<script>\n([\s\S]*?)\n<\/script>\s*<!-- \/attrkit snippet -->/.exec(html);
  assert.ok(m, "the snippet block is marked in index.html");
  assert.equal(m[1].trim(), code, "index.html's snippet is js/src/snippet.js (run: copy it again)");
});

test("demo: log in, set attributes, see them stored, see a bad value refused with its code", async () => {
  const tab = await stack.open({ viewport: { width: 1400, height: 1400 } });
  let dialogs = 0;
  tab.page.on("dialog", (d) => {
    dialogs++;
    d.dismiss().catch(() => {});
  });
  const { page } = tab;
  const $text = (sel) => page.locator(sel).innerText();
  await page.goto(`${stack.server.url}/`);
  await page.waitForSelector('#status[data-state="ready"]');
  assert.equal(await $text("#workspace-key"), stack.server.publicKey);
  assert.equal(await page.locator("#identity-value").getAttribute("data-identity"), "");

  // Log in: identify + name + email, back to back.
  await page.fill("#login-id", "demo-person-1");
  await page.click("#login-submit");
  await page.waitForSelector('#identity-value[data-identity="demo-person-1"]');
  assert.equal(await $text("#whoami"), "Signed in as demo-person-1");
  await page.waitForSelector('#stored-table tr[data-key="email"]');
  assert.equal(await $text('#stored-table tr[data-key="name"] td'), '"Sam Taylor"');

  // Settings: typed text is normalised (team size "25" -> 25, plan "growth" -> "Growth").
  await page.fill("#plan", "growth");
  await page.selectOption("#role", "admin");
  await page.fill("#team_size", "25");
  await page.click("#save");
  await page.waitForSelector('#stored-table tr[data-key="team_size"]');
  await page.waitForFunction(() => document.querySelector('#stored-table tr[data-key="plan"] td')?.textContent === '"Growth"');
  assert.equal(await $text('#stored-table tr[data-key="team_size"] td'), "25");
  assert.equal(await $text('#stored-table tr[data-key="role"] td'), '"admin"');
  const stored = await stack.stored("demo-person-1");
  assert.equal(stored.plan, "Growth");
  assert.equal(stored.team_size, 25);
  assert.deepEqual(stored.topics, ["math"]);

  // A bad value: refused with its code in the errors list and in the command's row.
  await page.click("#bad-team-size");
  const err = page.locator('#console-errors li[data-code="attribute_value_invalid"]');
  await err.first().waitFor();
  assert.match(await err.first().innerText(), /team_size/);
  await page.waitForSelector('#console-commands li[data-state="error"][data-code="attribute_value_invalid"]');
  await page.click("#bad-plan");
  await page.waitForFunction(() => document.querySelectorAll('#console-errors li[data-code="attribute_value_invalid"]').length === 2);
  await page.click("#bad-undeclared");
  await page.waitForSelector('#console-errors li[data-code="attribute_not_defined"]');
  assert.equal(await $text("#console-error-count"), "3");

  // Values are data: the <img onerror> name is stored and shown as text, never as markup.
  await page.click("#odd-name");
  const odd = '"<img src=x onerror=\\"alert(1)\\">"';
  await page.waitForFunction((t) => document.querySelector('#stored-table tr[data-key="name"] td')?.textContent === t, odd);
  assert.equal(await page.evaluate(() => document.images.length), 0);
  assert.equal(dialogs, 0);
  // Every write sent is one the page meant: none of the refused ones (the odd name came after
  // them and is stored, so they would have been sent before it).
  const sent = await sentWrites(tab, (w) => w.attribute === "name" && String(w.value).includes("<img"));
  assert.ok(!sent.some((w) => w.attribute === "favourite_colour" || w.value === 1.5 || w.value === "Platinum"), JSON.stringify(sent));
  assert.ok(sent.every((w) => w.distinctId === "demo-person-1"));

  // The outbox section renders the engine's inspect() document when the SDK exposes one (all
  // delivered by now: nothing waiting), and says it cannot otherwise.
  if (await page.evaluate(() => typeof window.attrkit.inspect === "function")) {
    await page.waitForFunction(() => /^0 held · 0 waiting · 0 queued/.test(document.querySelector("#outbox-summary")?.textContent ?? ""));
  } else {
    assert.match(await $text("#console-outbox"), /exposes no inspect\(\)/);
  }

  const dir = path.join(repoRoot, "build");
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, "demo.png") });

  // A reload keeps the session: the page identifies its user again and shows what is stored.
  await page.reload();
  await page.waitForSelector('#status[data-state="ready"]');
  await page.waitForSelector('#identity-value[data-identity="demo-person-1"]');
  await page.waitForSelector('#stored-table tr[data-key="team_size"]');

  // Sign out: the identity is gone, also after a reload.
  await page.click("#logout");
  await page.waitForSelector('#identity-value[data-identity=""]');
  assert.equal(await $text("#whoami"), "Not signed in");
  await page.reload();
  await page.waitForSelector('#status[data-state="ready"]');
  assert.equal(await page.locator("#identity-value").getAttribute("data-identity"), "");
  await tab.assertClean();
  await tab.close();
});
