// Seeds for the fuzz targets, from the shared fixtures (tests/fixtures). Writes one file per input
// under <out>/<target>/ (default build/fuzz-seeds); scripts/fuzz.sh --reseed merges them into the
// kept corpora (fuzz/corpus/<target>, minimised with libFuzzer's -merge=1).
// Fixture macros ($utf16, $repeat, $fn, ...) are kept as written: the targets expand them
// (fuzz/support.h), so a seed stays small and a lone surrogate survives JSON.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const out = process.argv[2] ?? join(root, "build/fuzz-seeds");
const fixtures = join(root, "tests/fixtures");
const read = (dir) =>
  readdirSync(join(fixtures, dir)).filter((f) => f.endsWith(".json")).sort()
    .map((f) => JSON.parse(readFileSync(join(fixtures, dir, f), "utf8")));

const seeds = {};
const add = (target, text) => {
  (seeds[target] ??= new Set()).add(typeof text === "string" ? text : JSON.stringify(text));
};

// Expanded form (lone surrogates as JSON escapes), for the targets that read raw text.
const expand = (j) => {
  if (Array.isArray(j)) return j.map(expand);
  if (!j || typeof j !== "object") return j;
  const keys = Object.keys(j);
  if (keys.length === 1 && keys[0] === "$utf16") return String.fromCharCode(...j.$utf16);
  if (keys.length === 1 && keys[0] === "$repeat") return String(expand(j.$repeat[0])).repeat(Math.min(j.$repeat[1], 64));
  if (keys.length === 1 && keys[0] === "$concat") return j.$concat.map(expand).join("");
  if (keys.length === 1 && keys[0] === "$array") return Array(Math.min(j.$array[1], 8)).fill(expand(j.$array[0]));
  return Object.fromEntries(keys.map((k) => [k, expand(j[k])]));
};

const builtins = new Set(["name", "email", "language"]);
for (const doc of read("values")) {
  for (const c of doc.cases) {
    add("json_body", expand(c));
    if (doc.kind === "values") {
      const def = builtins.has(c.key) ? c.key : doc.definitions.find((d) => d.key === c.key);
      if (def) add("validate", { definition: def, value: c.input });
      if (typeof c.input === "string") add("number_text", expand(c.input));
    } else if (doc.kind === "distinct_id") {
      add("validate", { definition: "name", value: c.input });
    } else if (doc.kind === "config") {
      add("definitions", c.config);
    } else if (doc.kind === "definition") {
      add("definitions", c.definition);
    }
  }
}
for (const doc of read("commands")) {
  for (const c of doc.cases) {
    if (c.command !== undefined) add("command", c.command);
    if (c.options !== undefined) add("command", ["do", "init", [c.options]]);
  }
}
for (const doc of read("scenarios")) {
  if (doc.config) add("definitions", doc.config);
  for (const s of doc.scenarios) {
    if (s.config) add("definitions", s.config);
    for (const step of s.steps) {
      if (step.op === "command" && step.args !== undefined) add("command", step.args);
      if ((step.op === "restore" || step.op === "load_snapshot") && step.args) {
        add("snapshot", { snapshot: step.args, now: step.now ?? 1000 });
      }
      if (step.op === "take_batch" && step.expect && step.expect.body) add("json_body", expand(step.expect.body));
    }
  }
}
for (const t of ["0", "-0", "1.5", ".5", "1e21", "1e-7", "-12.75e+3", "9007199254740993", "4.9e-324",
                 "1.7976931348623157e308", "1e309", "0x10", " 1", "+1", "1.", "NaN"]) add("number_text", t);
for (const t of ['{"a": "\\ud800"}', '["\\udc00\\ud800x"]', '{"writes": []}', '"\\\\ud800"']) add("json_body", t);

let total = 0;
for (const [target, set] of Object.entries(seeds)) {
  const dir = join(out, target);
  mkdirSync(dir, { recursive: true });
  for (const text of set) {
    writeFileSync(join(dir, createHash("sha1").update(text).digest("hex")), text);
    total++;
  }
  console.log(`${target}: ${set.size} seeds`);
}
console.log(`${total} seeds in ${out}`);
