#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL cluster for tests, on 127.0.0.1 only.
#   scripts/pg-temp.sh start DIR PORT   # prints the connection URL on the last line
#   scripts/pg-temp.sh stop DIR         # idempotent
# Tuned for speed (fsync off): never use it for data you want to keep. PG_TEMP_DURABLE=1 keeps
# PostgreSQL's durable defaults (fsync, synchronous commit), as benchmarks should.
set -euo pipefail

find_bin() {
  local name=$1 dir
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/$name" ]; then echo "$dir/$name"; return 0; fi
  done
  command -v "$name" || return 1
}

# initdb and the server refuse to run as root: run them as the postgres user then.
as_owner() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

cmd=${1:-}
dir=${2:-}
case "$cmd" in
  start)
    speed="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    [ "${PG_TEMP_DURABLE:-}" = "1" ] && speed=""
    port=${3:?usage: pg-temp.sh start DIR PORT}
    [ -n "$dir" ] || { echo "usage: pg-temp.sh start DIR PORT" >&2; exit 64; }
    initdb=$(find_bin initdb) || { echo "pg-temp: initdb not found (apt-get install postgresql)" >&2; exit 69; }
    pg_ctl=$(find_bin pg_ctl) || { echo "pg-temp: pg_ctl not found" >&2; exit 69; }
    mkdir -p "$dir"
    if [ "$(id -u)" = "0" ]; then chown postgres "$dir"; fi
    as_owner "$initdb" -D "$dir/data" -A trust -U postgres --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -c listen_addresses=127.0.0.1 -k $dir $speed -c max_connections=200" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgresql://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    [ -n "$dir" ] || { echo "usage: pg-temp.sh stop DIR" >&2; exit 64; }
    if [ -f "$dir/data/postmaster.pid" ]; then
      pg_ctl=$(find_bin pg_ctl) || exit 0
      as_owner "$pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    ;;
  *)
    echo "usage: pg-temp.sh start DIR PORT | stop DIR" >&2
    exit 64
    ;;
esac
