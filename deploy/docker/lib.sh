# Shared by the image scripts: the services that have an image, their tags, and podman as CI
# runs it (rootful, no Docker engine, no systemd).
# shellcheck shell=bash
# shellcheck source=../local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../local/lib.sh"

IMAGE_SERVICES=(ingestion translator warehouse-loader control-plane console)

# manifold/<service>:<version>, the version being the service package's own (IMAGE_TAG overrides).
image_name() {
  local version
  version="${IMAGE_TAG:-$(node -p "require('$MANIFOLD_ROOT/services/$1/package.json').version")}"
  echo "manifold/$1:$version"
}

# Images and layers live under ~/.cache so a later CI run reuses them; runc because crun refuses
# the cgroups of the VMs CI runs on; cgroupfs and file events because there is no systemd.
# (Fully qualified below, the name node:24-bookworm-slim would mean docker.io/library/….)
podman_() {
  $SUDO podman \
    --root "$MANIFOLD_CACHE/containers/storage" \
    --runroot "$MANIFOLD_RUN_DIR/containers" \
    --runtime runc \
    --cgroup-manager cgroupfs \
    --events-backend file \
    "$@"
}
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

# Containers (and build steps) get podman's default limits of 1,048,576 open files and 32,768
# processes per user, which runc sets from outside; on machines where even root may not raise a
# limit (no CAP_SYS_RESOURCE, as on this project's CI VMs) runc then fails with "error setting
# rlimit ... operation not permitted". Limits no higher than this shell's avoid that. (Root in a
# build step is not bound by the process limit; uid 1000 runs a handful of processes.)
nofile="$(ulimit -Hn)"; [ "$nofile" = unlimited ] || [ "$nofile" -gt 1048576 ] && nofile=1048576
CONTAINER_LIMITS=(--ulimit "nofile=$nofile:$nofile" --ulimit "nproc=16384:16384")
unset nofile
