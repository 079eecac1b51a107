// Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by npm's
// playwright-core (Playwright's own browser download is not used). One browser per test file;
// one fresh context (own storage, own cache) per page.
//
//   const browser = await launchBrowser();
//   const tab = await openPage(browser, { apiUrl: server.url });
//   await tab.page.goto(url);
//   ... tab.apiRequests (every request to the API origin), tab.problems() ...
//   tab.assertClean();         // no page error, no console error, no unhandled rejection
//   await browser.close();
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.ATTRKIT_CHROMIUM ?? "/usr/bin/chromium";

export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set ATTRKIT_CHROMIUM)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

// Runs in every frame before any page script: records unhandled rejections (the host page must
// never see one from the SDK) where the test can read them.
function installRejectionProbe() {
  window.__e2eRejections = [];
  window.addEventListener("unhandledrejection", (event) => {
    const r = event.reason;
    window.__e2eRejections.push(String((r && (r.stack || r.message)) || r));
  });
}

/**
 * Opens a page in a fresh browser context with the probes installed.
 * @param {import("playwright-core").Browser} browser
 * @param {{apiUrl: string, allowConsoleError?: (text: string, url: string) => boolean}} options
 *   allowConsoleError: says which console errors are expected (e.g. Chromium's own
 *   "Failed to load resource: ... 404" line for a request the page makes knowing it may 404).
 * @param {{width: number, height: number}} [options.viewport]
 */
export async function openPage(browser, { apiUrl, allowConsoleError, viewport } = {}) {
  const context = await browser.newContext(viewport ? { viewport } : {});
  const page = await context.newPage();
  await page.addInitScript(installRejectionProbe);
  const pageErrors = [];
  const consoleErrors = [];
  const consoleLines = [];
  const apiRequests = [];
  page.on("pageerror", (err) => pageErrors.push(String(err && (err.stack || err.message))));
  page.on("console", (msg) => {
    consoleLines.push(`${msg.type()}: ${msg.text()}`);
    if (msg.type() === "error" && !(allowConsoleError && allowConsoleError(msg.text(), msg.location()?.url ?? ""))) {
      consoleErrors.push(msg.text());
    }
  });
  const apiOrigin = apiUrl ? new URL(apiUrl).origin : null;
  // On the context, not the page: a keepalive request sent while the page unloads is still seen.
  context.on("request", (req) => {
    const u = new URL(req.url());
    if (apiOrigin && u.origin === apiOrigin && u.pathname.startsWith("/api/")) {
      apiRequests.push({ method: req.method(), path: u.pathname, body: req.postData() });
    }
  });

  async function rejections() {
    try {
      return await page.evaluate(() => window.__e2eRejections ?? []);
    } catch {
      return ["(page closed: rejections unknown)"];
    }
  }

  return {
    page,
    context,
    pageErrors,
    consoleErrors,
    consoleLines,
    apiRequests,
    /** Requests that carry attribute writes (batch, single write, clear). */
    writeRequests: () => apiRequests.filter((r) => r.path.startsWith("/api/v1/attributes/values")),
    /** Asserts no page error, no console error, no unhandled rejection so far. */
    async assertClean() {
      const rej = await rejections();
      assert.deepEqual(
        { pageErrors, consoleErrors, unhandledRejections: rej },
        { pageErrors: [], consoleErrors: [], unhandledRejections: [] },
        `the page reported problems; console:\n${consoleLines.join("\n")}`,
      );
    },
    close: () => context.close(),
  };
}
