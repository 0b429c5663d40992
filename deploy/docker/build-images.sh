#!/usr/bin/env bash
# Builds manifold/<service>:<version> for every service (or those named) from deploy/docker/Dockerfile,
# unmodified, with podman: no Docker engine and no container registry needed.
#   build-images.sh [service ...]
# The base image comes from base-image.sh; images and build layers are kept under ~/.cache, so
# a rebuild after a source change redoes only the workspace build and what follows it.
# The build's `npm install` and `pnpm fetch` reach the package registry over the host's network.
set -euo pipefail
COMPONENT=images
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=../../scripts/use-node.sh
source "$MANIFOLD_ROOT/scripts/use-node.sh"

services=("$@")
[ ${#services[@]} -gt 0 ] || services=("${IMAGE_SERVICES[@]}")

bash "$MANIFOLD_ROOT/deploy/local/install-system-deps.sh" images
bash "$(dirname "$0")/base-image.sh" >/dev/null

# The build's npm and pnpm use this machine's npm settings: its registry, and the certificate
# authorities it trusts (a proxy's, say), mounted into each RUN step (never into a layer).
build_npmrc="$MANIFOLD_RUN_DIR/image-build.npmrc"
echo "registry=$(npm config get registry)" >"$build_npmrc"
build_mounts=(-v "$build_npmrc:/root/.npmrc:ro")
ca="$(npm config get cafile 2>/dev/null || true)"
[ -f "$ca" ] || ca="${NODE_EXTRA_CA_CERTS:-}"
if [ -f "$ca" ]; then
  echo "cafile=/root/.build-ca.crt" >>"$build_npmrc"
  build_mounts+=(-v "$ca:/root/.build-ca.crt:ro")
fi

for service in "${services[@]}"; do
  image="$(image_name "$service")"
  started=$SECONDS
  # --pull=never: the base image is the one imported above, never looked up in a registry.
  podman_ build --pull=never --network host --layers "${CONTAINER_LIMITS[@]}" \
    "${build_mounts[@]}" -f "$MANIFOLD_ROOT/deploy/docker/Dockerfile" --build-arg "SERVICE=$service" \
    -t "$image" "$MANIFOLD_ROOT" >"$MANIFOLD_RUN_DIR/logs/image-$service.log" 2>&1 || {
    tail -n 40 "$MANIFOLD_RUN_DIR/logs/image-$service.log" >&2
    die "building $image failed; log: $MANIFOLD_RUN_DIR/logs/image-$service.log"
  }
  size="$(podman_ image inspect --format '{{.Size}}' "$image")"
  log "$image: $((size / 1000000)) MB, built in $((SECONDS - started))s"
done
# Build layers no image uses any more (earlier builds' sources) would pile up in the cache; those
# of the last week stay, as the next build's cache (the lockfile's layers change seldom).
podman_ image prune --force --filter until=168h >/dev/null
