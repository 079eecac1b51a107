// The npm package as a user gets it: `npm pack` in js/, the tarball installed into a fresh
// project (no network: the package has no dependencies), imported by name in Node where there is
// no window, used against a real server; and the hand-written types checked by tsc.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";

import { repoRoot, startServer } from "./helpers/server.mjs";

const js = path.join(repoRoot, "js");
if (!existsSync(path.join(js, "dist/attrkit.mjs"))) throw new Error("js/dist is missing: run `node js/build.mjs`");
let dir, server;
before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "attrkit-pack-"));
  server = await startServer();
});
after(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("npm pack -> install the tarball -> import { createClient } from \"attrkit\"", async () => {
  const packed = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", dir], { cwd: js, encoding: "utf8" }));
  const files = packed[0].files.map((f) => f.path).sort();
  for (const f of ["dist/attrkit.mjs", "dist/attrkit.node.mjs", "dist/attrkit.js", "dist/snippet.min.js", "types/index.d.ts", "package.json", "LICENSE"]) {
    assert.ok(files.includes(f), `${f} in ${files}`);
  }
  // One .wasm, content-hashed, shared by the npm entries and the script tag.
  assert.deepEqual(files.filter((f) => f.endsWith(".wasm")).map((f) => /^dist\/attrkit-core\.[0-9a-f]{12}\.wasm$/.test(f)), [true]);
  // The no-Wasm fallback, which the entries import() by its hashed name (DESIGN §9).
  assert.deepEqual(files.filter((f) => f.includes("fallback")).map((f) => /^dist\/attrkit-core\.fallback\.[0-9a-f]{12}\.mjs$/.test(f)), [true]);
  assert.ok(!files.some((f) => f.startsWith("src/") || f.includes("check.ts")), files.join());
  const app = path.join(dir, "app");
  execFileSync("mkdir", ["-p", app]);
  writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline", path.join(dir, packed[0].filename)], { cwd: app, stdio: "pipe" });
  const script = `
    import { createClient, AttrkitError } from "attrkit";
    if (typeof window !== "undefined") throw new Error("window exists");
    const c = await createClient({ publicKey: process.env.PK, apiHost: process.env.HOST });
    const r = await c.analytics.setAttribute({ distinctId: "pack-user", attribute: "plan", value: "growth" });
    let code = null;
    try { await c.analytics.setAttribute({ distinctId: "pack-user", attribute: "plan", value: 5 }); } catch (e) { code = e instanceof AttrkitError && e.code; }
    c.close();
    console.log(JSON.stringify({ value: r.value, code }));`;
  writeFileSync(path.join(app, "main.mjs"), script);
  const out = execFileSync(process.execPath, ["main.mjs"], { cwd: app, encoding: "utf8", env: { ...process.env, PK: server.publicKey, HOST: server.url } });
  assert.deepEqual(JSON.parse(out.trim().split("\n").pop()), { value: "Growth", code: "attribute_value_invalid" });
  // Importing alone (an SSR pass) does nothing: no window, no fetch, no timers keeping Node alive.
  const bare = execFileSync(process.execPath, ["--input-type=module", "-e", "const m = await import('attrkit'); console.log(typeof m.createClient, typeof m.AttrkitError)"], { cwd: app, encoding: "utf8", timeout: 10000 });
  assert.equal(bare.trim(), "function function");
});

test("the TypeScript types: tsc --noEmit over js/types/check.ts (with @ts-expect-error lines)", () => {
  const tsc = path.join(repoRoot, "node_modules/.bin/tsc");
  assert.ok(existsSync(tsc), "typescript is a root devDependency");
  execFileSync(tsc, ["-p", path.join(js, "tsconfig.json"), "--noEmit"], { stdio: "pipe" });
  // A wrong type must fail: the same check with one line broken.
  const broken = path.join(dir, "broken.ts");
  writeFileSync(broken, `import { createClient } from "attrkit";\nconst c = await createClient({ publicKey: 1, apiHost: "x" });\nexport {};\n`);
  writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({
    compilerOptions: { target: "ES2022", module: "ESNext", moduleResolution: "Bundler", strict: true, noEmit: true, paths: { attrkit: [path.join(js, "types/index.d.ts")] } },
    files: [broken],
  }));
  assert.throws(() => execFileSync(tsc, ["-p", path.join(dir, "tsconfig.json")], { stdio: "pipe", encoding: "utf8" }), (e) => /broken\.ts.*error TS2322/.test(e.stdout));
});
