#!/usr/bin/env bash
# `npm start [-- --port N --db PATH]`: installs what is missing, builds what is missing (builds are
# incremental), then runs the reference server on a local SQLite file with the demo workspace,
# serving web/ at / and the SDK at /sdk/. It prints the demo URL, the workspace's keys and one
# machine-readable line:
#   attrkit ready {"url":"http://127.0.0.1:8787","publicKey":"pk_live_...","secretKey":"sk_live_..."}
# Ctrl-C stops it; the data stays in the database file for the next start.
# Other server options pass through (see build/native/server/attrkit-server --help).
set -euo pipefail
cd "$(dirname "$0")/.."

port=8787
db=.attrkit/dev.db
extra=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --port) port=${2:?--port needs a value}; shift 2 ;;
    --port=*) port=${1#*=}; shift ;;
    --db) db=${2:?--db needs a value}; shift 2 ;;
    --db=*) db=${1#*=}; shift ;;
    *) extra+=("$1"); shift ;;
  esac
done

bash scripts/toolchain.sh
# Only what runs: the server and the SDK, never the test binaries (npm test builds those).
bash scripts/build.sh start

# The browser SDK (the npm package's dist: script-tag file, ES module, .wasm) is served at /sdk/.
sdk_dir=js/dist

mkdir -p "$(dirname "$db")"
exec build/native/server/attrkit-server \
  --port "$port" --db "$db" --seed-demo --web web --sdk "$sdk_dir" "${extra[@]}"
