#!/usr/bin/env bash
# Installs the system packages Manifold's local runs and tests need, when they are missing:
# Java 17+ and Maven (Kafka), Go (FerretDB), PostgreSQL (warehouse), Chromium (browser tests),
# etcd and Python's venv (deploy/k8s/check.sh).
# Debian packages only; needs root (or sudo) only when something is missing.
#   install-system-deps.sh          what local runs and tests need
#   install-system-deps.sh images   also podman (with runc) and debootstrap, which build and run
#                                   the container images without Docker (deploy/docker)
set -euo pipefail
COMPONENT=system-deps
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

missing=()
command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || missing+=(maven)
# Debian's Go is too old for FerretDB 1.24 (it needs Go 1.24+), so Go must come with the machine.
if ! command -v go >/dev/null || ! go version | grep -qE 'go1\.(2[4-9]|[3-9][0-9])'; then
  die "Go 1.24 or newer is required to build FerretDB (found: $(go version 2>/dev/null || echo none))"
fi
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v chromium >/dev/null || missing+=(chromium)
command -v curl >/dev/null || missing+=(curl)
# Ingestion's analytics.js test serves over TLS with a throwaway certificate.
command -v openssl >/dev/null || missing+=(openssl)
if [ "${1:-}" = images ]; then
  command -v podman >/dev/null || missing+=(podman)
  # crun (podman's default when present) refuses this kind of VM's cgroups; runc works.
  command -v runc >/dev/null || missing+=(runc)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
fi
# deploy/k8s/check.sh: etcd under its Kubernetes control plane, a venv for kubernetes-validate.
command -v etcd >/dev/null || missing+=(etcd-server)
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)

if [ ${#missing[@]} -eq 0 ]; then log "all present"; exit 0; fi
log "installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's postgresql package starts a cluster on 5432; ours is separate (5433), leave it be.
