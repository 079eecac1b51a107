// The demo: Acme's settings page, integrated with attrkit the way a customer would (the inline
// snippet in index.html, then push commands), with the live console beside it.
//
// The page's own data comes from two local-only server routes (docs/web.md):
//   GET /demo/config.json         -> {publicKey, apiHost}   the demo workspace's publishable key
//   GET /demo/person/{distinctId} -> {personId, distinctId, attributes}   what the server stored
import { ConsolePanel } from "./console_panel.js";
import { fill, show } from "./dom.js";

const panel = new ConsolePanel(document.getElementById("console"));
const statusEl = document.getElementById("status");
let currentId = null;

// ---- talking to attrkit: every push goes through here so the console sees it and its result.

function push(cmd) {
  const preload = !window.attrkit.analytics;
  const record = panel.command(cmd, { preload });
  const returned = window.attrkit.push(cmd);
  if (returned && typeof returned.then === "function") {
    // The SDK's push never rejects (DESIGN §2a); a rejection here would be an SDK bug worth seeing.
    return returned.then(
      (outcome) => {
        record(outcome);
        // Its error is in the row; the Errors list shows the "error" event every failure also raises.
        if (outcome?.ok && cmd[0] === "do" && cmd[1] === "identify") setIdentity(outcome.value?.distinctId ?? null);
        if (outcome?.ok && cmd[0] === "do" && cmd[1] === "reset") setIdentity(null);
        refreshEngine();
        return outcome;
      },
      (err) => {
        const outcome = { ok: false, error: { code: "push_rejected", message: String(err) } };
        record(outcome);
        panel.error(outcome.error, "push rejected (SDK bug)");
        return outcome;
      },
    );
  }
  // Before the SDK has loaded, push is the snippet's Array.prototype.push: no result yet.
  return Promise.resolve(undefined);
}

/** The engine's state for the console, from whichever inspector the SDK exposes. */
function engineState() {
  const ak = window.attrkit;
  if (!ak || !ak.analytics) return { state: null, why: "SDK loading: commands wait in the snippet's array" };
  for (const name of ["inspect", "debug"]) {
    const fn = ak[name] ?? ak.analytics?.[name];
    if (typeof fn === "function") {
      try {
        return { state: fn.call(ak) };
      } catch (err) {
        return { state: null, why: `attrkit.${name}() threw: ${err}` };
      }
    }
  }
  return { state: null, why: "this SDK build exposes no inspect(): outbox not visible" };
}

let lastEngineText = "";
function refreshEngine() {
  const { state, why } = engineState();
  const text = show(state) + (why ?? "");
  // Re-render when something changed, or every tick while a retry countdown is shown.
  if (text === lastEngineText && !(state && state.retryAt)) return;
  lastEngineText = text;
  panel.engine(state, why);
  if (!state) return;
  // The engine is the authority on identity (it also knows one restored from storage).
  const id = typeof state.identity === "string" ? state.identity : null;
  if (id !== currentId) setIdentity(id);
  panel.setIdentity(currentId, { workspace: state.workspace, "client id": state.clientId });
}
setInterval(refreshEngine, 400);

function setIdentity(id) {
  currentId = id;
  panel.setIdentity(id);
  document.getElementById("whoami").textContent = id ? `Signed in as ${id}` : "Not signed in";
  document.body.dataset.identity = id ?? "";
  refreshStored();
}

// ---- what the server stored

let storedTimer = 0;
function refreshStoredSoon() {
  clearTimeout(storedTimer);
  storedTimer = setTimeout(refreshStored, 150);
}

async function refreshStored() {
  const id = currentId;
  if (!id) {
    panel.storedFor(null, null, "no identity: nothing to show");
    return;
  }
  try {
    const res = await fetch(`/demo/person/${encodeURIComponent(id)}`, { cache: "no-store" });
    const body = await res.json().catch(() => null);
    if (id !== currentId) return;
    if (res.ok) panel.storedFor(id, body);
    else panel.storedFor(id, null, `GET /demo/person answered ${res.status} ${body?.error?.code ?? ""}`);
  } catch (err) {
    panel.storedFor(id, null, `could not read the server: ${err}`);
  }
}

// ---- start: listeners first (so nothing is missed), then init with the demo workspace's key.

for (const name of ["ready", "identified", "delivered", "error"]) {
  push([
    "on",
    name,
    [
      (detail) => {
        panel.event(name, detail);
        if (name === "error") panel.error(detail, detail?.distinctId ? `for ${detail.distinctId}` : "");
        if (name === "ready") {
          panel.replayed();
          statusEl.dataset.state = "ready";
          fill(statusEl, "attrkit ready");
        }
        if (name === "delivered") refreshStoredSoon();
        if (name === "identified" && detail?.distinctId !== currentId) setIdentity(detail?.distinctId ?? null);
        refreshEngine();
      },
    ],
  ]);
}

// The debug toggle: ["do", "debug", [on]]; the SDK then logs every command, failure (with the
// core's message), batch, response, retry and stop to the browser console, prefixed [attrkit].
const debugToggle = document.getElementById("debug-toggle");
debugToggle.checked = sessionStorage.getItem("demo-debug") === "1";
if (debugToggle.checked) push(["do", "debug", [true]]);
debugToggle.addEventListener("change", () => {
  sessionStorage.setItem("demo-debug", debugToggle.checked ? "1" : "0");
  push(["do", "debug", [debugToggle.checked]]);
});

async function start() {
  let config;
  try {
    const res = await fetch("/demo/config.json", { cache: "no-store" });
    if (!res.ok) throw new Error(`GET /demo/config.json answered ${res.status}`);
    config = await res.json();
  } catch (err) {
    statusEl.dataset.state = "error";
    fill(statusEl, `No demo workspace: ${err.message}. Start the server with npm start.`);
    return;
  }
  fill(document.getElementById("workspace-key"), config.publicKey);
  // The snippet loads the SDK without telling anyone if it fails: say so rather than spin.
  setTimeout(() => {
    if (window.attrkit.analytics || statusEl.dataset.state !== "loading") return;
    statusEl.dataset.state = "error";
    fill(statusEl, "The SDK has not loaded: is /sdk/attrkit.js served? (build it with node js/build.mjs)");
  }, 8000);
  push(["do", "init", [{ publicKey: config.publicKey, apiHost: config.apiHost }]]);
  panel.setIdentity(currentId, { "API host": config.apiHost });
  // Like any app with a session, Acme identifies its signed-in user on every page view.
  const session = readSession();
  if (session) {
    $("#login-id").value = session.id;
    push(["do", "identify", [session.id]]);
  }
  refreshStored();
}

// Acme's own notion of who is signed in (a real app would have a cookie session).
const SESSION_KEY = "acme-demo:user";
function readSession() {
  try {
    const s = JSON.parse(localStorage.getItem(SESSION_KEY) ?? "null");
    return s && typeof s.id === "string" ? s : null;
  } catch {
    return null;
  }
}
function writeSession(id) {
  try {
    if (id) localStorage.setItem(SESSION_KEY, JSON.stringify({ id }));
    else localStorage.removeItem(SESSION_KEY);
  } catch {
    // storage unavailable: the demo still works for this page view
  }
}

// ---- the page's forms

const $ = (sel) => document.querySelector(sel);

$("#login").addEventListener("submit", (event) => {
  event.preventDefault();
  const id = $("#login-id").value.trim();
  const name = $("#login-name").value.trim();
  const email = $("#login-email").value.trim();
  writeSession(id);
  // Back to back, as Jimo's integration guide does: identify, then attributes without waiting.
  push(["do", "identify", [id, () => panel.event("identify callback", id)]]);
  if (name) push(["set", "user:name", [name]]);
  if (email) push(["set", "user:email", [email]]);
});

$("#logout").addEventListener("click", () => {
  writeSession(null);
  push(["do", "reset", []]);
});

function settingsFromForm() {
  const attrs = {};
  const plan = $("#plan").value.trim();
  if (plan) attrs.plan = plan;
  const role = $("#role").value;
  if (role) attrs.role = role;
  const topics = [...document.querySelectorAll('input[name="topics"]:checked')].map((el) => el.value);
  if (topics.length) attrs.topics = topics;
  // Sent as typed: the SDK normalises numeric and date text, and refuses what does not fit.
  const teamSize = $("#team_size").value.trim();
  if (teamSize) attrs.team_size = teamSize;
  const signup = $("#signup_date").value.trim();
  if (signup) attrs.signup_date = signup;
  attrs.hasInstalled = $("#hasInstalled").checked;
  return attrs;
}

$("#settings").addEventListener("submit", (event) => {
  event.preventDefault();
  const options = { refetchBoosted: $("#opt-refetch").checked, removeUnspecified: $("#opt-remove").checked };
  push(["set", "user:attributes", [settingsFromForm(), options]]);
});

$("#get").addEventListener("click", () => push(["get", "user:attributes", []]));
$("#refresh-stored").addEventListener("click", refreshStored);

// One click each: values the workspace's definitions refuse (and one that is merely odd).
const tries = {
  "bad-team-size": ["set", "user:attributes", [{ team_size: 1.5 }]],
  "bad-plan": ["set", "user:attributes", [{ plan: "Platinum" }]],
  "bad-undeclared": ["set", "user:attributes", [{ favourite_colour: "teal" }]],
  "bad-date": ["set", "user:attributes", [{ signup_date: "2024-02-30" }]],
  "odd-name": ["set", "user:name", ['<img src=x onerror="alert(1)">']],
};
for (const [id, cmd] of Object.entries(tries)) {
  document.getElementById(id).addEventListener("click", () => push(cmd));
}

// The Promise API (DESIGN §2b), available as window.attrkit.analytics once loaded.
$("#promise-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const attribute = $("#promise-attribute").value.trim();
  const raw = $("#promise-value").value;
  let value = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // not JSON: send the text
  }
  const args = { distinctId: currentId ?? "", attribute, value };
  const record = panel.command(["analytics.setAttribute", show(args)], { preload: false });
  const analytics = window.attrkit?.analytics;
  if (!analytics) {
    record({ ok: false, error: { code: "not_loaded", message: "attrkit.analytics appears once the SDK has loaded" } });
    return;
  }
  try {
    const stored = await analytics.setAttribute(args);
    record({ ok: true, value: stored });
    refreshStoredSoon();
  } catch (err) {
    const error = { code: err?.code, status: err?.status, attribute: err?.attribute, message: err?.message };
    record({ ok: false, error });
  }
  refreshEngine();
});

panel.setIdentity(null);
panel.storedFor(null, null, "log in to see what the server stores");
panel.engine(null, "SDK loading");
start();
// For the browser tests and the curious: the console's view of things.
window.demo = { push, refreshStored, panel: () => panel };
