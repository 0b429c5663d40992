#!/usr/bin/env bash
# Runs every service from its image as a cluster would: read-only root filesystem (a tmpfs at
# /tmp is the only writable place), uid 1000, no capabilities, host network, against this
# machine's Kafka, FerretDB and PostgreSQL (deploy/local; started if needed). Checks that:
#   - each service becomes ready (/readyz on its admin port);
#   - a track call sent to the containerised ingestion reaches a webhook receiver on the host
#     through the containerised translator, and lands in PostgreSQL through the containerised
#     warehouse loader;
#   - each service stops on SIGTERM by itself (exit code 0, well before podman's SIGKILL), and
#     Node printed no warning (deprecations, negative timers) in any of them.
# Every container it starts is named manifold-image-<service> and removed at the end.
#
# Kafka settings come from the environment, as the services take them: KAFKA_BROKERS (default
# this machine's broker), KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD,
# KAFKA_TLS and KAFKA_TLS_CA_FILE (a file on this machine, mounted into the containers).
# Ports (host network): IMAGE_PORT_BASE (default 27000) + 0..9.
set -euo pipefail
COMPONENT="run-images"
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=../../scripts/use-node.sh
source "$MANIFOLD_ROOT/scripts/use-node.sh"
cd "$MANIFOLD_ROOT"

for service in "${IMAGE_SERVICES[@]}"; do
  podman_ image exists "$(image_name "$service")" ||
    die "no image $(image_name "$service"); build it first: bash deploy/docker/build-images.sh"
done
bash deploy/local/infra.sh up >/dev/null
[ -f libs/emulators/dist/index.js ] || die "the workspace is not built (pnpm build): the webhook receiver uses libs/emulators"

base="${IMAGE_PORT_BASE:-27000}"
declare -A ADMIN=([control-plane]=$((base + 2)) [ingestion]=$((base + 1)) [translator]=$((base + 3))
  [warehouse-loader]=$((base + 4)) [console]=$((base + 5)))
GRPC_PORT=$((base + 6)) INGESTION_PORT=$((base + 7)) CONSOLE_PORT=$((base + 8)) RECEIVER_PORT=$((base + 9))
for port in "${ADMIN[@]}" "$GRPC_PORT" "$INGESTION_PORT" "$CONSOLE_PORT" "$RECEIVER_PORT"; do
  require_free_port "$port" IMAGE_PORT_BASE
done

run="$MANIFOLD_RUN_DIR/images"
rm -rf "$run"
mkdir -p "$run"
chmod 700 "$run"
id="img$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
token="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
mongo_url="mongodb://127.0.0.1:$FERRETDB_PORT/"
postgres_url="postgres://postgres@127.0.0.1:$WAREHOUSE_POSTGRES_PORT/postgres"

# What every service gets; secrets go through env files (mode 600), never the command line.
umask 077
{
  echo "KAFKA_BROKERS=${KAFKA_BROKERS:-127.0.0.1:$KAFKA_PORT}"
  # Topics and consumer groups of this run only: pnpm start's stack and the tests never see them.
  echo "KAFKA_TOPIC_PREFIX=$id."
  for name in KAFKA_SASL_MECHANISM KAFKA_SASL_USERNAME KAFKA_SASL_PASSWORD KAFKA_TLS; do
    [ -z "${!name:-}" ] || echo "$name=${!name}"
  done
  [ -z "${KAFKA_TLS_CA_FILE:-}" ] || echo "KAFKA_TLS_CA_FILE=/etc/manifold/kafka-ca.crt"
  echo "CONTROL_PLANE_ADDRESS=127.0.0.1:$GRPC_PORT"
  echo "CONTROL_PLANE_TOKEN=$token"
  echo "INGESTION_ADMIN_TOKEN=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
  echo "LOG_LEVEL=info"
} >"$run/common.env"
service_env() {
  case "$1" in
    control-plane)
      echo "GRPC_PORT=$GRPC_PORT"
      echo "MONGO_URL=$mongo_url"
      echo "MONGO_DATABASE=${id}_control_plane"
      echo "CONTROL_PLANE_SECRET_KEY=$(head -c 32 /dev/urandom | base64)"
      ;;
    ingestion)
      echo "PORT=$INGESTION_PORT"
      echo "PUBLIC_BASE_URL=http://127.0.0.1:$INGESTION_PORT"
      echo "CONFIG_CACHE_FILE=/tmp/config.json"
      echo "NODE_OPTIONS=--max-semi-space-size=16"
      ;;
    translator)
      echo "DESTINATION_TYPES=webhook"
      echo "MONGO_URL=${mongo_url}${id}_translator"
      echo "CONFIG_CACHE_FILE=/tmp/config.json"
      ;;
    warehouse-loader)
      echo "CONFIG_CACHE_FILE=/tmp/config.json"
      echo "NODE_OPTIONS=--max-semi-space-size=64"
      ;;
    console)
      echo "PORT=$CONSOLE_PORT"
      echo "MONGO_URL=$mongo_url"
      echo "CONSOLE_DATABASE=${id}_console"
      echo "PUBLIC_URL=http://127.0.0.1:$CONSOLE_PORT"
      echo "INGESTION_URL=http://127.0.0.1:$INGESTION_PORT"
      echo "INGESTION_PUBLIC_URL=http://127.0.0.1:$INGESTION_PORT"
      ;;
  esac
  echo "ADMIN_PORT=${ADMIN[$1]}"
}
umask 022

receiver_pid=""
started=()
cleanup() {
  for service in "${started[@]}"; do
    podman_ rm --force --ignore --time 5 "manifold-image-$service" >/dev/null 2>&1 || true
  done
  if [ -n "$receiver_pid" ]; then kill "$receiver_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT

# A copy the containers' uid 1000 may read (a CA certificate is public; the original may be 0600).
ca_mount=()
if [ -n "${KAFKA_TLS_CA_FILE:-}" ]; then
  install -m 0644 "$KAFKA_TLS_CA_FILE" "$run/kafka-ca.crt"
  ca_mount=(-v "$run/kafka-ca.crt:/etc/manifold/kafka-ca.crt:ro")
fi

ready() { curl -fsS "http://127.0.0.1:$1/readyz" >/dev/null 2>&1; }
running() { [ "$(podman_ inspect --format '{{.State.Running}}' "$1" 2>/dev/null)" = true ]; }

start() {
  local service="$1" name="manifold-image-$1" deadline
  service_env "$service" >"$run/$service.env"
  chmod 600 "$run/$service.env"
  # A container of this name left by an interrupted run is ours to remove.
  podman_ rm --force --ignore "$name" >/dev/null
  started+=("$service")
  podman_ run --detach --name "$name" "${CONTAINER_LIMITS[@]}" \
    --read-only --read-only-tmpfs=false --tmpfs /tmp:rw,nosuid,nodev,size=64m \
    --user 1000:1000 --cap-drop all --security-opt no-new-privileges \
    --network host "${ca_mount[@]}" \
    --env-file "$run/common.env" --env-file "$run/$service.env" \
    "$(image_name "$service")" >/dev/null
  deadline=$((SECONDS + 90))
  until ready "${ADMIN[$service]}"; do
    if ! running "$name" || [ $SECONDS -ge $deadline ]; then
      podman_ logs --tail 40 "$name" >&2 || true
      die "$service (from $(image_name "$service")) did not become ready"
    fi
    sleep 0.5
  done
  log "$service ready ($(image_name "$service"), read-only, uid $(podman_ exec "$name" id -u))"
}

node deploy/docker/webhook-receiver.mjs "$RECEIVER_PORT" >"$run/deliveries.jsonl" 2>"$run/receiver.log" &
receiver_pid=$!

start control-plane
# The workspace the other services find in their first configuration: a source, a webhook to the
# receiver, and a PostgreSQL warehouse (the schema is named after the source: this run's own).
export CONTROL_PLANE_ADDRESS="127.0.0.1:$GRPC_PORT" CONTROL_PLANE_TOKEN="$token"
# (Its answers show the write key: not kept.)
cli() { scripts/manifold --actor run-images "$@" >/dev/null; }
cli workspaces create "$id" --name "Image check" --owner "owner@$id.test"
cli sources create "$id" "$id" --name Web --type javascript --category website
cli destinations create "$id" Hook --catalog webhook --set "url=http://127.0.0.1:$RECEIVER_PORT/hook" --source "$id"
cli warehouses create "$id" PG --kind postgres --set "url=$postgres_url" --interval 3600
cli warehouses connect "$id" "$id" PG
write_key="$(scripts/manifold --json sources get "$id" "$id" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).write_key))')"

for service in ingestion translator warehouse-loader console; do start "$service"; done

message_id="$id-$(date +%s)"
curl -fsS -u "$write_key:" -H 'content-type: application/json' \
  -d "{\"userId\":\"u1\",\"event\":\"Image Checked\",\"messageId\":\"$message_id\"}" \
  "http://127.0.0.1:$INGESTION_PORT/v1/track" >/dev/null
deadline=$((SECONDS + 60))
until grep -q "$message_id" "$run/deliveries.jsonl"; do
  [ $SECONDS -lt $deadline ] || {
    podman_ logs --tail 20 manifold-image-translator >&2 || true
    die "the event sent to ingestion did not reach the webhook receiver in 60s"
  }
  sleep 0.5
done
log "event $message_id: ingestion → Kafka → translator → webhook receiver"

cli warehouses sync "$id" PG
psql=(/usr/lib/postgresql/*/bin/psql)
deadline=$((SECONDS + 90))
until [ "$("${psql[0]}" -qtA "$postgres_url" -c "select count(*) from $id.tracks where id = '$message_id'" 2>/dev/null)" = 1 ]; do
  [ $SECONDS -lt $deadline ] || {
    podman_ logs --tail 20 manifold-image-warehouse-loader >&2 || true
    die "the event did not reach PostgreSQL in 90s"
  }
  sleep 1
done
log "event $message_id: Kafka → warehouse loader → PostgreSQL"

# Node is PID 1 in each container: it must stop on SIGTERM by itself (podman would SIGKILL it
# after 40 s, exit code 137).
for ((i = ${#started[@]} - 1; i >= 0; i--)); do
  service="${started[$i]}" name="manifold-image-${started[$i]}"
  t0=$SECONDS
  podman_ stop --time 40 "$name" >/dev/null
  code="$(podman_ inspect --format '{{.State.ExitCode}}' "$name")"
  [ "$code" = 0 ] || die "$service exited with $code on SIGTERM"
  # Read whole, then searched: under pipefail, `podman logs | grep -q` fails whenever grep's early
  # exit cuts podman off mid-write (SIGPIPE), found or not.
  logs="$(podman_ logs "$name" 2>&1)"
  grep -q '"msg":"stopped"' <<<"$logs" || {
    tail -n 30 <<<"$logs" >&2
    die "$service did not log its orderly stop"
  }
  # A warning Node printed (a deprecation, a negative timer) is outside the JSON log: none expected.
  if grep -E '^\(node:[0-9]+\) ' <<<"$logs" >&2; then die "$service: Node printed a warning"; fi
  log "$service stopped on SIGTERM in $((SECONDS - t0))s (exit code 0)"
done
log "all images ran"
