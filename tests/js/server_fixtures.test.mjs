// The server accepts exactly what the browser accepts: the shared fixtures of tests/fixtures/values
// (the same files the C++ and Wasm core suites run, format in tests/fixtures/README.md) sent to a
// real server over HTTP must come back with the fixture's value, or its code with the status of
// DESIGN §3 and the fixture's message: the error body carries the very text the browser's core
// gives (DESIGN §2b), so the message of every validation rule is checked here, single and batch.
//   values       -> POST /values and POST /values/batch, after PUTting the file's definitions
//   distinct_id  -> a write of a built-in attribute with that distinctId
//   definition   -> PUT /api/v1/attributes/definitions/{key}: the canonical form, or 400
//   config       -> not an HTTP operation of the server (it writes configs, never parses one);
//                   tests/cpp/server/seed_test.cpp checks that what it writes parses with
//                   parse_config, as the browser will parse it
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { loadTestCore } from "./helpers/core.mjs";
import { messageDiff, readFixtures, sameValue } from "./helpers/fixtures.mjs";
import { api, startServer } from "./helpers/server.mjs";

const STATUS = {
  attribute_not_defined: 400,
  attribute_value_invalid: 400,
  attribute_value_too_long: 400,
  attribute_archived: 400,
  distinct_id_invalid: 400,
  invalid_request: 400,
};
const KINDS = new Set(["values", "distinct_id", "definition", "config"]);
const fixtures = readFixtures("values");

let server; // values files: one workspace, definitions declared file by file
let scratch; // distinct ids and definitions, kept apart so they cannot disturb the values files
const declared = new Set(["name", "email", "language"]);
before(async () => {
  [server, scratch] = await Promise.all([startServer(), startServer()]);
  const cfg = await api(server, "GET", "/api/v1/sdk/config", { key: server.secretKey });
  for (const d of cfg.body.attributes) declared.add(d.key);
});
after(async () => {
  await Promise.all([server?.stop(), scratch?.stop()]);
});

// {ok, value} or {ok: false, error} from a single-write answer.
function answerOf(res) {
  if (res.status === 200) return { ok: true, value: res.body.value };
  assert.equal(res.body?.error?.status, res.status, `status matches the body: ${res.text}`);
  return { ok: false, error: res.body.error };
}

function check(where, expect, answer) {
  if ("error" in expect) {
    assert.equal(answer.ok, false, `${where}: expected ${expect.error}, got ${JSON.stringify(answer)}`);
    assert.equal(answer.error.code, expect.error, where);
    assert.equal(answer.error.status, STATUS[expect.error], where);
    const diff = messageDiff(answer.error.message, expect);
    assert.equal(diff, null, `${where}: ${diff}`);
  } else {
    assert.equal(answer.ok, true, `${where}: expected a value, got ${JSON.stringify(answer)}`);
    const diff = sameValue(answer.value, expect.value);
    assert.equal(diff, null, `${where}: ${diff}`);
  }
}

test("every fixture file has a kind this runner knows", () => {
  for (const { file, doc } of fixtures) assert.ok(KINDS.has(doc.kind), `${file}: kind ${doc.kind}`);
});

for (const { file, doc } of fixtures.filter(({ doc }) => doc.kind === "values")) {
  test(`values ${file}: single and batch writes answer like the core`, async (t) => {
    for (const def of doc.definitions ?? []) {
      const res = await api(server, "PUT", `/api/v1/attributes/definitions/${encodeURIComponent(def.key)}`, {
        key: server.secretKey,
        body: def,
      });
      assert.equal(res.status, 200, `declaring ${def.key}: ${res.text}`);
      declared.add(def.key);
    }
    const own = new Set((doc.definitions ?? []).map((d) => d.key));
    // A case expecting attribute_not_defined for a key that another file (or the demo) declared
    // in this shared workspace cannot hold here; the core suites cover it.
    const cases = doc.cases.filter(
      (c) => !(c.expect.error === "attribute_not_defined" && declared.has(c.key) && !own.has(c.key)),
    );
    if (cases.length < doc.cases.length) t.diagnostic(`${doc.cases.length - cases.length} skipped: key declared elsewhere`);
    assert.ok(cases.length > 0);

    const distinctId = `fixtures-${file}`;
    const writes = [];
    for (const [i, c] of cases.entries()) {
      const res = await api(server, "POST", "/api/v1/attributes/values", {
        key: server.publicKey,
        body: { distinctId, attribute: c.key, value: c.input },
      });
      check(`${file}: "${c.name}" (single)`, c.expect, answerOf(res));
      writes.push({ id: `${file}-${i}`, distinctId, attribute: c.key, value: c.input });
    }

    // The same cases through the batch, in chunks well under the 64 KB body cap.
    for (let start = 0; start < writes.length; ) {
      let end = start;
      let bytes = 0;
      while (end < writes.length && end - start < 100) {
        bytes += JSON.stringify(writes[end]).length;
        if (bytes > 48 * 1024 && end > start) break;
        end++;
      }
      const res = await api(server, "POST", "/api/v1/attributes/values/batch", {
        key: server.publicKey,
        body: { writes: writes.slice(start, end) },
      });
      assert.equal(res.status, 200, res.text.slice(0, 500));
      for (const [k, r] of res.body.results.entries()) {
        check(`${file}: "${cases[start + k].name}" (batch)`, cases[start + k].expect, r);
      }
      start = end;
    }
    t.diagnostic(`${cases.length} cases, single and batch`);
  });
}

for (const { file, doc } of fixtures.filter(({ doc }) => doc.kind === "distinct_id")) {
  test(`distinct_id ${file}: writes with each distinctId answer like the core`, async (t) => {
    let sent = 0;
    for (const c of doc.cases) {
      if (c.input === undefined) continue; // not expressible in a JSON body
      const res = await api(scratch, "POST", "/api/v1/attributes/values", {
        key: scratch.publicKey,
        body: { distinctId: c.input, attribute: "name", value: "Sam" },
      });
      const expect = c.expect.ok ? { value: "Sam" } : c.expect;
      check(`${file}: "${c.name}"`, expect, answerOf(res));
      sent++;
    }
    assert.ok(sent > 0);
    t.diagnostic(`${sent} distinct ids`);
  });
}

for (const { file, doc } of fixtures.filter(({ doc }) => doc.kind === "definition")) {
  test(`definition ${file}: PUT answers the canonical form or invalid_request`, async (t) => {
    let sent = 0;
    for (const c of doc.cases) {
      const key = c.definition?.key;
      // The HTTP API takes the key from the path: a case about a missing or non-string key has
      // no request of its own (a path always names one).
      if (typeof key !== "string" || key === "") continue;
      const res = await api(scratch, "PUT", `/api/v1/attributes/definitions/${encodeURIComponent(key)}`, {
        key: scratch.secretKey,
        body: c.definition,
      });
      const where = `${file}: "${c.name}"`;
      if (c.expect.ok) {
        assert.equal(res.status, 200, `${where}: ${res.text}`);
        if (c.expect.canonical) {
          const diff = sameValue(res.body, c.expect.canonical);
          assert.equal(diff, null, `${where}: ${diff}`);
        }
      } else {
        assert.equal(res.status, 400, `${where}: ${res.text}`);
        assert.equal(res.body.error.code, c.expect.error, where);
      }
      sent++;
    }
    assert.ok(sent > 0);
    t.diagnostic(`${sent} of ${doc.cases.length} definitions (the rest have no key for the path)`);
  });
}

// DESIGN §2b: the server's error body says what the browser says. Here the Wasm core (the
// browser's build) validates against the config the server itself serves, and the server's single
// and batch answers must carry the same code and the very same message.
test("the server's error messages are the Wasm core's, rule by rule", async () => {
  const core = await loadTestCore();
  const definitions = [
    { key: "msg_team_size", type: "number", min: 1, max: 10000, integer: true },
    { key: "msg_plan", type: "single_choice", options: ["Free", "Starter", "Growth", "Enterprise"] },
    { key: "msg_bio", type: "string" },
    { key: "msg_signup", type: "date" },
    { key: "msg_langs", type: "string_array", max_items: 3 },
    { key: "msg_old", type: "string", archived: true },
  ];
  for (const def of definitions) {
    const res = await api(scratch, "PUT", `/api/v1/attributes/definitions/${def.key}`, { key: scratch.secretKey, body: def });
    assert.equal(res.status, 200, res.text);
  }
  const config = (await api(scratch, "GET", "/api/v1/sdk/config", { key: scratch.publicKey })).body;
  const writes = [
    ["user-1", "msg_team_size", 0, "msg_team_size: 0 is below the minimum 1"],
    ["user-1", "msg_team_size", 2.5, "msg_team_size: 2.5 is not a whole number"],
    ["user-1", "msg_plan", "Gold", 'msg_plan: "Gold" is not one of Free, Starter, Growth, Enterprise'],
    ["user-1", "msg_bio", "b".repeat(812), "msg_bio: 812 characters, the maximum is 700"],
    ["user-1", "msg_bio", { a: 1 }, "msg_bio: expected a string, got an object"],
    ["user-1", "msg_signup", "2024-02-30", 'msg_signup: "2024-02-30" is not a real date'],
    ["user-1", "msg_langs", ["fr", null], "msg_langs[1]: expected a string or a number, got null"],
    ["user-1", "msg_langs", ["a", "b", "c", "d"], "msg_langs: 4 items, the maximum is 3"],
    ["user-1", "msg_old", "x", "msg_old: the attribute is archived"],
    ["user-1", "msg_nope", "x", '"msg_nope" is not a declared attribute'],
    ["user-1", "email", "sam@", 'email: "sam@" is not an email address'],
    ["user-1", "msg_bio", "\uD800", "msg_bio: the text has a lone surrogate"],
    ["guest", "msg_bio", "x", 'distinctId: "guest" is a placeholder, not a user id'],
  ];
  const batch = [];
  for (const [i, [distinctId, attribute, value, message]] of writes.entries()) {
    const local = distinctId === "guest" ? core.validateDistinctId(distinctId) : core.validateWrite(config, attribute, value);
    assert.equal(local.ok, false, attribute);
    assert.equal(local.error.message, message, "the core's message");
    const res = await api(scratch, "POST", "/api/v1/attributes/values", { key: scratch.publicKey, body: { distinctId, attribute, value } });
    assert.equal(res.status, 400, res.text);
    assert.deepEqual(res.body.error, { code: local.error.code, message: local.error.message, status: 400 });
    batch.push({ id: `msg-${i}`, distinctId, attribute, value });
  }
  const res = await api(scratch, "POST", "/api/v1/attributes/values/batch", { key: scratch.publicKey, body: { writes: batch } });
  assert.equal(res.status, 200, res.text);
  for (const [i, r] of res.body.results.entries()) {
    assert.equal(r.ok, false);
    assert.equal(r.error.message, writes[i][3], `batch ${i}`);
  }
});
