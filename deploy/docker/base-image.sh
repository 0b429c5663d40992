#!/usr/bin/env bash
# Makes the base image the Dockerfile starts from, node:24-bookworm-slim, without a container
# registry: a Debian bookworm root filesystem from debootstrap (minbase), plus the Node.js build
# pinned in .nvmrc (deploy/local/install-node.sh), npm, and the user `node` (uid and gid 1000),
# as in Node's official image; imported into podman's storage. The root filesystem's tarball is
# kept under ~/.cache, so this runs once per Node version (delete the tarball to make it again).
# Needs root (or sudo) for debootstrap and podman. Prints the image's name.
set -euo pipefail
COMPONENT=base-image
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

NODE_VERSION="$(tr -d ' v\n' <"$MANIFOLD_ROOT/.nvmrc")"
# The npm that Node 24.22 ships with.
NPM_VERSION=11.19.1
# Bump when what goes into the root filesystem changes, so the cached tarball is made again.
RECIPE=2
IMAGE="docker.io/library/node:${NODE_VERSION%%.*}-bookworm-slim"
KEY="node-$NODE_VERSION-npm-$NPM_VERSION-bookworm-slim-$(dpkg --print-architecture)-r$RECIPE"
TARBALL="$MANIFOLD_CACHE/images/$KEY.tar.gz"

if [ "$(podman_ image inspect --format '{{index .Labels "org.manifold.base"}}' "$IMAGE" 2>/dev/null)" = "$KEY" ]; then
  echo "$IMAGE"
  exit 0
fi

if [ ! -f "$TARBALL" ]; then
  node_bin="$(bash "$MANIFOLD_ROOT/deploy/local/install-node.sh")"
  # The Debian mirror this machine's apt uses (the first `deb` source), so no mirror is named here.
  mirror="$(apt-get indextargets --format '$(REPO_URI)' 'Created-By: Packages' 2>/dev/null | grep -v security | head -n1)"
  [ -n "$mirror" ] || die "no Debian mirror found in apt's sources"
  log "making a Debian bookworm root filesystem from $mirror (takes a few minutes, once)"
  tmp="$(mktemp -d)"
  trap '$SUDO rm -rf "$tmp"' EXIT
  rootfs="$tmp/rootfs"
  $SUDO debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$tmp/debootstrap.log" 2>&1 || {
    tail -n 30 "$tmp/debootstrap.log" >&2
    die "debootstrap failed"
  }
  $SUDO install -m 0755 "$node_bin/node" "$rootfs/usr/local/bin/node"
  (cd "$tmp" && npm pack --silent "npm@$NPM_VERSION" >/dev/null)
  $SUDO mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
  $SUDO tar xzf "$tmp/npm-$NPM_VERSION.tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
  $SUDO ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  $SUDO ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  $SUDO chroot "$rootfs" groupadd --gid 1000 node
  $SUDO chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  # What a container never needs (as in Debian's slim images): apt's downloaded lists and
  # packages, documentation, translations of messages.
  $SUDO rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/var/log/* \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
    "$rootfs"/usr/share/locale/*/
  mkdir -p "$(dirname "$TARBALL")"
  $SUDO tar -C "$rootfs" --numeric-owner -czf "$tmp/rootfs.tar.gz" .
  mv "$tmp/rootfs.tar.gz" "$TARBALL"
fi

log "importing $TARBALL as $IMAGE"
podman_ import --quiet \
  --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "ENV NODE_VERSION=$NODE_VERSION" \
  --change "LABEL org.manifold.base=$KEY" \
  --change 'CMD ["node"]' \
  "$TARBALL" "$IMAGE" >/dev/null
echo "$IMAGE"
