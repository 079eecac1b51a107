#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests (Debian's postgresql, any major version found):
#   bash scripts/pg_cluster.sh start   -> prints "<url> <dir>" (postgres://postgres@127.0.0.1:<port>)
#   bash scripts/pg_cluster.sh stop <dir>
# initdb in a new temporary folder, a free port, trust authentication on 127.0.0.1 only, and
# settings for speed over durability (fsync off: the cluster is deleted afterwards; with
# ATTRKIT_PG_DURABLE=1, PostgreSQL's durable defaults, as the benchmark uses). PostgreSQL
# refuses to run as root, so as root the cluster runs as the `postgres` user.
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [[ -z $bindir || ! -x $bindir/initdb ]]; then
  echo "pg_cluster: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 1
fi
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case ${1:-} in
  start)
    dir=$(mktemp -d "${TMPDIR:-/tmp}/attrkit-pg.XXXXXX")
    chmod 755 "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
    port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
      --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    fast="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    [[ ${ATTRKIT_PG_DURABLE:-} == 1 ]] && fast=""
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
      "-p $port -k $dir -c listen_addresses=127.0.0.1 $fast -c max_connections=400 \
       -c shared_buffers=64MB" >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres://postgres@127.0.0.1:$port $dir"
    ;;
  stop)
    dir=${2:?usage: pg_cluster.sh stop <dir>}
    [[ -d $dir/data ]] && as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: pg_cluster.sh start | stop <dir>" >&2
    exit 2
    ;;
esac
