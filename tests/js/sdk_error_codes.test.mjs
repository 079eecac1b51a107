// The TypeScript ErrorCode union (js/types/index.d.ts) against the core's enum (core/error.h): every
// code the core can name is in the union, and the union names nothing else but the runtime's own
// (sdk_unavailable: the core could not load, so only JS can say it). Reads both files; no build.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

const root = new URL("../../", import.meta.url);
const read = (path) => readFileSync(new URL(path, root), "utf8");
const JS_ONLY = ["sdk_unavailable"];

function coreCodes() {
  const body = read("core/error.h").match(/enum class Error[^{]*\{([\s\S]*?)\};/)[1];
  const names = body.split("\n").map((l) => l.replace(/\/\/.*$/, "").trim()).filter(Boolean)
    .map((l) => l.replace(/[,\s].*$/, "").replace(/=.*$/, ""));
  return names.filter((n) => n !== "ok");
}

function unionCodes() {
  const body = read("js/types/index.d.ts").match(/export type ErrorCode =([\s\S]*?);/)[1];
  return [...body.replace(/\/\*[\s\S]*?\*\//g, "").matchAll(/"([a-z_]+)"/g)].map((m) => m[1]);
}

test("ErrorCode lists exactly the core's codes (plus the runtime's sdk_unavailable)", () => {
  const core = coreCodes();
  assert.ok(core.length >= 20 && core.includes("attribute_not_defined") && core.includes("server_error"), core.join());
  const union = unionCodes();
  assert.deepEqual(union.filter((c) => !JS_ONLY.includes(c)).sort(), [...core].sort());
  for (const c of JS_ONLY) assert.ok(union.includes(c), c);
});
