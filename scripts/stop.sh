#!/usr/bin/env bash
# Stops the services `pnpm start` started (by pid file); the infrastructure keeps running.
set -euo pipefail
COMPONENT=stop
# shellcheck source=../deploy/local/lib.sh
source "$(dirname "$0")/../deploy/local/lib.sh"
for service in console warehouse-loader translator ingestion control-plane; do stop_by_pid "svc-$service" 30; done
