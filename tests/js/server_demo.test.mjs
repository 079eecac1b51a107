// The demo routes `npm start` turns on (--seed-demo): the page's key and API host, and what the
// server stored for a person, read with the secret key on the page's behalf.
import test from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startServer } from "./helpers/server.mjs";

test("demo routes: config for the page, and stored values read on its behalf", async (t) => {
  const server = await startServer();
  t.after(() => server.stop());

  const config = await (await fetch(`${server.url}/demo/config.json`)).json();
  assert.equal(config.publicKey, server.publicKey);
  assert.equal(config.apiHost, server.url);
  assert.ok(!JSON.stringify(config).includes(server.secretKey), "never hands out the secret key");

  const write = await fetch(`${server.url}/api/v1/attributes/values`, {
    method: "POST",
    headers: { authorization: `Bearer ${server.publicKey}`, "content-type": "application/json" },
    body: JSON.stringify({ distinctId: "demo/user 1", attribute: "plan", value: "growth" }),
  });
  assert.equal(write.status, 200);

  const person = await fetch(`${server.url}/demo/person/${encodeURIComponent("demo/user 1")}`);
  assert.equal(person.status, 200);
  const body = await person.json();
  assert.equal(body.distinctId, "demo/user 1");
  assert.deepEqual(body.attributes, { plan: "Growth" });

  // Nobody wrote for this person yet: the console shows an empty record, not an error.
  const missing = await fetch(`${server.url}/demo/person/nobody-here`);
  assert.equal(missing.status, 200);
  assert.deepEqual(await missing.json(), { distinctId: "nobody-here", attributes: {} });
  // The real API still says 404 for the same person.
  const api = await fetch(`${server.url}/api/v1/persons/nobody-here/attributes`, {
    headers: { authorization: `Bearer ${server.secretKey}` },
  });
  assert.equal(api.status, 404);
});

test("demo routes are off without --seed-demo, even on a database with the demo workspace", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "attrkit-demo-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = path.join(dir, "demo.db");
  const seeded = await startServer({ db });
  assert.equal((await fetch(`${seeded.url}/demo/config.json`)).status, 200);
  await seeded.stop();

  const plain = await startServer({ db, seedDemo: false });
  t.after(() => plain.stop());
  const res = await fetch(`${plain.url}/demo/config.json`);
  assert.equal(res.status, 404);
  assert.equal((await fetch(`${plain.url}/demo/person/u1`)).status, 404);
});
