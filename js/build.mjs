// Builds js/dist from js/src and the Wasm build (docs/sdk.md):
//   dist/attrkit.mjs             npm ESM entry, the ES-module glue bundled in
//   dist/attrkit-core.wasm       beside it (new URL("attrkit-core.wasm", import.meta.url))
//   dist/attrkit.js              script tag: IIFE = classic-script glue + runtime, one closure
//   dist/attrkit-core.<hash>.wasm what attrkit.js loads (content-hashed: immutable caching)
//   dist/snippet.min.js          the inline loader
//   dist/sri.json                SRI hashes of the release files
// Usage: node js/build.mjs   (ATTRKIT_WASM_DIST: another Wasm dist folder; default build/wasm/dist;
//                             ATTRKIT_SDK_OUT: another output folder; default js/dist)
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
for (const f of [glue, scriptGlue, wasm]) {
  if (!existsSync(f)) throw new Error(`attrkit: ${f} is missing: run \`bash scripts/build.sh wasm\` first`);
}

const wasmBytes = readFileSync(wasm);
const wasmName = `attrkit-core.${createHash("sha256").update(wasmBytes).digest("hex").slice(0, 12)}.wasm`;

// loadCore()'s defaults point into the repository (build/wasm/dist); the bundles always pass
// factory + wasmUrl, and a literal new URL("../../build/...", import.meta.url) left in a package
// would make bundlers look for a file that does not exist (and throws in the IIFE, which has no
// import.meta). The build fails if core.js no longer has them, so this cannot rot silently.
const attrkitPlugin = {
  name: "attrkit",
  setup(build) {
    build.onResolve({ filter: /^#attrkit-core-glue$/ }, () => ({ path: glue }));
    build.onLoad({ filter: /[\\/]src[\\/]core\.js$/ }, (args) => {
      const text = readFileSync(args.path, "utf8");
      const re = /new URL\("\.\.\/\.\.\/build\/wasm\/dist\/attrkit-core\.(mjs|wasm)", import\.meta\.url\)/g;
      const patched = text.replace(re, "undefined");
      if ((text.match(re) ?? []).length !== 2) throw new Error("js/build.mjs: core.js defaults changed; update the plugin");
      return { contents: patched, loader: "js" };
    });
  },
};
const common = { bundle: true, minify: true, target: "es2020", legalComments: "none", logLevel: "warning", plugins: [attrkitPlugin] };

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await esbuild.build({ ...common, entryPoints: [join(here, "src/index.js")], format: "esm", platform: "neutral", outfile: join(out, "attrkit.mjs") });
copyFileSync(wasm, join(out, "attrkit-core.wasm"));

const iife = await esbuild.build({
  ...common, entryPoints: [join(here, "src/script.js")], format: "iife", platform: "browser", write: false,
  define: { __ATTRKIT_WASM__: JSON.stringify(wasmName) },
  logOverride: { "empty-import-meta": "silent" }, // only core.js's now-unused base argument
});
// One closure: `attrkitCore` stays local, and the glue's UMD tail sees no AMD define / CommonJS
// module even on pages that have them.
const wrapped = `(function(define,exports,module){${readFileSync(scriptGlue, "utf8")}\n${iife.outputFiles[0].text}})();`;
const script = await esbuild.transform(wrapped, { minify: true, target: "es2019", legalComments: "none" });
writeFileSync(join(out, "attrkit.js"), script.code);
copyFileSync(wasm, join(out, wasmName));

const snippet = await esbuild.transform(readFileSync(join(here, "src/snippet.js"), "utf8"), { minify: true, target: "es5" });
writeFileSync(join(out, "snippet.min.js"), snippet.code.trim());

const files = readdirSync(out).filter((f) => f !== "sri.json").sort();
const sri = {};
for (const f of files) sri[f] = `sha384-${createHash("sha384").update(readFileSync(join(out, f))).digest("base64")}`;
writeFileSync(join(out, "sri.json"), `${JSON.stringify(sri, null, 2)}\n`);

for (const f of files) {
  const b = readFileSync(join(out, f));
  console.log(`${f.padEnd(32)} ${String(b.length).padStart(7)} B  gzip ${String(gzipSync(b, { level: 9 }).length).padStart(6)}  brotli ${String(brotliCompressSync(b).length).padStart(6)}`);
}
