#!/usr/bin/env bash
# Checks the observability files with Prometheus's own parser: the alert rules and their unit
# tests, every expression of the Grafana dashboard, and the example Prometheus configuration.
# (That every metric they name exists is checked against running services by
# test-e2e/observability/metrics-stack.test.ts.)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
PROMTOOL="$(bash "$HERE/install-promtool.sh")"
cd "$HERE"

"$PROMTOOL" check rules rules.yml
"$PROMTOOL" test rules rules.test.yml
"$PROMTOOL" check config prometheus.yml

# Each panel's query becomes a recording rule, so promtool parses and type-checks it as Prometheus
# would; Grafana's $__rate_interval becomes a plain duration first.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
node "$HERE/dashboard-queries.mjs" dashboard.json >"$tmp/dashboard-queries.yml"
"$PROMTOOL" check rules "$tmp/dashboard-queries.yml"
