#!/usr/bin/env bash
# A throwaway PostgreSQL cluster (trust auth, 127.0.0.1 only) from Debian's packages, used as the
# warehouse. usage: postgres.sh start|stop|status
set -euo pipefail
COMPONENT=postgres
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"

DIR="$MANIFOLD_RUN_DIR/postgres"
PGDATA="$DIR/data"
PGLOG="$DIR/postgres.log"

pg_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$dir" ] || die "PostgreSQL server binaries not found; run deploy/local/install-system-deps.sh"
  echo "$dir"
}

# PostgreSQL refuses to run as root, so as root it runs as the Debian package's postgres user.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

ready() { as_pg "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$WAREHOUSE_POSTGRES_PORT"; }

start() {
  local bin; bin="$(pg_bin)"
  if [ -f "$PGDATA/postmaster.pid" ] && ready; then
    log "already running on 127.0.0.1:$WAREHOUSE_POSTGRES_PORT"; return 0
  fi
  require_free_port "$WAREHOUSE_POSTGRES_PORT" WAREHOUSE_POSTGRES_PORT
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres: "$DIR"
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    as_pg "$bin/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 ||
      { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
  fi
  ln -sf "$PGLOG" "$MANIFOLD_RUN_DIR/logs/postgres.log"
  as_pg "$bin/pg_ctl" -D "$PGDATA" -l "$PGLOG" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $WAREHOUSE_POSTGRES_PORT -k $DIR -c fsync=off -c max_connections=200" start >/dev/null ||
    { tail -n 40 "$PGLOG" >&2; die "PostgreSQL did not start; log: $PGLOG"; }
  head -n 1 "$PGDATA/postmaster.pid" >"$(pid_file postgres)"
  log "ready on postgres://postgres@127.0.0.1:$WAREHOUSE_POSTGRES_PORT/postgres (log: $PGLOG)"
}

stop() {
  if [ -f "$PGDATA/postmaster.pid" ]; then
    as_pg "$(pg_bin)/pg_ctl" -D "$PGDATA" -m fast -w -t 30 stop >/dev/null 2>&1 || true
  fi
  stop_by_pid postgres 10
}

status() {
  local pid; pid="$(running_pid postgres)"
  if [ -n "$pid" ] && ready; then echo "postgres   up    postgres://postgres@127.0.0.1:$WAREHOUSE_POSTGRES_PORT/postgres (pid $pid)"; return 0; fi
  echo "postgres   down"; return 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
