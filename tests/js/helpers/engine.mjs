// Shared by tests/js/core_commands.test.mjs and core_engine.test.mjs: the
// fixture conventions of tests/fixtures/commands and tests/fixtures/scenarios, as the C++ runner
// (tests/cpp/core/engine_test_support.h) implements them. Format: docs/engine.md.
import { Answers } from "../../../js/src/answers.js";

/**
 * The module's one engine (bindings/engine.cpp: plain functions over one Engine per module) under
 * the method names of core/engine.h, so a test reads `e.command(cmd, now)`. Every call goes to
 * whatever engine the module holds now (engineCreate / engineRestore replace it).
 */
export function engineOf(core) {
  // As the runtime reads a push's answer: a repeated set's short answer made whole (answers.js).
  const answers = new Answers();
  return {
    create: (clientId, limits = {}) => core.engineCreate(clientId, limits),
    restore: (snapshot, workspace, limits = {}) => core.engineRestore(snapshot, workspace, limits),
    command: (cmd, now) => answers.whole(core.engineCommand(cmd, now)),
    write: (req, now) => core.engineWrite(req, now),
    configure: (config, now, provisional = false) => core.engineConfigure(config, now, provisional),
    takeBatch: (now, flush = false) => core.engineTakeBatch(now, flush),
    completeBatch: (outcome, now) => core.engineCompleteBatch(outcome, now),
    nextWake: (now) => core.engineNextWake(now),
    takeEvents: () => core.engineTakeEvents(),
    snapshot: () => core.engineSnapshot(),
    loadSnapshot: (snapshot, workspace, now) => core.engineLoadSnapshot(snapshot, workspace, now),
    inspect: () => core.engineInspect(),
  };
}

/** {"$fn": true} -> a function, {"$symbol": true} -> a symbol; everything else copied. */
export function materialize(value) {
  if (Array.isArray(value)) return value.map(materialize);
  if (value === null || typeof value !== "object") return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === "$fn") return () => {};
  if (keys.length === 1 && keys[0] === "$symbol") return Symbol("fixture");
  const out = {};
  for (const k of keys) {
    Object.defineProperty(out, k, { value: materialize(value[k]), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const only = (v, key) => isObject(v) && Object.keys(v).length === 1 && Object.hasOwn(v, key);

/**
 * Partial match: every key of an expected object must match ({"$absent": true}: must be missing,
 * {"$any": true}: anything present); arrays element-wise with equal length; numbers within 1e-9
 * relative. Returns null on a match, else the path and reason of the first difference.
 */
export function match(expect, actual, path = "$") {
  if (isObject(expect)) {
    if (only(expect, "$any")) return null;
    if (!isObject(actual)) return `${path}: expected an object, got ${show(actual)}`;
    for (const key of Object.keys(expect)) {
      const want = expect[key];
      const has = Object.hasOwn(actual, key);
      if (only(want, "$absent")) {
        if (has) return `${path}.${key}: expected absent, got ${show(actual[key])}`;
        continue;
      }
      if (!has) return `${path}.${key}: missing`;
      const diff = match(want, actual[key], `${path}.${key}`);
      if (diff) return diff;
    }
    return null;
  }
  if (Array.isArray(expect)) {
    if (!Array.isArray(actual) || actual.length !== expect.length) return `${path}: expected ${show(expect)}, got ${show(actual)}`;
    for (let k = 0; k < expect.length; k++) {
      const diff = match(expect[k], actual[k], `${path}[${k}]`);
      if (diff) return diff;
    }
    return null;
  }
  if (typeof expect === "number" && typeof actual === "number") {
    if (Math.abs(expect - actual) <= 1e-9 * Math.max(1, Math.abs(expect), Math.abs(actual))) return null;
  } else if (expect === actual) {
    return null;
  }
  return `${path}: expected ${show(expect)}, got ${show(actual)}`;
}

function show(v) {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 200 ? `${s.slice(0, 180)}...` : s;
  } catch {
    return String(v);
  }
}
