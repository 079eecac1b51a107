// Shared fixture loading for tests/js. Format: tests/fixtures/README.md.
//
//   import { readFixtures, sameValue } from "./helpers/fixtures.mjs";
//   for (const { file, doc } of readFixtures("values")) ...   // macros already expanded
//
// Everything is read synchronously so that suites can declare one node test per case.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const fixturesDir = resolve(dirname(fileURLToPath(import.meta.url)), "../../fixtures");

/** Every *.json in tests/fixtures/<subdir>, sorted by name, parsed and macro-expanded. */
export function readFixtures(subdir) {
  const dir = join(fixturesDir, subdir);
  const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  if (files.length === 0) throw new Error(`no fixtures in ${dir}`);
  return files.map((file) => {
    let doc;
    try {
      doc = JSON.parse(readFileSync(join(dir, file), "utf8"));
    } catch (e) {
      throw new Error(`${subdir}/${file}: ${e.message}`);
    }
    return { file, doc: expandMacros(doc, `${subdir}/${file}`) };
  });
}

const MACROS = {
  $repeat([s, n]) {
    return str(s, "$repeat").repeat(int(n, "$repeat"));
  },
  $concat(parts) {
    return parts.map((p) => str(p, "$concat")).join("");
  },
  $utf16(units) {
    for (const u of units) int(u, "$utf16", 0xffff);
    return String.fromCharCode(...units);
  },
  $array([item, n]) {
    return Array(int(n, "$array")).fill(item);
  },
};

/**
 * Replaces every {"$repeat"|"$concat"|"$utf16"|"$array": args} (an object with exactly that one
 * key) by its value, recursively, arguments first. Unknown "$..." single keys are left alone.
 */
export function expandMacros(value, where = "fixture") {
  if (Array.isArray(value)) return value.map((v) => expandMacros(v, where));
  if (value === null || typeof value !== "object") return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && Object.hasOwn(MACROS, keys[0])) {
    const args = expandMacros(value[keys[0]], where);
    if (!Array.isArray(args)) throw new Error(`${where}: ${keys[0]} needs an array`);
    return MACROS[keys[0]](args);
  }
  // Own data properties, so a "__proto__" key stays a key (JSON.parse makes it one).
  const out = {};
  for (const k of keys) {
    Object.defineProperty(out, k, { value: expandMacros(value[k], where), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function str(s, macro) {
  if (typeof s !== "string") throw new Error(`${macro}: expected a string, got ${JSON.stringify(s)}`);
  return s;
}
function int(n, macro, max = 1e7) {
  if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`${macro}: bad count ${n}`);
  return n;
}

/**
 * The message check every runner applies to a failing value or distinct id case
 * (tests/fixtures/README.md): the case must pin a message, and `actual` (the core's, or the
 * server's error body's) must be exactly it. Returns null when it holds, else what is wrong.
 */
export function messageDiff(actual, expect) {
  if (!Object.hasOwn(expect, "message")) return `the case has no expected message; got ${show(actual)}`;
  return actual === expect.message ? null : `message ${show(actual)} !== ${show(expect.message)}`;
}

/**
 * Structural equality as the fixtures define it: numbers by value (so -0 equals 0), objects by
 * own keys in any order, arrays in order. Returns null when equal, else the path of the first
 * difference with both sides, for the assertion message.
 */
export function sameValue(actual, expected, path = "$") {
  if (typeof expected === "number" || typeof actual === "number") {
    if (typeof actual === typeof expected && (actual === expected || (Number.isNaN(actual) && Number.isNaN(expected)))) return null;
    return `${path}: ${show(actual)} !== ${show(expected)}`;
  }
  if (expected === null || typeof expected !== "object" || actual === null || typeof actual !== "object") {
    return actual === expected ? null : `${path}: ${show(actual)} !== ${show(expected)}`;
  }
  if (Array.isArray(expected) !== Array.isArray(actual)) return `${path}: ${show(actual)} !== ${show(expected)}`;
  const ak = Object.keys(actual);
  const ek = Object.keys(expected);
  if (ak.length !== ek.length || ek.some((k) => !Object.hasOwn(actual, k))) {
    return `${path}: keys [${ak}] !== [${ek}]`;
  }
  for (const k of ek) {
    const d = sameValue(actual[k], expected[k], `${path}.${k}`);
    if (d) return d;
  }
  return null;
}

function show(v) {
  if (typeof v === "string") {
    const s = JSON.stringify(v);
    return s.length > 80 ? `${s.slice(0, 60)}...(${v.length} units)` : s;
  }
  if (Object.is(v, -0)) return "-0";
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 120 ? `${s.slice(0, 100)}...` : s;
  } catch {
    return String(v);
  }
}
