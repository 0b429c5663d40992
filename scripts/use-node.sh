#!/usr/bin/env bash
# Puts the Node.js version pinned in .nvmrc (and pnpm for it) first on PATH, installing both
# under ~/.cache the first time (deploy/local/install-node.sh).
#   source scripts/use-node.sh        in a shell or script: the rest of it runs on that Node
#   bash scripts/use-node.sh CMD ...  runs CMD on that Node
# When the node on PATH already is the pinned version (nvm use, a Node 24 image), it is kept.
_manifold_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ "$(node --version 2>/dev/null)" != "v$(tr -d ' v\n' <"$_manifold_root/.nvmrc")" ] ||
  ! command -v pnpm >/dev/null; then
  _manifold_node_bin="$(bash "$_manifold_root/deploy/local/install-node.sh")" || {
    echo "[node] could not install the pinned Node.js" >&2
    return 1 2>/dev/null || exit 1
  }
  export PATH="$_manifold_node_bin:$PATH"
  hash -r
  unset _manifold_node_bin
fi
unset _manifold_root
if [ "${BASH_SOURCE[0]}" = "$0" ] && [ $# -gt 0 ]; then exec "$@"; fi
