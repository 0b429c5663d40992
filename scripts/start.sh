#!/usr/bin/env bash
# Starts Manifold locally: Kafka, FerretDB and PostgreSQL (deploy/local), then every service,
# built and run as in production (node dist/main.js). Idempotent: what runs is left running.
#   pnpm start        start everything and print the endpoints
#   pnpm stop         stop the services (pnpm infra:down stops the infrastructure too)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
COMPONENT=start
# shellcheck source=../deploy/local/lib.sh
source deploy/local/lib.sh

SERVICES=(control-plane ingestion translator warehouse-loader console)
ENV_FILE="$MANIFOLD_RUN_DIR/local.env"

# Secrets for this machine, made once: the secret key must stay the same, or saved secret
# settings can no longer be decrypted.
if [ ! -f "$ENV_FILE" ]; then
  umask 077
  {
    echo "CONTROL_PLANE_TOKEN=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
    echo "CONTROL_PLANE_SECRET_KEY=$(head -c 32 /dev/urandom | base64)"
    echo "INGESTION_ADMIN_TOKEN=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
  } >"$ENV_FILE"
fi
set -a
# shellcheck disable=SC1090
source "$ENV_FILE"
set +a

INGESTION_PORT="${INGESTION_PORT:-8080}"
CONSOLE_PORT="${CONSOLE_PORT:-3000}"
CONTROL_PLANE_PORT="${CONTROL_PLANE_PORT:-50051}"
export KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT"
export MONGO_URL="mongodb://127.0.0.1:$FERRETDB_PORT/"
export CONTROL_PLANE_ADDRESS="127.0.0.1:$CONTROL_PLANE_PORT"
export LOG_LEVEL="${LOG_LEVEL:-info}"

bash deploy/local/install-system-deps.sh
# shellcheck source=use-node.sh
source scripts/use-node.sh
if [ ! -d node_modules ]; then pnpm install --frozen-lockfile; fi
bash deploy/local/infra.sh up >/dev/null
log "building"
pnpm --silent build >/dev/null

# service name -> admin port (for /readyz) and its environment
declare -A ADMIN=([control-plane]=9102 [ingestion]=9101 [translator]=9103 [warehouse-loader]=9104 [console]=9105)
service_env() {
  case "$1" in
    control-plane) echo "GRPC_PORT=$CONTROL_PLANE_PORT MONGO_DATABASE=manifold" ;;
    ingestion) echo "NODE_OPTIONS=--max-semi-space-size=16 INGESTION_WORKERS=1 PORT=$INGESTION_PORT PUBLIC_BASE_URL=http://127.0.0.1:$INGESTION_PORT CONFIG_CACHE_FILE=$MANIFOLD_RUN_DIR/ingestion-config.json" ;;
    translator) echo "DESTINATION_TYPES=all CONFIG_CACHE_FILE=$MANIFOLD_RUN_DIR/translator-config.json MONGO_URL=${MONGO_URL}manifold_translator" ;;
    warehouse-loader) echo "CONFIG_CACHE_FILE=$MANIFOLD_RUN_DIR/loader-config.json NODE_OPTIONS=--max-semi-space-size=64 MONGO_URL=${MONGO_URL}manifold" ;;
    console) echo "PORT=$CONSOLE_PORT PUBLIC_URL=http://127.0.0.1:$CONSOLE_PORT INGESTION_URL=http://127.0.0.1:$INGESTION_PORT INGESTION_PUBLIC_URL=http://127.0.0.1:$INGESTION_PORT" ;;
  esac
}

ready() { curl -fsS "http://127.0.0.1:$1/readyz" >/dev/null 2>&1; }

for service in "${SERVICES[@]}"; do
  name="svc-$service"
  if [ -n "$(running_pid "$name")" ]; then log "$service already running"; continue; fi
  # shellcheck disable=SC2046
  env ADMIN_PORT="${ADMIN[$service]}" $(service_env "$service") \
    nohup node "services/$service/dist/main.js" >"$MANIFOLD_RUN_DIR/logs/$service.log" 2>&1 </dev/null &
  echo $! >"$(pid_file "$name")"
  if ! wait_until 60 "$name" ready "${ADMIN[$service]}"; then
    tail -n 30 "$MANIFOLD_RUN_DIR/logs/$service.log" >&2
    die "$service did not become ready; log: $MANIFOLD_RUN_DIR/logs/$service.log"
  fi
  log "$service ready"
done

# A first workspace, source and DuckDB warehouse, so events land somewhere with no setup.
sed "s#@RUN_DIR@#$MANIFOLD_RUN_DIR#g" deploy/local/workspace.yaml >"$MANIFOLD_RUN_DIR/workspace.yaml"
# Only once: the console's first owner takes it over, and a second apply would undo that.
scripts/manifold workspaces get local >/dev/null 2>&1 ||
  scripts/manifold --actor local-setup apply -f "$MANIFOLD_RUN_DIR/workspace.yaml" >/dev/null
WRITE_KEY="$(scripts/manifold --json sources get local website | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).write_key))')"

cat <<INFO

Manifold is running (logs: $MANIFOLD_RUN_DIR/logs)
  console           http://127.0.0.1:$CONSOLE_PORT
  ingestion API     http://127.0.0.1:$INGESTION_PORT/v1/{track,identify,page,screen,group,alias,batch}
  analytics.js      http://127.0.0.1:$INGESTION_PORT/analytics.js/v1/$WRITE_KEY/analytics.min.js
  control plane     127.0.0.1:$CONTROL_PLANE_PORT (gRPC; token in $ENV_FILE)
  metrics/health    http://127.0.0.1:{9101..9105}/{metrics,healthz,readyz}
  Kafka             127.0.0.1:$KAFKA_PORT
  FerretDB          mongodb://127.0.0.1:$FERRETDB_PORT/
  PostgreSQL        postgres://postgres@127.0.0.1:$WAREHOUSE_POSTGRES_PORT/postgres
  DuckDB warehouse  $MANIFOLD_RUN_DIR/warehouse.duckdb

Workspace "local", source "website", write key: $WRITE_KEY
Console: open http://127.0.0.1:$CONSOLE_PORT; the first visit creates your owner account, which takes over "local".
Try: curl -u "$WRITE_KEY:" -H 'content-type: application/json' \\
       -d '{"userId":"u1","event":"Tried Manifold"}' http://127.0.0.1:$INGESTION_PORT/v1/track
CLI:  set -a; source $ENV_FILE; set +a; scripts/manifold sources list local

INFO
