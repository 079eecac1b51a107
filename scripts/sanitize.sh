#!/usr/bin/env bash
# The sanitized native tree, build/asan: clang, ASan + UBSan, libFuzzer coverage (cmake/sanitize.cmake,
# cmake/fuzz.cmake). One build of the core serves the sanitized GoogleTest suites and the fuzzers.
#   scripts/sanitize.sh build [fuzzers]  configure if needed, build the suites and the fuzzers
#                                        (only the fuzzers with "fuzzers": scripts/fuzz.sh)
#   scripts/sanitize.sh test             build, then run the core and server GoogleTest suites
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-test}
jobs=$(nproc 2>/dev/null || echo 2)
launcher=()
if command -v ccache >/dev/null 2>&1; then
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
# Every report fails the run: UBSan stops at the first finding, ASan (leaks included) aborts.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}

[[ -f build/asan/CMakeCache.txt ]] || cmake -S . -B build/asan -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=Sanitize -DATTRKIT_SANITIZE=ON -DATTRKIT_FUZZ=ON "${launcher[@]}" >/dev/null
targets=(attrkit_fuzzers)
[[ ${2-} == fuzzers ]] || targets+=(attrkit_core_tests attrkit_server_tests)
# Quiet unless it fails: the log is printed whole then.
if ! cmake --build build/asan -j "$jobs" --target "${targets[@]}" > build/asan/build.log 2>&1; then
  cat build/asan/build.log; exit 1
fi

if [[ $what == test ]]; then
  # Each suite binary runs once, whole (ctest would start one sanitized process per case). Two
  # exhaustive loops are left to the plain build (tests/cpp/core, 2 min under ASan): every day of
  # years 0000-9999 and a million random numeric strings against strtod; the validate and
  # number_text fuzz targets cover the same readers under the sanitizers.
  slow=Date.EveryDayOfTheFourDigitYears:NumberRead.AMillionRandomInputsMatchStrtod
  status=0
  build/asan/attrkit_core_tests --gtest_filter="-$slow" > build/asan/core.log 2>&1 &
  core=$!
  if [[ -x build/asan/server/attrkit_server_tests ]]; then
    build/asan/server/attrkit_server_tests > build/asan/server.log 2>&1 || { cat build/asan/server.log; status=1; }
  fi
  wait "$core" || { cat build/asan/core.log; status=1; }
  [[ $status == 0 ]] || exit 1
  for suite in core server; do
    [[ -f build/asan/$suite.log ]] || continue
    echo "sanitized $suite: $(grep -E '^\[  PASSED  \]' build/asan/$suite.log | sed 's/\[  PASSED  \] //')"
  done
fi
