// The reference server's endpoints over real HTTP (DESIGN §7): shapes, normalised values, every
// error code with its status, ETag / 304, definitions and settings, body caps.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { api, startServer } from "./helpers/server.mjs";

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

const sk = () => server.secretKey;
const pk = () => server.publicKey;
const write = (body, key = pk()) => api(server, "POST", "/api/v1/attributes/values", { key, body });
const person = (distinctId) =>
  api(server, "GET", `/api/v1/persons/${encodeURIComponent(distinctId)}/attributes`, { key: sk() });

function assertError(res, status, code) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body?.error?.code, code, res.text);
  assert.equal(res.body.error.status, status);
  assert.equal(typeof res.body.error.message, "string");
  assert.ok(res.body.error.message.length > 0);
  assert.match(res.headers.get("content-type"), /^application\/json/);
}

describe("GET /api/v1/sdk/config", () => {
  test("answers the demo workspace with its definitions and an ETag", async () => {
    const res = await api(server, "GET", "/api/v1/sdk/config", { key: pk() });
    assert.equal(res.status, 200);
    assert.equal(typeof res.body.workspace, "string");
    assert.equal(res.body.clientAttributeWrites, true);
    assert.ok(res.body.definitionsVersion !== undefined);
    const byKey = Object.fromEntries(res.body.attributes.map((d) => [d.key, d]));
    assert.deepEqual(byKey.plan.options, ["Free", "Starter", "Pro", "Growth", "Enterprise"]);
    assert.deepEqual(byKey.role.options, ["admin", "member", "viewer"]);
    assert.deepEqual(byKey.persona.options, ["teacher", "student"]);
    assert.equal(byKey.topics.type, "multi_choice");
    assert.equal(byKey.signup_date.type, "date");
    assert.equal(byKey.team_size.integer, true);
    assert.equal(byKey.hasInstalled.type, "boolean");
    assert.equal(byKey.feature_usage.type, "string_array");
    assert.ok(res.body.attributes.some((d) => d.archived === true));
    assert.equal(byKey.email, undefined, "built-ins are implicit");
    assert.match(res.headers.get("etag"), /^"[^"]+"$/);
    assert.equal(res.headers.get("cache-control"), "no-cache");

    const withSecret = await api(server, "GET", "/api/v1/sdk/config", { key: sk() });
    assert.equal(withSecret.status, 200);
    assert.deepEqual(withSecret.body, res.body);
  });

  test("If-None-Match with the current ETag is a 304 until definitions or settings change", async () => {
    const first = await api(server, "GET", "/api/v1/sdk/config", { key: pk() });
    const etag = first.headers.get("etag");
    const same = await api(server, "GET", "/api/v1/sdk/config", {
      key: pk(),
      headers: { "If-None-Match": etag },
    });
    assert.equal(same.status, 304);
    assert.equal(same.text, "");
    assert.equal(same.headers.get("etag"), etag);
    const weakInList = await api(server, "GET", "/api/v1/sdk/config", {
      key: pk(),
      headers: { "If-None-Match": `"nope", W/${etag}` },
    });
    assert.equal(weakInList.status, 304);
    const other = await api(server, "GET", "/api/v1/sdk/config", {
      key: pk(),
      headers: { "If-None-Match": '"something-else"' },
    });
    assert.equal(other.status, 200);

    const put = await api(server, "PUT", "/api/v1/attributes/definitions/etag_probe", {
      key: sk(),
      body: { type: "string" },
    });
    assert.equal(put.status, 200, put.text);
    const changed = await api(server, "GET", "/api/v1/sdk/config", {
      key: pk(),
      headers: { "If-None-Match": etag },
    });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.get("etag"), etag);
    assert.ok(changed.body.attributes.some((d) => d.key === "etag_probe"));
    assert.notEqual(changed.body.definitionsVersion, first.body.definitionsVersion);

    // A PUT that changes nothing keeps the tag.
    await api(server, "PUT", "/api/v1/attributes/definitions/etag_probe", {
      key: sk(),
      body: { type: "string" },
    });
    const unchanged = await api(server, "GET", "/api/v1/sdk/config", {
      key: pk(),
      headers: { "If-None-Match": changed.headers.get("etag") },
    });
    assert.equal(unchanged.status, 304);
  });
});

describe("POST /api/v1/attributes/values", () => {
  test("stores and answers the normalised value", async () => {
    const cases = [
      ["plan", "pro", "Pro"],
      ["role", "ADMIN", "admin"],
      ["team_size", "12", 12],
      ["hasInstalled", "true", true],
      ["signup_date", "2024-06-15", "2024-06-15"],
      ["signup_date", 0, "1970-01-01T00:00:00.000Z"],
      ["topics", "math", ["math"]],
      ["topics", ["art", "Art", "cooking", "history"], ["art", "history"]],
      ["feature_usage", ["export", 3], ["export", "3"]],
      ["name", "<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"],
    ];
    let personId;
    for (const [attribute, value, expected] of cases) {
      const res = await write({ distinctId: "api-normalise", attribute, value });
      assert.equal(res.status, 200, `${attribute}: ${res.text}`);
      assert.equal(res.body.attribute, attribute);
      assert.deepEqual(res.body.value, expected, attribute);
      assert.match(res.body.personId, /^p_[A-Za-z0-9]{16}$/);
      personId ??= res.body.personId;
      assert.equal(res.body.personId, personId, "one person per distinct id");
    }
    const read = await person("api-normalise");
    assert.equal(read.status, 200);
    assert.equal(read.body.personId, personId);
    assert.equal(read.body.distinctId, "api-normalise");
    assert.equal(read.body.attributes.plan, "Pro");
    assert.equal(read.body.attributes.team_size, 12);
    assert.deepEqual(read.body.attributes.topics, ["art", "history"]);
    assert.equal(read.body.attributes.name, "<img src=x onerror=alert(1)>");
  });

  test("refuses what the core refuses, with its code and status", async () => {
    const cases = [
      [{ distinctId: "api-err", attribute: "favourite_colour", value: "blue" }, 400, "attribute_not_defined"],
      [{ distinctId: "api-err", attribute: "Plan", value: "Pro" }, 400, "attribute_not_defined"],
      [{ distinctId: "api-err", attribute: "__proto__", value: "x" }, 400, "attribute_not_defined"],
      [{ distinctId: "api-err", attribute: "plan", value: "Gold" }, 400, "attribute_value_invalid"],
      [{ distinctId: "api-err", attribute: "team_size", value: 2.5 }, 400, "attribute_value_invalid"],
      [{ distinctId: "api-err", attribute: "signup_date", value: "2024-02-30" }, 400, "attribute_value_invalid"],
      [{ distinctId: "api-err", attribute: "hasInstalled", value: null }, 400, "attribute_value_invalid"],
      [{ distinctId: "api-err", attribute: "feature_usage", value: ["x".repeat(701)] }, 400, "attribute_value_too_long"],
      [{ distinctId: "api-err", attribute: "name", value: "y".repeat(701) }, 400, "attribute_value_too_long"],
      [{ distinctId: "api-err", attribute: "legacy_segment", value: "x" }, 400, "attribute_archived"],
      [{ distinctId: "undefined", attribute: "plan", value: "Pro" }, 400, "distinct_id_invalid"],
      [{ distinctId: "x".repeat(201), attribute: "plan", value: "Pro" }, 400, "distinct_id_invalid"],
      [{ distinctId: 42, attribute: "plan", value: "Pro" }, 400, "distinct_id_invalid"],
      [{ attribute: "plan", value: "Pro" }, 400, "distinct_id_invalid"],
      [{ distinctId: "api-err", value: "Pro" }, 400, "invalid_request"],
      [{ distinctId: "api-err", attribute: "plan" }, 400, "invalid_request"],
      [["plan", "Pro"], 400, "invalid_request"],
    ];
    for (const [body, status, code] of cases) {
      assertError(await write(body), status, code);
    }
    assertError(await person("api-err"), 404, "not_found");
  });

  test("a body that is not JSON is invalid_request", async () => {
    for (const rawBody of ["plan=Pro", "{", "", "null x"]) {
      const res = await api(server, "POST", "/api/v1/attributes/values", {
        key: pk(),
        rawBody,
        headers: { "Content-Type": "application/json" },
      });
      assertError(res, 400, "invalid_request");
    }
  });

  test("the body is JSON whatever its Content-Type says (curl -d sends a form type)", async () => {
    const body = JSON.stringify({ distinctId: "api-ctype", attribute: "name", value: "n".repeat(9000) });
    for (const type of ["application/x-www-form-urlencoded", "text/plain;charset=UTF-8", "application/json"]) {
      const res = await api(server, "POST", "/api/v1/attributes/values", {
        key: pk(),
        rawBody: body,
        headers: { "Content-Type": type },
      });
      // 9 000 bytes is past httplib's 8 KB form cap but under ours: the core judges the value.
      assertError(res, 400, "attribute_value_too_long");
    }
    const form = new FormData();
    form.append("distinctId", "api-ctype");
    const multipart = await api(server, "POST", "/api/v1/attributes/values", { key: pk(), rawBody: form });
    assertError(multipart, 400, "invalid_request");
    const empty = await api(server, "POST", "/api/v1/attributes/values", { key: pk() });
    assertError(empty, 400, "invalid_request");
    const emptyNoKey = await api(server, "POST", "/api/v1/attributes/values", {});
    assertError(emptyNoKey, 401, "invalid_key");
  });

  test("a lone surrogate is the core's attribute_value_invalid, not a parse error", async () => {
    const res = await write({ distinctId: "api-lone", attribute: "name", value: "Sam\uD800" });
    assertError(res, 400, "attribute_value_invalid");
    const id = await write({ distinctId: "u\uDC00", attribute: "name", value: "Sam" });
    assertError(id, 400, "distinct_id_invalid");
  });

  test("bodies over 64 KB are 413 payload_too_large", async () => {
    const big = { distinctId: "api-big", attribute: "name", value: "x".repeat(70 * 1024) };
    assertError(await write(big), 413, "payload_too_large");
    // Just under the cap is read and validated (here: too long for the attribute).
    const near = { distinctId: "api-big", attribute: "name", value: "x".repeat(60 * 1024) };
    assertError(await write(near), 400, "attribute_value_too_long");
    // A chunked body (no Content-Length) is measured as it is read.
    const chunks = [JSON.stringify(big).slice(0, 40000), JSON.stringify(big).slice(40000)];
    const stream = new ReadableStream({
      pull(controller) {
        if (chunks.length) controller.enqueue(new TextEncoder().encode(chunks.shift()));
        else controller.close();
      },
    });
    const chunked = await fetch(`${server.url}/api/v1/attributes/values`, {
      method: "POST",
      headers: { Authorization: `Bearer ${pk()}`, "Content-Type": "application/json" },
      body: stream,
      duplex: "half",
    });
    assert.equal(chunked.status, 413);
    assert.equal((await chunked.json()).error.code, "payload_too_large");
    // The connection is still usable afterwards.
    assert.equal((await write({ distinctId: "api-big", attribute: "name", value: "ok" })).status, 200);
  });
});

describe("DELETE /api/v1/attributes/values", () => {
  test("clears one attribute and answers value null", async () => {
    await write({ distinctId: "api-del", attribute: "plan", value: "Pro" });
    await write({ distinctId: "api-del", attribute: "role", value: "admin" });
    const res = await api(server, "DELETE", "/api/v1/attributes/values", {
      key: pk(),
      body: { distinctId: "api-del", attribute: "plan" },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.attribute, "plan");
    assert.equal(res.body.value, null);
    assert.match(res.body.personId, /^p_/);
    assert.deepEqual((await person("api-del")).body.attributes, { role: "admin" });
  });

  test("creates the person when needed; refuses undefined and archived attributes", async () => {
    const res = await api(server, "DELETE", "/api/v1/attributes/values", {
      key: pk(),
      body: { distinctId: "api-del-new", attribute: "plan" },
    });
    assert.equal(res.status, 200);
    const read = await person("api-del-new");
    assert.equal(read.status, 200);
    assert.equal(read.body.personId, res.body.personId);
    assert.deepEqual(read.body.attributes, {});
    const del = (body) => api(server, "DELETE", "/api/v1/attributes/values", { key: pk(), body });
    assertError(await del({ distinctId: "api-del", attribute: "nope" }), 400, "attribute_not_defined");
    assertError(await del({ distinctId: "api-del", attribute: "legacy_segment" }), 400, "attribute_archived");
    assertError(await del({ distinctId: "guest", attribute: "plan" }), 400, "distinct_id_invalid");
    assertError(await del({ distinctId: "api-del" }), 400, "invalid_request");
  });
});

describe("POST /api/v1/attributes/values/batch", () => {
  test("answers one result per write, in order, with per-write errors", async () => {
    const res = await api(server, "POST", "/api/v1/attributes/values/batch", {
      key: pk(),
      body: {
        writes: [
          { id: "api-b1", distinctId: "api-batch", attribute: "plan", value: "growth", clientId: "c1", seq: 1 },
          { id: "api-b2", distinctId: "api-batch", attribute: "nope", value: 1, clientId: "c1", seq: 2 },
          { id: "api-b3", distinctId: "anonymous", attribute: "plan", value: "Pro", clientId: "c1", seq: 3 },
          { id: "api-b4", distinctId: "api-batch", attribute: "team_size", value: "7", clientId: "c1", seq: 4 },
        ],
      },
    });
    assert.equal(res.status, 200, res.text);
    const r = res.body.results;
    assert.deepEqual(r.map((x) => x.id), ["api-b1", "api-b2", "api-b3", "api-b4"]);
    assert.deepEqual(r.map((x) => x.ok), [true, false, false, true]);
    assert.equal(r[0].value, "Growth");
    assert.equal(r[0].attribute, "plan");
    assert.match(r[0].personId, /^p_/);
    assert.deepEqual(r[1].error, { code: "attribute_not_defined", message: r[1].error.message, status: 400 });
    assert.equal(r[2].error.code, "distinct_id_invalid");
    assert.equal(r[3].value, 7);
    assert.deepEqual((await person("api-batch")).body.attributes, { plan: "Growth", team_size: 7 });
  });

  test("a malformed envelope is invalid_request and applies nothing; over 100 writes is 413", async () => {
    const batch = (body) => api(server, "POST", "/api/v1/attributes/values/batch", { key: pk(), body });
    const good = { id: "api-env-ok", distinctId: "api-env", attribute: "plan", value: "Pro" };
    assertError(await batch({}), 400, "invalid_request");
    assertError(await batch({ writes: "x" }), 400, "invalid_request");
    assertError(await batch({ writes: [good, { distinctId: "api-env" }] }), 400, "invalid_request");
    assertError(await batch({ writes: [good], removeUnspecified: 1 }), 400, "invalid_request");
    assertError(await person("api-env"), 404, "not_found");
    const many = Array.from({ length: 101 }, (_, i) => ({ ...good, id: `api-many-${i}` }));
    assertError(await batch({ writes: many }), 413, "payload_too_large");
    assertError(await person("api-env"), 404, "not_found");
    const hundred = many.slice(0, 100);
    const ok = await batch({ writes: hundred });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.results.length, 100);
  });
});

describe("GET /api/v1/persons/{distinctId}/attributes", () => {
  test("finds distinct ids with slashes, spaces and non-ASCII characters", async () => {
    for (const distinctId of ["a/b/c", "with space", "Zoë 🎉", "user+tag@example.com", "%2F"]) {
      const w = await write({ distinctId, attribute: "role", value: "viewer" });
      assert.equal(w.status, 200, `${distinctId}: ${w.text}`);
      const read = await person(distinctId);
      assert.equal(read.status, 200, distinctId);
      assert.equal(read.body.distinctId, distinctId);
      assert.equal(read.body.personId, w.body.personId);
      assert.deepEqual(read.body.attributes, { role: "viewer" });
    }
  });

  test("unknown is 404 not_found; a placeholder is distinct_id_invalid", async () => {
    assertError(await person("never-seen"), 404, "not_found");
    assertError(await person("guest"), 400, "distinct_id_invalid");
    assertError(await person("null"), 400, "distinct_id_invalid");
  });
});

describe("definitions", () => {
  test("GET lists the declared attributes (not the built-ins)", async () => {
    const res = await api(server, "GET", "/api/v1/attributes/definitions", { key: sk() });
    assert.equal(res.status, 200);
    const keys = res.body.attributes.map((d) => d.key);
    for (const k of ["plan", "role", "persona", "topics", "signup_date", "team_size", "hasInstalled", "feature_usage"]) {
      assert.ok(keys.includes(k), k);
    }
    assert.ok(!keys.includes("name"));
  });

  test("PUT declares, changes and archives; writes follow at once", async () => {
    const put = (key, body) =>
      api(server, "PUT", `/api/v1/attributes/definitions/${key}`, { key: sk(), body });
    const version = async () => (await api(server, "GET", "/api/v1/sdk/config", { key: pk() })).body.definitionsVersion;

    const v0 = await version();
    const res = await put("seats", { type: "number", min: 1, max: 50, integer: true });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.key, "seats");
    assert.equal(res.body.max, 50);
    const v1 = await version();
    assert.notEqual(v1, v0);
    assert.equal((await write({ distinctId: "api-def", attribute: "seats", value: "20" })).body.value, 20);
    assertError(await write({ distinctId: "api-def", attribute: "seats", value: 51 }), 400, "attribute_value_invalid");

    assert.equal((await put("seats", { key: "seats", type: "number", max: 100 })).status, 200);
    assert.equal((await write({ distinctId: "api-def", attribute: "seats", value: 51 })).status, 200);

    assert.equal((await put("seats", { type: "number", archived: true })).status, 200);
    assertError(await write({ distinctId: "api-def", attribute: "seats", value: 5 }), 400, "attribute_archived");
    const cfg = await api(server, "GET", "/api/v1/sdk/config", { key: pk() });
    assert.equal(cfg.body.attributes.find((d) => d.key === "seats").archived, true);
    // Stored values stay readable after archiving.
    assert.equal((await person("api-def")).body.attributes.seats, 51);

    assert.equal((await put("seats", { type: "number" })).status, 200);
    assert.equal((await write({ distinctId: "api-def", attribute: "seats", value: 5 })).status, 200);
  });

  test("PUT refuses built-ins, bad keys, mismatched keys and bad definitions", async () => {
    const put = (key, body, raw) =>
      api(server, "PUT", `/api/v1/attributes/definitions/${key}`, { key: sk(), body, rawBody: raw });
    assertError(await put("email", { type: "string" }), 400, "invalid_request");
    assertError(await put("name", { type: "string" }), 400, "invalid_request");
    assertError(await put("9lives", { type: "string" }), 400, "invalid_request");
    assertError(await put("has-dash", { type: "string" }), 400, "invalid_request");
    assertError(await put("x".repeat(65), { type: "string" }), 400, "invalid_request");
    assertError(await put("good_key", { key: "other", type: "string" }), 400, "invalid_request");
    assertError(await put("good_key", { type: "colour" }), 400, "invalid_request");
    assertError(await put("good_key", { type: "single_choice" }), 400, "invalid_request");
    assertError(await put("good_key", { type: "number", min: 5, max: 1 }), 400, "invalid_request");
    assertError(await put("good_key", ["string"]), 400, "invalid_request");
    assertError(await put("good_key", undefined, "{type:"), 400, "invalid_request");
    const defs = await api(server, "GET", "/api/v1/attributes/definitions", { key: sk() });
    assert.ok(!defs.body.attributes.some((d) => d.key === "good_key"));
  });
});

describe("workspace settings", () => {
  test("PUT toggles clientAttributeWrites; GET reads it; the config follows", async () => {
    const put = (body) => api(server, "PUT", "/api/v1/workspace/settings", { key: sk(), body });
    const off = await put({ clientAttributeWrites: false });
    assert.equal(off.status, 200, off.text);
    assert.equal(off.body.clientAttributeWrites, false);
    assert.equal(typeof off.body.workspace, "string");
    const got = await api(server, "GET", "/api/v1/workspace/settings", { key: sk() });
    assert.deepEqual(got.body, off.body);
    assert.equal((await api(server, "GET", "/api/v1/sdk/config", { key: pk() })).body.clientAttributeWrites, false);
    assertError(await write({ distinctId: "api-set", attribute: "plan", value: "Pro" }), 403, "client_attribute_writes_disabled");

    const on = await put({ clientAttributeWrites: true });
    assert.equal(on.body.clientAttributeWrites, true);
    assert.notEqual(on.body.definitionsVersion, off.body.definitionsVersion);
    assert.equal((await write({ distinctId: "api-set", attribute: "plan", value: "Pro" })).status, 200);

    assertError(await put({}), 400, "invalid_request");
    assertError(await put({ clientAttributeWrites: "yes" }), 400, "invalid_request");
    assertError(await put([true]), 400, "invalid_request");
  });
});

describe("routing", () => {
  test("unknown API paths and methods are 404 not_found with the JSON error shape", async () => {
    assertError(await api(server, "GET", "/api/v1/nope", { key: sk() }), 404, "not_found");
    assertError(await api(server, "GET", "/api/v1/attributes/values", { key: sk() }), 404, "not_found");
    assertError(await api(server, "PATCH", "/api/v1/attributes/values", { key: sk(), body: {} }), 404, "not_found");
    assertError(await api(server, "POST", "/api/v2/attributes/values", { key: sk(), body: {} }), 404, "not_found");
  });
});
