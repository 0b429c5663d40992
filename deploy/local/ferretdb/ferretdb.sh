#!/usr/bin/env bash
# FerretDB 1.24 (MongoDB wire protocol on SQLite), built from its published Go module.
# usage: ferretdb.sh install|start|stop|status
set -euo pipefail
COMPONENT=ferretdb
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"

HERE="$MANIFOLD_ROOT/deploy/local/ferretdb"
BIN="$MANIFOLD_CACHE/bin/ferretdb-runner"
STAMP="$MANIFOLD_CACHE/bin/ferretdb-runner.source"
DATA="$MANIFOLD_RUN_DIR/ferretdb/data"
LOGS="$MANIFOLD_RUN_DIR/logs"

source_hash() { cat "$HERE/go.mod" "$HERE/go.sum" "$HERE/main.go" | sha256sum | cut -d' ' -f1; }

install() {
  if [ -x "$BIN" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$(source_hash)" ]; then return 0; fi
  command -v go >/dev/null || die "Go (1.24 or newer) is required to build FerretDB"
  log "building FerretDB into $BIN (the first build compiles SQLite and takes a few minutes)"
  mkdir -p "$(dirname "$BIN")"
  (cd "$HERE" && GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=readonly \
    GOMODCACHE="$HOME/.cache/go-mod" GOCACHE="$HOME/.cache/go-build" \
    go build -trimpath -o "$BIN.tmp" .)
  mv -f "$BIN.tmp" "$BIN"
  source_hash >"$STAMP"
}

ready() { port_open "$FERRETDB_PORT"; }

start() {
  if [ -n "$(running_pid ferretdb)" ]; then log "already running on 127.0.0.1:$FERRETDB_PORT"; return 0; fi
  install
  require_free_port "$FERRETDB_PORT" FERRETDB_PORT
  mkdir -p "$DATA"
  nohup "$BIN" --listen-addr="127.0.0.1:$FERRETDB_PORT" --sqlite-url="file:$DATA/" --log-level=error \
    >"$LOGS/ferretdb.log" 2>&1 </dev/null &
  echo $! >"$(pid_file ferretdb)"
  if ! wait_until 30 ferretdb ready; then
    tail -n 40 "$LOGS/ferretdb.log" >&2 || true
    stop_by_pid ferretdb 5
    die "FerretDB did not start; log: $LOGS/ferretdb.log"
  fi
  log "ready on mongodb://127.0.0.1:$FERRETDB_PORT/ (log: $LOGS/ferretdb.log)"
}

status() {
  local pid; pid="$(running_pid ferretdb)"
  if [ -n "$pid" ] && port_open "$FERRETDB_PORT"; then echo "ferretdb   up    mongodb://127.0.0.1:$FERRETDB_PORT/ (pid $pid)"; return 0; fi
  echo "ferretdb   down"; return 1
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop_by_pid ferretdb 10 ;;
  status) status ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
