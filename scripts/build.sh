#!/usr/bin/env bash
# Incremental builds. Usage: scripts/build.sh [native|server|wasm|sdk|start|all]
#   native -> build/native (core library, GoogleTest suite, server)
#   server -> build/native, the attrkit-server target only (no test binaries)
#   start  -> server + wasm + sdk: what `npm start` runs, never the tests
#   wasm   -> build/wasm   (the Embind module: build/wasm/dist/attrkit-core.{mjs,wasm})
#   sdk    -> js/dist      (the npm package and script-tag files, bundled from js/src + the module)
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's emcc runs its JS optimizer with node and needs Debian's acorn from here.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
jobs=$(nproc 2>/dev/null || echo 2)
what=${1:-all}
# ccache, when installed, makes rebuilds in other work trees of this repository cheap (paths are
# hashed relative to the tree's root).
launcher=()
if command -v ccache >/dev/null 2>&1; then
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi

if [[ $what == native || $what == server || $what == start || $what == all ]]; then
  [[ -f build/native/CMakeCache.txt ]] || cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" >/dev/null
  if [[ $what == server || $what == start ]]; then
    cmake --build build/native -j "$jobs" --target attrkit-server
  else
    cmake --build build/native -j "$jobs"
  fi
fi
if [[ $what == wasm || $what == start || $what == all ]]; then
  [[ -f build/wasm/CMakeCache.txt ]] || emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=MinSizeRel "${launcher[@]}" >/dev/null
  cmake --build build/wasm -j "$jobs"
fi
if [[ $what == sdk || $what == start || $what == all ]]; then
  if [[ -f js/build.mjs ]]; then node js/build.mjs; fi
fi
