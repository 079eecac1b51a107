#!/usr/bin/env bash
# `npm test`: every suite. Installs what is missing, builds incrementally, then runs
#   1. GoogleTest (native core and server) under ctest
#   2. node --test (the Wasm core, the server over real HTTP, the npm API, many nodes)
#   3. the HTTP and delivery suites again on PostgreSQL, then the delivery suites through three
#      nodes on one PostgreSQL database (a throwaway cluster, started here and always stopped)
#   4. browser tests in headless Chromium (tests/e2e), when present
#   5. bundlers (tests/bundlers): the packed npm package built by webpack, Next.js, Vite, Parcel,
#      Rollup and esbuild, run in Chromium; publint and attw. Its devDependencies are its own
#      (tests/bundlers/package.json), installed here once with `npm ci`.
#   +  (after 1) sanitizers and fuzzing: the native suites again under ASan+UBSan, and every libFuzzer
#      target for a few seconds (scripts/sanitize.sh, scripts/fuzz.sh, docs/fuzzing.md)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/toolchain.sh
bash scripts/build.sh all

echo "== C++ (GoogleTest via ctest)"
# Full output goes to a log (shown whole on failure); the fixture counts and the summary are printed.
mkdir -p build
if ! ctest --test-dir build/native --output-on-failure -V > build/ctest.log 2>&1; then
  cat build/ctest.log; exit 1
fi
# ctest runs each GoogleTest case as its own test: print the fixture counts once, then the cases per suite.
grep -E '\[ *(fixtures|commands|scenarios) *\]' build/ctest.log | sed -E 's/^[0-9]+: //' | sort -u
for suite in core server; do
  n=$(grep -cE "Test +#[0-9]+: $suite\..* Passed" build/ctest.log || true)
  echo "[  PASSED  ] $suite: $n GoogleTest cases"
done
tail -n 3 build/ctest.log

# ---- sanitizers and fuzzing (stage owned by docs/fuzzing.md) ------------------------------------
# The same suites built with clang under ASan+UBSan (build/asan), then each fuzz target for
# ATTRKIT_FUZZ_SECONDS (default 5) from its kept corpus, targets side by side on every core.
echo "== C++ under ASan+UBSan, fuzz smoke run"
stage_start=$SECONDS
bash scripts/sanitize.sh test
bash scripts/fuzz.sh --seconds "${ATTRKIT_FUZZ_SECONDS:-5}" --parallel "$(nproc 2>/dev/null || echo 2)"
echo "sanitizers and fuzzing: $(( SECONDS - stage_start )) s"
# -------------------------------------------------------------------------------------------------

echo "== PostgreSQL (a throwaway cluster for the tests)"
read -r pg_url pg_dir < <(bash scripts/pg_cluster.sh start)
[[ -n ${pg_dir:-} ]] || { echo "attrkit: cannot start the PostgreSQL test cluster" >&2; exit 1; }
trap 'bash scripts/pg_cluster.sh stop "$pg_dir"' EXIT
export ATTRKIT_TEST_PG_URL=$pg_url
echo "$pg_url"

shopt -s nullglob globstar
js_tests=(tests/js/**/*.test.mjs)
if [[ ${#js_tests[@]} -gt 0 ]]; then
  echo "== JS (node --test)"
  node --test --test-concurrency=1 "${js_tests[@]}"
fi
echo "== JS on PostgreSQL (the HTTP and delivery suites)"
ATTRKIT_TEST_DB=postgres node --test --test-concurrency=1 tests/js/server_*.test.mjs tests/js/delivery_*.test.mjs
echo "== JS on three nodes (the delivery suites through a round-robin proxy, one PostgreSQL database)"
ATTRKIT_TEST_DB=postgres ATTRKIT_TEST_NODES=3 node --test --test-concurrency=1 tests/js/delivery_*.test.mjs
# The cluster is not needed past here: stop it now rather than hold its memory through the browser stages.
bash scripts/pg_cluster.sh stop "$pg_dir"
trap - EXIT
unset ATTRKIT_TEST_PG_URL
e2e_tests=(tests/e2e/**/*.test.mjs)
if [[ ${#e2e_tests[@]} -gt 0 ]]; then
  echo "== Browser (headless Chromium)"
  node --test --test-concurrency=1 "${e2e_tests[@]}"
fi

if [[ -f tests/bundlers/package.json ]]; then
  echo "== Bundlers (tests/bundlers: the packed package in webpack, Next.js, Vite, Parcel, Rollup, esbuild)"
  # npm ci when node_modules is missing or older than the lockfile (a fresh clone: always).
  if [[ ! -f tests/bundlers/node_modules/.package-lock.json || tests/bundlers/package-lock.json -nt tests/bundlers/node_modules/.package-lock.json ]]; then
    (cd tests/bundlers && npm ci --no-audit --no-fund --prefer-offline)
  fi
  node --test --test-concurrency=1 tests/bundlers/
fi
