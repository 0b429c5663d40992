#!/usr/bin/env bash
# The whole test suite. Jest's global setup provides Kafka, FerretDB and PostgreSQL (see
# libs/testing/src/provision.ts), so this works on a fresh machine after `pnpm install`.
set -euo pipefail
cd "$(dirname "$0")/.."
exec pnpm exec jest "$@"
