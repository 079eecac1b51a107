#!/usr/bin/env bash
# Installs what attrkit builds with, when any is missing: the Debian packages (as root it runs
# apt-get; otherwise it prints the one command to run and fails), then the npm devDependencies
# (esbuild, typescript, playwright-core, ...) when package-lock.json is newer than node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."

npm_deps() {
  if [[ -f package-lock.json && ( ! -f node_modules/.package-lock.json ||
        package-lock.json -nt node_modules/.package-lock.json ) ]]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

# command-or-file to look for : Debian package that provides it
need=(
  "cmake:cmake"
  "g++:g++"
  "em++:emscripten"
  "/usr/include/nlohmann/json.hpp:nlohmann-json3-dev"
  "/usr/include/httplib.h:libcpp-httplib-dev"
  "/usr/include/sqlite3.h:libsqlite3-dev"
  "/usr/include/gtest/gtest.h:googletest"
  "/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)/libgtest.a:libgtest-dev"
  "chromium:chromium"
  # The sanitized suites and the fuzz targets (scripts/sanitize.sh, scripts/fuzz.sh): clang, and
  # its runtime libraries (ASan, UBSan, libFuzzer), versioned like Debian 12's clang.
  "clang++:clang"
  "$(clang++ -print-runtime-dir 2>/dev/null)/libclang_rt.fuzzer-$(uname -m).a:libclang-rt-14-dev"
  "brotli:brotli"
  "/usr/include/postgresql/libpq-fe.h:libpq-dev"
  "/usr/lib/postgresql/*/bin/initdb:postgresql"
  "psql:postgresql-client"
)
missing=()
for entry in "${need[@]}"; do
  probe=${entry%%:*}; pkg=${entry##*:}
  if [[ $probe == /* ]]; then compgen -G "$probe" >/dev/null && continue
  else command -v "$probe" >/dev/null 2>&1 && continue; fi
  [[ " ${missing[*]-} " == *" $pkg "* ]] || missing+=("$pkg")
done

if [[ ${#missing[@]} -eq 0 ]]; then npm_deps; exit 0; fi
cmd="apt-get update && apt-get install -y ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "attrkit: missing packages. Run as root:  $cmd" >&2
  exit 1
fi
echo "attrkit: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
npm_deps
