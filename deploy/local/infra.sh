#!/usr/bin/env bash
# Local infrastructure: Kafka, FerretDB and PostgreSQL, started without Docker.
# usage: infra.sh up|down|status|reset|install [kafka|ferretdb|postgres ...]
#   up       install what is missing, start, wait until ready (idempotent)
#   down     stop what this project started (by pid file)
#   status   print each service's state; exits 1 if any is down
#   reset    stop everything and delete all local data
#   install  download/build without starting (used by CI to warm caches)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

all=(kafka ferretdb postgres)
cmd="${1:-}"; shift || true
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

script() { echo "$HERE/$1/$1.sh"; }

case "$cmd" in
  up)
    for t in "${targets[@]}"; do bash "$(script "$t")" start; done
    bash "$0" status "${targets[@]}"
    ;;
  down)
    for t in "${targets[@]}"; do bash "$(script "$t")" stop; done
    ;;
  status)
    rc=0
    for t in "${targets[@]}"; do bash "$(script "$t")" status || rc=1; done
    echo "run folder: $MANIFOLD_RUN_DIR (logs in $MANIFOLD_RUN_DIR/logs)"
    exit $rc
    ;;
  reset)
    bash "$0" down
    rm -rf "$MANIFOLD_RUN_DIR"
    log "deleted $MANIFOLD_RUN_DIR"
    ;;
  install)
    for t in "${targets[@]}"; do
      case "$t" in kafka|ferretdb) bash "$(script "$t")" install ;; esac
    done
    ;;
  *)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
