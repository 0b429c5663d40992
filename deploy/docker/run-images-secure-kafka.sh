#!/usr/bin/env bash
# run-images.sh through a Kafka listener that asks for SCRAM-SHA-512 over TLS, as managed Kafka
# and Strimzi's TLS listeners do: a Kafka of its own (deploy/local/kafka/kafka.sh with
# KAFKA_SASL_SSL_PORT, in a run folder of its own, fresh each time), stopped and deleted after.
# Ports: SECURE_KAFKA_PORT_BASE (default 29190) + 2, 3 (plaintext, controller) and 4 (SASL_SSL).
set -euo pipefail
COMPONENT="secure-kafka"
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

base="${SECURE_KAFKA_PORT_BASE:-29190}"
kafka_env=(
  MANIFOLD_RUN_DIR="$MANIFOLD_RUN_DIR/secure-kafka"
  KAFKA_PORT=$((base + 2)) KAFKA_CONTROLLER_PORT=$((base + 3)) KAFKA_SASL_SSL_PORT=$((base + 4))
)
kafka() { env "${kafka_env[@]}" bash "$MANIFOLD_ROOT/deploy/local/kafka/kafka.sh" "$@"; }

kafka stop >/dev/null 2>&1 || true
rm -rf "$MANIFOLD_RUN_DIR/secure-kafka"
trap 'kafka stop >/dev/null 2>&1 || true; rm -rf "$MANIFOLD_RUN_DIR/secure-kafka"' EXIT
kafka start >/dev/null
(
  # KAFKA_SASL_MECHANISM, _USERNAME, _PASSWORD, KAFKA_TLS, KAFKA_TLS_CA_FILE
  set -a
  # shellcheck disable=SC1091
  source "$MANIFOLD_RUN_DIR/secure-kafka/kafka/secure/client.env"
  set +a
  export KAFKA_BROKERS="127.0.0.1:$((base + 4))"
  log "Kafka: SASL_SSL on $KAFKA_BROKERS, $KAFKA_SASL_MECHANISM"
  bash "$MANIFOLD_ROOT/deploy/docker/run-images.sh"
)
