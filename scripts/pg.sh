#!/usr/bin/env bash
# Start or stop a throw-away PostgreSQL server for the tests.
#   scripts/pg.sh start   prints the LIUHEN_DATABASE_URL to use
#   scripts/pg.sh stop
set -euo pipefail
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
DIR=${LIUHEN_PG_DIR:-/tmp/liuhen-pg}
PORT=${LIUHEN_PG_PORT:-55432}
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}
case "${1:-}" in
  start)
    [[ -n "$PG_BIN" ]] || { echo "PostgreSQL is not installed" >&2; exit 1; }
    mkdir -p "$DIR"
    [[ $(id -u) -eq 0 ]] && chown postgres "$DIR"
    if [[ ! -f "$DIR/data/PG_VERSION" ]]; then
      as_pg "$PG_BIN/initdb -D $DIR/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
    fi
    if ! as_pg "$PG_BIN/pg_ctl -D $DIR/data status" >/dev/null 2>&1; then
      as_pg "$PG_BIN/pg_ctl -D $DIR/data -l $DIR/log -w -o \"-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off\" start" >/dev/null
    fi
    echo "postgres://postgres@127.0.0.1:$PORT/liuhen"
    ;;
  stop)
    if [[ -n "$PG_BIN" && -f "$DIR/data/PG_VERSION" ]]; then
      as_pg "$PG_BIN/pg_ctl -D $DIR/data -m fast stop" >/dev/null 2>&1 || true
    fi
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
