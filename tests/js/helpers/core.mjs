// Shared by every tests/js suite that needs the REAL Wasm core.
//
//   import { loadTestCore, distDir } from "./helpers/core.mjs";
//   const core = await loadTestCore();   // top-level await: a missing build fails the whole file
//
// The build folder is build/wasm/dist (scripts/build.sh wasm); ATTRKIT_WASM_DIST overrides it
// (an absolute path, or relative to the repository root).
import { existsSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { loadCore } from "../../../js/src/core_node.js";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const distEnv = process.env.ATTRKIT_WASM_DIST;
export const distDir = distEnv
  ? (isAbsolute(distEnv) ? distEnv : join(repoRoot, distEnv))
  : join(repoRoot, "build/wasm/dist");
export const glueFile = join(distDir, "attrkit-core.mjs");
export const wasmFile = join(distDir, "attrkit-core.wasm");
// The shipped objects plus the test-only bindings (bindings/testing.cpp, cmake/wasm.cmake): what
// loadTestCore() loads. glueFile / wasmFile above are the shipped module itself.
const testingDir = join(dirname(distDir), "testing");
const testingGlue = join(testingDir, "attrkit-core.testing.mjs");
const testingWasm = join(testingDir, "attrkit-core.testing.wasm");

export const fallbackFile = join(distDir, "attrkit-core.fallback.mjs");
/** ATTRKIT_CORE=fallback: every suite that uses loadTestCore() runs on the no-Wasm fallback (the
 * same core through wasm2js; tests/js/core_fallback.test.mjs), and skips what is about .wasm files. */
export const onFallback = process.env.ATTRKIT_CORE === "fallback";

/** A fresh, independent core instance (the testing module: the shipped bindings and the
 * test-only ones); throws (never skips) when the build is missing. */
export async function loadTestCore() {
  if (onFallback) {
    if (!existsSync(fallbackFile)) throw new Error(`attrkit: ${fallbackFile} is missing: run \`bash scripts/build.sh wasm\``);
    const core = await (await import(pathToFileURL(fallbackFile).href)).default({});
    if (typeof core?.validateValue !== "function") throw new Error("attrkit: the fallback core loaded without its bindings");
    return core;
  }
  for (const f of [testingGlue, testingWasm]) {
    if (!existsSync(f)) throw new Error(`attrkit: ${f} is missing: run \`bash scripts/build.sh wasm\``);
  }
  const core = await loadCore({ glueUrl: pathToFileURL(testingGlue), wasmUrl: pathToFileURL(testingWasm) });
  if (!core || typeof core.validateValue !== "function") {
    throw new Error("attrkit: the core loaded without its bindings");
  }
  return core;
}
