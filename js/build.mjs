// Builds js/dist from js/src and the Wasm build (docs/sdk.md "Build"):
//   dist/attrkit.mjs              npm entry for browsers and bundlers: ES-module glue + runtime;
//                                 the wasm by a literal new URL("./attrkit-core.<hash>.wasm", import.meta.url)
//   dist/attrkit.node.mjs         npm entry for Node / SSR (`exports` "node"): reads the same .wasm from disk
//   dist/attrkit.js               script tag: IIFE = classic-script glue + runtime, one closure
//   dist/attrkit-core.<hash>.wasm the ONE .wasm every entry loads (content-hashed: immutable caching)
//   dist/attrkit-core.fallback.<hash>.mjs  the same core compiled by wasm2js: loaded only where
//                                 WebAssembly cannot run (js/src/fallback.js; docs/wasm.md)
//   dist/snippet.min.js           the inline loader, with the SRI hash of this attrkit.js
//   dist/sri.json                 SRI hashes of the release files
// Usage: node js/build.mjs   (ATTRKIT_WASM_DIST: another Wasm dist folder; default build/wasm/dist;
//                             ATTRKIT_SDK_OUT: another output folder; default js/dist)
// The package's prepack runs `bash scripts/build.sh wasm` and this into js/dist, so `npm pack` /
// `npm publish` never ship an unbuilt or stale dist/.
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const env = process.env.ATTRKIT_WASM_DIST;
const wasmDist = env ? (isAbsolute(env) ? env : join(root, env)) : join(root, "build/wasm/dist");
const outEnv = process.env.ATTRKIT_SDK_OUT; // another output folder (parallel work trees of tests)
const out = outEnv ? (isAbsolute(outEnv) ? outEnv : join(root, outEnv)) : join(here, "dist");
const glue = join(wasmDist, "attrkit-core.mjs");
const scriptGlue = join(wasmDist, "attrkit-core.script.js");
const wasm = join(wasmDist, "attrkit-core.wasm");
const fallbackFile = join(wasmDist, "attrkit-core.fallback.mjs");
for (const f of [glue, scriptGlue, wasm, fallbackFile]) {
  if (!existsSync(f)) throw new Error(`attrkit: ${f} is missing: run \`bash scripts/build.sh wasm\` first`);
}

const wasmBytes = readFileSync(wasm);
const wasmName = `attrkit-core.${createHash("sha256").update(wasmBytes).digest("hex").slice(0, 12)}.wasm`;
const fallbackBytes = readFileSync(fallbackFile);
const fallbackName = `attrkit-core.fallback.${createHash("sha256").update(fallbackBytes).digest("hex").slice(0, 12)}.mjs`;
// Subresource Integrity (DESIGN §6): the runtime fetches these files with their hash.
const sriOf = (bytes) => `sha384-${createHash("sha384").update(bytes).digest("base64")}`;

// "#attrkit-core-glue" (index.js, node.js) is the Emscripten ES-module glue.
const gluePlugin = {
  name: "attrkit-glue",
  setup(build) {
    build.onResolve({ filter: /^#attrkit-core-glue$/ }, () => ({ path: glue }));
    // index.js / node.js import("./attrkit-core.fallback.mjs"): kept a literal import() of the
    // hashed file beside the bundle, so bundlers emit it as a chunk of its own.
    build.onResolve({ filter: /^\.\/attrkit-core\.fallback\.mjs$/ }, () => ({ path: `./${fallbackName}`, external: true }));
  },
};
const wasmPath = `./${wasmName}`;
const common = {
  bundle: true, minify: true, target: "es2020", legalComments: "none", logLevel: "warning", plugins: [gluePlugin],
  define: {
    __ATTRKIT_WASM__: JSON.stringify(wasmName), __ATTRKIT_WASM_PATH__: JSON.stringify(wasmPath),
    __ATTRKIT_WASM_SRI__: JSON.stringify(sriOf(wasmBytes)),
    __ATTRKIT_FALLBACK__: JSON.stringify(fallbackName), __ATTRKIT_FALLBACK_SRI__: JSON.stringify(sriOf(fallbackBytes)),
  },
};

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
copyFileSync(wasm, join(out, wasmName));
chmodSync(join(out, wasmName), 0o644); // the linker leaves it executable
copyFileSync(fallbackFile, join(out, fallbackName));
chmodSync(join(out, fallbackName), 0o644);

// Browsers and bundlers (DESIGN §9). What bundlers need is checked on the output itself, so a
// change in a source file or in esbuild cannot break webpack / Vite / Parcel unnoticed.
await esbuild.build({ ...common, entryPoints: [join(here, "src/index.js")], format: "esm", platform: "neutral", outfile: join(out, "attrkit.mjs") });
const mjs = readFileSync(join(out, "attrkit.mjs"), "utf8");
const literal = `new URL(${JSON.stringify(wasmPath)},import.meta.url)`;
const problems = [
  mjs.includes("node:") && 'a "node:" specifier',
  mjs.split(literal).length !== 2 && `not exactly one ${literal}`,
  mjs.split("import.meta").length !== 2 && "import.meta used elsewhere (a new URL(<expression>, import.meta.url)?)",
  /\bimport\((?!")/.test(mjs) && "a dynamic import() of an expression",
  mjs.split(`import("./${fallbackName}")`).length !== 2 && `not exactly one import("./${fallbackName}")`,
].filter(Boolean);
if (problems.length) throw new Error(`js/build.mjs: dist/attrkit.mjs has ${problems.join(", ")}: bundlers cannot follow it`);

// Node and SSR (`exports` "node"): not minified (nobody downloads it; stack traces stay readable).
await esbuild.build({ ...common, minify: false, entryPoints: [join(here, "src/node.js")], format: "esm", platform: "node", outfile: join(out, "attrkit.node.mjs") });

const iife = await esbuild.build({
  ...common, entryPoints: [join(here, "src/script.js")], format: "iife", platform: "browser", write: false,
});
// One closure: `attrkitCore` stays local, and the glue's UMD tail sees no AMD define / CommonJS
// module even on pages that have them.
const wrapped = `(function(define,exports,module){${readFileSync(scriptGlue, "utf8")}\n${iife.outputFiles[0].text}})();`;
// es2020: the fallback is loaded with import() (js/src/fallback.js).
const script = await esbuild.transform(wrapped, { minify: true, target: "es2020", legalComments: "none" });
writeFileSync(join(out, "attrkit.js"), script.code);

// The release's snippet names the release's .wasm and its SRI hash, so the page compiles it while
// attrkit.js downloads, and carries the SRI hash of this attrkit.js (js/src/snippet.js; DESIGN §6).
const snippetSource = readFileSync(join(here, "src/snippet.js"), "utf8");
const releaseArguments = /("\/sdk\/attrkit\.js", )"", "", ""(\);\s*$)/;
if (!releaseArguments.test(snippetSource)) throw new Error('js/build.mjs: js/src/snippet.js does not end with ("/sdk/attrkit.js", "", "", "")');
const filled = [wasmName, sriOf(Buffer.from(script.code)), sriOf(wasmBytes)].map((v) => JSON.stringify(v)).join(", ");
const snippet = await esbuild.transform(snippetSource.replace(releaseArguments, (_, a, b) => `${a}${filled}${b}`), { minify: true, target: "es5" });
writeFileSync(join(out, "snippet.min.js"), snippet.code.trim());

const files = readdirSync(out).filter((f) => f !== "sri.json").sort();
const sri = {};
for (const f of files) sri[f] = `sha384-${createHash("sha384").update(readFileSync(join(out, f))).digest("base64")}`;
writeFileSync(join(out, "sri.json"), `${JSON.stringify(sri, null, 2)}\n`);

for (const f of files) {
  const b = readFileSync(join(out, f));
  console.log(`${f.padEnd(32)} ${String(b.length).padStart(7)} B  gzip ${String(gzipSync(b, { level: 9 }).length).padStart(6)}  brotli ${String(brotliCompressSync(b).length).padStart(6)}`);
}
