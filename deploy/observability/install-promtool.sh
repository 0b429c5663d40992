#!/usr/bin/env bash
# Builds Prometheus's promtool from its Go module (once; kept under ~/.cache) and prints its path.
# Only what promtool needs is compiled: the remove_all_sd tag leaves out the cloud service
# discovery plugins. The first build takes several minutes.
set -euo pipefail
COMPONENT=promtool
# shellcheck source=../local/lib.sh
source "$(dirname "$0")/../local/lib.sh"

# The Go module of Prometheus 3.x's release line (v0.3xx.y is Prometheus 3.xx.y).
VERSION=v0.316.0
BIN="$MANIFOLD_CACHE/bin/promtool-$VERSION"

if [ ! -x "$BIN" ]; then
  command -v go >/dev/null || die "Go (1.24 or newer) is required to build promtool"
  log "building promtool $VERSION into $BIN"
  mkdir -p "$(dirname "$BIN")"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  GOBIN="$tmp" GOTOOLCHAIN=local CGO_ENABLED=0 \
    GOMODCACHE="$HOME/.cache/go-mod" GOCACHE="$HOME/.cache/go-build" \
    go install -trimpath -tags remove_all_sd "github.com/prometheus/prometheus/cmd/promtool@$VERSION" >&2
  mv -f "$tmp/promtool" "$BIN"
fi
echo "$BIN"
