// The live console beside the demo page: what attrkit is doing, section by section.
//   commands  every push, with its result once it settles (or "queued" while the SDK loads)
//   identity  the distinct id writes attach to (or: none, writes are held)
//   outbox    the engine's writes: held, waiting for config, queued, in flight, retry time
//   errors    every `error` event and every { ok: false } result, with its code
//   stored    what the server has for the current person (GET /demo/person/{id})
// It only reads: it never pushes commands of its own except through the page (app.js).
import { clock, fill, h, show } from "./dom.js";

const MAX_ROWS = 200;

export class ConsolePanel {
  constructor(root) {
    this.root = root;
    this.commands = root.querySelector("#console-commands");
    this.identity = root.querySelector("#console-identity");
    this.outbox = root.querySelector("#console-outbox");
    this.errors = root.querySelector("#console-errors");
    this.events = root.querySelector("#console-events");
    this.stored = root.querySelector("#console-stored");
    this.counts = { commands: 0, errors: 0, events: 0 };
    this.lastEngine = null;
  }

  /** Adds a row for one pushed command; returns a function that records its result. */
  command(cmd, { preload }) {
    const n = ++this.counts.commands;
    const status = h("span", { class: "status pending" }, preload ? "queued (SDK loading)" : "pending");
    const result = h("code", { class: "result" });
    const row = h(
      "li",
      { class: "cmd", dataset: { n: String(n), state: preload ? "queued" : "pending", verb: String(cmd[0]), name: String(cmd[1]) } },
      h("span", { class: "time" }, clock()),
      h("code", { class: "what" }, show(cmd)),
      status,
      result,
    );
    prepend(this.commands, row);
    return (outcome) => {
      if (!outcome || typeof outcome !== "object") {
        row.dataset.state = "unknown";
        fill(status, "no result");
        return;
      }
      if (outcome.ok) {
        row.dataset.state = "ok";
        status.className = "status ok";
        fill(status, "ok");
        fill(result, show(outcome.value));
      } else {
        const code = outcome.error?.code ?? "unknown";
        row.dataset.state = "error";
        row.dataset.code = code;
        status.className = "status bad";
        fill(status, code);
        fill(result, outcome.error?.message ?? "");
      }
    };
  }

  /** Marks every row still "queued" as replayed (the SDK took over the array). */
  replayed() {
    for (const row of this.commands.querySelectorAll('li[data-state="queued"]')) {
      row.dataset.state = "replayed";
      fill(row.querySelector(".status"), "replayed on load");
    }
  }

  event(name, detail) {
    ++this.counts.events;
    prepend(
      this.events,
      h(
        "li",
        { class: `ev ev-${name}`, dataset: { event: name } },
        h("span", { class: "time" }, clock()),
        h("b", {}, name),
        " ",
        h("code", {}, show(detail)),
      ),
    );
  }

  error(err, source) {
    ++this.counts.errors;
    const code = err?.code ?? "unknown";
    prepend(
      this.errors,
      h(
        "li",
        { class: "err", dataset: { code, source } },
        h("span", { class: "time" }, clock()),
        h("code", { class: "code" }, code),
        err?.status ? h("span", { class: "http" }, ` status ${err.status}`) : null,
        err?.attribute ? h("span", { class: "attr" }, ` on ${err.attribute}`) : null,
        h("div", { class: "msg" }, err?.message ?? ""),
        h("div", { class: "src" }, source),
      ),
    );
    fill(this.root.querySelector("#console-error-count"), String(this.counts.errors));
  }

  /** Shows the identity; `extra` rows (e.g. the API host) are kept for later calls. */
  setIdentity(distinctId, extra) {
    if (extra) this.identityExtra = { ...this.identityExtra, ...extra };
    fill(
      this.identity,
      h("dt", {}, "distinct id"),
      h("dd", { id: "identity-value", dataset: { identity: distinctId ?? "" } }, distinctId ?? "none: writes are held until identify"),
      ...Object.entries(this.identityExtra ?? {})
        .filter(([, v]) => v !== undefined)
        .flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, typeof v === "string" ? v : show(v))]),
    );
  }

  /** Renders the engine's inspect() document (see docs/engine.md), or says why there is none. */
  engine(state, why) {
    this.lastEngine = state;
    if (!state) {
      fill(this.outbox, h("p", { class: "muted" }, why ?? "engine state not available"));
      return;
    }
    const lists = [
      ["held", "held (no identity yet)"],
      ["pending", "waiting for definitions"],
      ["outbox", "queued to send"],
    ];
    const retryAt = typeof state.retryAt === "number" ? state.retryAt : null;
    const summary = h(
      "p",
      { class: "summary", id: "outbox-summary" },
      `${count(state.held)} held · ${count(state.pending)} waiting · ${count(state.outbox)} queued`,
      state.inFlight ? ` · batch in flight` : "",
      retryAt ? ` · retry at ${clock(retryAt)} (in ${Math.max(0, Math.round((retryAt - Date.now()) / 100) / 10)} s)` : "",
      state.stopped ? ` · stopped: ${show(state.stopped)}` : "",
    );
    const blocks = lists
      .filter(([key]) => count(state[key]) > 0)
      .map(([key, label]) =>
        h(
          "div",
          { class: "writes", dataset: { list: key } },
          h("h4", {}, label),
          h(
            "ul",
            {},
            state[key].map((w) =>
              h(
                "li",
                { dataset: { attribute: w.attribute } },
                h("code", {}, `${w.attribute} = ${show(w.value)}`),
                w.distinctId ? h("span", { class: "muted" }, ` → ${w.distinctId}`) : null,
                w.tries ? h("span", { class: "tries" }, ` · try ${w.tries}`) : null,
                w.inFlight ? h("span", { class: "flight" }, " · in flight") : null,
              ),
            ),
          ),
        ),
      );
    fill(this.outbox, summary, blocks.length ? blocks : h("p", { class: "muted" }, "nothing waiting: every write was delivered"));
  }

  /** Renders the server's stored attributes for a person (or a message). */
  storedFor(distinctId, body, message) {
    const title = h("p", { class: "muted" }, distinctId ? `person ${distinctId}` : "log in to see a person", ` · fetched ${clock()}`);
    if (!body) {
      fill(this.stored, title, message ? h("p", { class: "muted", id: "stored-message" }, message) : null);
      return;
    }
    const attrs = body.attributes ?? {};
    const keys = Object.keys(attrs).sort();
    fill(
      this.stored,
      title,
      body.personId ? h("p", { class: "muted" }, `personId ${body.personId}`) : null,
      keys.length
        ? h(
            "table",
            { id: "stored-table" },
            h("tbody", {}, keys.map((k) => h("tr", { dataset: { key: k } }, h("th", {}, k), h("td", {}, h("code", {}, show(attrs[k])))))),
          )
        : h("p", { class: "muted" }, "no attributes stored yet"),
    );
  }
}

function count(list) {
  return Array.isArray(list) ? list.length : 0;
}

function prepend(list, row) {
  list.prepend(row);
  while (list.children.length > MAX_ROWS) list.lastElementChild.remove();
}
