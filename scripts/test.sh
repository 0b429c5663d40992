#!/usr/bin/env bash
# The whole test suite. Jest's global setup provides Kafka, FerretDB and PostgreSQL (see
# libs/testing/src/provision.ts), so this works on a fresh machine after `pnpm install`.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=use-node.sh
source scripts/use-node.sh
# On a fresh clone, bring what the tests need first (system packages, dependencies).
bash deploy/local/install-system-deps.sh >/dev/null
if [ ! -d node_modules ]; then pnpm install --frozen-lockfile; fi
exec pnpm exec jest "$@"
