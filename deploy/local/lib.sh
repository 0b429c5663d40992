# Shared by the local infrastructure scripts: where things live, and how a process is
# started, found and stopped. Processes are always tracked by pid file, never by name,
# so a developer's unrelated Kafka or PostgreSQL is never touched.
# shellcheck shell=bash

MANIFOLD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Downloads and builds that survive between runs.
MANIFOLD_CACHE="${MANIFOLD_CACHE:-$HOME/.cache/manifold}"
# One run folder: data, pid files and logs of every locally started process. It is one per
# user, not per checkout, so a fresh clone finds (and can stop) what an earlier one started.
# Outside $HOME because PostgreSQL runs as its own user when we are root and must reach it.
MANIFOLD_RUN_DIR="${MANIFOLD_RUN_DIR:-${TMPDIR:-/tmp}/manifold-run-$(id -u)}"

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
FERRETDB_PORT="${FERRETDB_PORT:-27017}"
WAREHOUSE_POSTGRES_PORT="${WAREHOUSE_POSTGRES_PORT:-5433}"

mkdir -p "$MANIFOLD_CACHE" "$MANIFOLD_RUN_DIR/logs" "$MANIFOLD_RUN_DIR/pids"

log() { printf '[%s] %s\n' "${COMPONENT:-infra}" "$*" >&2; }
die() { log "error: $*"; exit 1; }

pid_file() { echo "$MANIFOLD_RUN_DIR/pids/$1.pid"; }

# Prints the pid of a running process recorded for $1, or nothing.
running_pid() {
  local f pid
  f="$(pid_file "$1")"
  [ -f "$f" ] || return 0
  pid="$(cat "$f" 2>/dev/null)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then echo "$pid"; fi
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Refuses to start when a port is taken by a process we did not start.
require_free_port() {
  if port_open "$1"; then
    die "port $1 is already in use by another process; set $2 to another port"
  fi
}

# Sends SIGTERM to the recorded pid, waits up to $2 seconds, then SIGKILL.
stop_by_pid() {
  local name="$1" grace="${2:-30}" pid
  pid="$(running_pid "$name")"
  if [ -z "$pid" ]; then rm -f "$(pid_file "$name")"; return 0; fi
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((grace * 10))); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not stop in ${grace}s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$(pid_file "$name")"
}

# Waits until "$@" succeeds, for at most $1 seconds, while the process named $2 stays alive.
wait_until() {
  local timeout="$1" name="$2"; shift 2
  local deadline=$((SECONDS + timeout))
  while [ $SECONDS -lt $deadline ]; do
    if "$@"; then return 0; fi
    [ -n "$(running_pid "$name")" ] || return 1
    sleep 0.3
  done
  return 1
}
