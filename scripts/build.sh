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
  # The native targets use a precompiled header (nlohmann/json); ccache caches such sources only
  # with these sloppiness settings.
  export CCACHE_SLOPPINESS=${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi

build_native() {
  [[ -f build/native/CMakeCache.txt ]] || cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" >/dev/null
  if [[ $what == server || $what == start ]]; then
    cmake --build build/native -j "$jobs" --target attrkit-server
  else
    cmake --build build/native -j "$jobs"
  fi
}
build_wasm() {
  [[ -f build/wasm/CMakeCache.txt ]] || emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=MinSizeRel "${launcher[@]}" >/dev/null
  cmake --build build/wasm -j "$jobs" "$@"
}

if [[ $what == start ]]; then
  # The server and the Wasm module do not depend on each other: built side by side, the serial
  # steps of one (emcmake's configure, the LTO and Closure links) overlap the other's compiles,
  # which on a fresh clone shortens `npm start`'s wait for its first ready line. The server's
  # output is shown once it is done.
  native_log=$(mktemp)
  build_native >"$native_log" 2>&1 &
  native_pid=$!
  wasm_status=0
  # What the SDK ships (the module, its classic-script glue, the no-Wasm fallback), not the
  # tests' module (cmake/wasm.cmake).
  build_wasm --target attrkit_core_wasm_script attrkit_core_fallback || wasm_status=$?
  native_status=0
  wait "$native_pid" || native_status=$?
  cat "$native_log"
  rm -f "$native_log"
  if [[ $wasm_status -ne 0 || $native_status -ne 0 ]]; then exit 1; fi
elif [[ $what == native || $what == server || $what == all ]]; then
  build_native
fi
if [[ $what == wasm || $what == all ]]; then
  build_wasm
fi
if [[ $what == sdk || $what == start || $what == all ]]; then
  if [[ -f js/build.mjs ]]; then node js/build.mjs; fi
fi
