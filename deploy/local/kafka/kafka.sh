#!/usr/bin/env bash
# Apache Kafka (KRaft, one node that is broker and controller) from Maven artifacts.
# usage: kafka.sh install|start|stop|status
set -euo pipefail
COMPONENT=kafka
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"

KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
HERE="$MANIFOLD_ROOT/deploy/local/kafka"
LIBS="$MANIFOLD_CACHE/kafka-$KAFKA_VERSION/libs"
DATA="$MANIFOLD_RUN_DIR/kafka/data"
CONF="$MANIFOLD_RUN_DIR/kafka/server.properties"
LOGS="$MANIFOLD_RUN_DIR/logs"
LOGOPTS=(-Dlog4j2.configurationFile="$HERE/log4j2.properties" -Dkafka.logs.dir="$LOGS")
KAFKA_SASL_SSL_PORT="${KAFKA_SASL_SSL_PORT:-}"
# shellcheck source=./secure-listener.sh
source "$HERE/secure-listener.sh"

install() {
  [ -f "$LIBS/.complete" ] && return 0
  command -v java >/dev/null || die "java (17 or newer) is required; run deploy/local/install-system-deps.sh"
  command -v mvn >/dev/null || die "maven is required; run deploy/local/install-system-deps.sh"
  log "resolving Kafka $KAFKA_VERSION jars into $LIBS"
  rm -rf "$LIBS"
  mvn -B -q -f "$HERE/pom.xml" -Dmaven.repo.local="$HOME/.cache/m2" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIBS"
  touch "$LIBS/.complete"
}

ready() {
  grep -q 'Kafka Server started' "$LOGS/kafka.log" 2>/dev/null && port_open "$KAFKA_PORT" &&
    { [ -z "$KAFKA_SASL_SSL_PORT" ] || port_open "$KAFKA_SASL_SSL_PORT"; }
}

start() {
  if [ -n "$(running_pid kafka)" ]; then log "already running on 127.0.0.1:$KAFKA_PORT"; return 0; fi
  install
  require_free_port "$KAFKA_PORT" KAFKA_PORT
  require_free_port "$KAFKA_CONTROLLER_PORT" KAFKA_CONTROLLER_PORT
  mkdir -p "$DATA"
  sed -e "s#@DATA_DIR@#$DATA#" -e "s#@PORT@#$KAFKA_PORT#g" -e "s#@CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" \
    "$HERE/server.properties.in" >"$CONF"
  local format_args=()
  if [ -n "$KAFKA_SASL_SSL_PORT" ]; then
    require_free_port "$KAFKA_SASL_SSL_PORT" KAFKA_SASL_SSL_PORT
    secure_material
    secure_properties >>"$CONF"
    mapfile -t format_args < <(secure_format_args)
  fi
  # The data folder keeps its cluster id, so topics survive a restart; `infra.sh reset` wipes it.
  if [ ! -f "$DATA/meta.properties" ]; then
    local cluster_id
    cluster_id="$(java -Xmx128m "${LOGOPTS[@]}" -cp "$LIBS/*" kafka.tools.StorageTool random-uuid)"
    java -Xmx256m "${LOGOPTS[@]}" -cp "$LIBS/*" kafka.tools.StorageTool format \
      -t "$cluster_id" -c "$CONF" --ignore-formatted "${format_args[@]}" >"$LOGS/kafka-format.log" 2>&1 ||
      { cat "$LOGS/kafka-format.log" >&2; die "formatting the Kafka storage failed"; }
  fi
  [ -f "$LOGS/kafka.log" ] && mv -f "$LOGS/kafka.log" "$LOGS/kafka.log.previous"
  nohup java -Xms256m -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
    -XX:TieredStopAtLevel=1 -Djava.awt.headless=true "${LOGOPTS[@]}" -cp "$LIBS/*" \
    kafka.Kafka "$CONF" >"$LOGS/kafka.stdout.log" 2>&1 </dev/null &
  echo $! >"$(pid_file kafka)"
  if ! wait_until 120 kafka ready; then
    tail -n 40 "$LOGS/kafka.log" "$LOGS/kafka.stdout.log" >&2 2>/dev/null || true
    stop_by_pid kafka 10
    die "Kafka did not start; logs are in $LOGS"
  fi
  log "ready on 127.0.0.1:$KAFKA_PORT (logs: $LOGS/kafka.log)"
  if [ -n "$KAFKA_SASL_SSL_PORT" ]; then
    log "SASL_SSL (SCRAM-SHA-512, SCRAM-SHA-256, PLAIN) on port $KAFKA_SASL_SSL_PORT; client settings: $SECURE/client.env"
  fi
}

status() {
  local pid; pid="$(running_pid kafka)"
  if [ -n "$pid" ] && port_open "$KAFKA_PORT"; then echo "kafka      up    127.0.0.1:$KAFKA_PORT (pid $pid)"; return 0; fi
  echo "kafka      down"; return 1
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop_by_pid kafka 30 ;;
  status) status ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
