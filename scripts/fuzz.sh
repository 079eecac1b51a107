#!/usr/bin/env bash
# The libFuzzer targets (fuzz/, docs/fuzzing.md), built with ASan + UBSan in build/asan.
#   scripts/fuzz.sh [--minutes N | --seconds N] [--keep] [--reseed] [target...]
#     (`npm run fuzz -- --minutes 30` runs every target for 30 minutes, one after the other)
#   --seconds N   run each target N seconds (default: 60)
#   --keep        afterwards rebuild fuzz/corpus/<target> as the fewest inputs covering every edge
#                 of the kept corpus and this run (-merge=1 -use_counters=0), to commit
#   --reseed      first merge fresh seeds from the shared fixtures (fuzz/seed.mjs) into the corpora
#   --parallel J  run J targets at a time (default 1; npm test's smoke run uses the core count)
#   target        command, definitions, validate, snapshot, number_text, json_body, engine (default all)
# Each run starts from fuzz/corpus/<target> and replays tests/fixtures/fuzz/<target>/* (inputs that
# once crashed) first; new inputs go to build/fuzz-work/<target>, crashes to
# build/fuzz-artifacts/. Exit status 1 when any target found a crash or broke an invariant.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60 keep=0 reseed=0 parallel=1 targets=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --minutes) seconds=$(( $2 * 60 )); shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --reseed) reseed=1; shift ;;
    --parallel) parallel=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if [[ ${#targets[@]} -eq 0 ]]; then
  for src in fuzz/fuzz_*.cpp; do t=${src#fuzz/fuzz_}; targets+=("${t%.cpp}"); done
fi

bash scripts/sanitize.sh build fuzzers
bin=build/asan/fuzz
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

if [[ $reseed == 1 ]]; then
  rm -rf build/fuzz-seeds && node fuzz/seed.mjs build/fuzz-seeds >/dev/null
  for t in "${targets[@]}"; do
    [[ -d build/fuzz-seeds/$t ]] || continue
    mkdir -p "fuzz/corpus/$t"
    "$bin/fuzz_$t" -merge=1 "fuzz/corpus/$t" "build/fuzz-seeds/$t" >/dev/null 2>&1
  done
fi

# One target: replay the crash fixtures, then fuzz from the kept corpus. Prints one summary line;
# the whole log on failure.
run_one() {
  local t=$1 log=build/fuzz-logs/$1.log work=build/fuzz-work/$1 dict=()
  mkdir -p "$work" "fuzz/corpus/$t" build/fuzz-artifacts build/fuzz-logs
  [[ $t == number_text || $t == engine ]] || dict=(-dict=fuzz/json.dict)
  local crashes=(tests/fixtures/fuzz/"$t"/*)
  if [[ -e ${crashes[0]} ]] && ! "$bin/fuzz_$t" "${crashes[@]}" >"$log" 2>&1; then
    echo "fuzz $t: FAILED on a crash fixture (tests/fixtures/fuzz/$t)"; cat "$log"; return 1
  fi
  if ! "$bin/fuzz_$t" "$work" "fuzz/corpus/$t" "${dict[@]}" -max_total_time="$seconds" \
       -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
       -artifact_prefix="build/fuzz-artifacts/$t-" >"$log" 2>&1; then
    echo "fuzz $t: FAILED (input saved under build/fuzz-artifacts/$t-*)"; cat "$log"; return 1
  fi
  local runs cov
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -n 1 || true)
  echo "fuzz $t: ${seconds}s, $runs runs, no crash ($cov)"
  if [[ $keep == 1 ]]; then
    # The kept corpus stays small: the fewest inputs that cover every edge the corpus and this run
    # reached (-use_counters=0: edges, not hit counts), rebuilt from scratch each time.
    local min=build/fuzz-min/$t
    rm -rf "$min" && mkdir -p "$min"
    "$bin/fuzz_$t" -merge=1 -use_counters=0 "$min" "fuzz/corpus/$t" "$work" >>"$log" 2>&1 &&
      rm -rf "fuzz/corpus/$t" && mv "$min" "fuzz/corpus/$t"
  fi
}
export -f run_one
export bin seconds keep

printf '%s\n' "${targets[@]}" | xargs -P "$parallel" -I{} bash -c 'run_one {}'
