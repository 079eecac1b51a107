// Shared by the persistence, tabs and page-hide browser tests: customer pages whose SDK talks to
// the server through a relay (relay.mjs), and reading what the SDK left in localStorage.
import { api, jsLiteral, RECORD_EVENTS } from "./stack.mjs";

export const STATE_PREFIX = "attrkit:v1:s:"; // + instance (10 chars) + ":" + workspace (docs/sdk.md)

/** The demo workspace's id, as the config names it. */
export async function workspaceOf(stack) {
  const r = await api(stack.server, "GET", "/api/v1/sdk/config", { key: stack.server.publicKey });
  return r.body.workspace;
}

/**
 * A customer page (the real snippet) whose SDK uses `apiHost` (a relay's url) and records its
 * events (RECORD_EVENTS); `before` runs right after, still before the SDK can have loaded.
 */
export function relayPage(stack, apiHost, { before = "", name } = {}) {
  const init = `attrkit.push(["do", "init", [${jsLiteral({ publicKey: stack.server.publicKey, apiHost })}]]);`;
  return stack.customerPage({ initFirst: false, name, before: `${init}\n${RECORD_EVENTS}\n${before}` });
}

/** Every localStorage entry of the page's origin. */
export function storageOf(page) {
  return page.evaluate(() => Object.fromEntries(Object.keys(localStorage).map((k) => [k, localStorage.getItem(k)])));
}

/** The stored states of the SDK instances (parsed), keyed by their storage key. */
export async function statesOf(page) {
  const all = await storageOf(page);
  const out = {};
  for (const [k, v] of Object.entries(all)) if (k.startsWith(STATE_PREFIX)) out[k] = JSON.parse(v);
  return out;
}

/** The console warnings of a tab that come from attrkit. */
export function sdkWarnings(tab) {
  return tab.consoleLines.filter((l) => l.startsWith("warning: attrkit:"));
}

/** The SDK's inspect() document of the page. */
export function inspect(page) {
  return page.evaluate(() => window.attrkit.inspect());
}
