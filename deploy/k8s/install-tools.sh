#!/usr/bin/env bash
# Builds the tools deploy/k8s/check.sh uses from their Go modules, once, into
# ~/.cache/manifold/bin/<tool>-<version>/, and prints `NAME=PATH` lines for them:
#   helm, kube-score, kwok, and the Kubernetes control plane (kube-apiserver,
#   kube-controller-manager, kube-scheduler) with its kubectl.
# Usage: install-tools.sh [helm|kube-score|kwok|kube ...]   (all when none is named)
# The Kubernetes build is the slow one (about half an hour cold on two cores); it runs at the
# lowest CPU priority so it shares the machine politely.
set -euo pipefail
COMPONENT=k8s-tools
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../local/lib.sh
source "$HERE/../local/lib.sh"

HELM_VERSION=v3.22.0
KUBE_SCORE_VERSION=v1.20.0
KWOK_VERSION=v0.8.0
# Must match the version required in kube-build/go.mod.
KUBE_VERSION=v1.37.2

export GOTOOLCHAIN=local CGO_ENABLED=0
export GOMODCACHE="$HOME/.cache/go-mod" GOCACHE="${GOCACHE:-$HOME/.cache/go-build}"
command -v go >/dev/null || die "Go (1.26 or newer) is required to build the Kubernetes tools"

# go install of one module's command into $1 (a folder), unless it is there already; $3: more -X flags.
install_cmd() {
  local dir="$1" pkg="$2" xflags="${3:-}" name
  name="$(basename "${pkg%@*}")"
  [ -x "$dir/$name" ] && return 0
  log "building $pkg into $dir (once)"
  local tmp
  tmp="$(mktemp -d)"
  GOBIN="$tmp" nice -n 19 go install -trimpath -ldflags="-s -w $xflags" "$pkg" >&2
  mkdir -p "$dir"
  mv -f "$tmp/$name" "$dir/$name"
  rm -rf "$tmp"
}

build_helm() {
  # The Kubernetes version helm assumes without a cluster (lint, template), as its Makefile sets it.
  local minor="${KUBE_VERSION#v1.}" x="-X helm.sh/helm/v3/pkg" flags dir
  minor="${minor%%.*}"
  dir="$MANIFOLD_CACHE/bin/helm-$HELM_VERSION-kube1.$minor"
  flags="$x/chartutil.k8sVersionMajor=1 $x/chartutil.k8sVersionMinor=$minor"
  flags+=" $x/lint/rules.k8sVersionMajor=1 $x/lint/rules.k8sVersionMinor=$minor"
  flags+=" -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  install_cmd "$dir" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" "$flags"
  echo "HELM=$dir/helm"
}

build_kube_score() {
  local dir="$MANIFOLD_CACHE/bin/kube-score-$KUBE_SCORE_VERSION"
  install_cmd "$dir" "github.com/zegl/kube-score/cmd/kube-score@$KUBE_SCORE_VERSION"
  echo "KUBE_SCORE=$dir/kube-score"
}

build_kwok() {
  local dir="$MANIFOLD_CACHE/bin/kwok-$KWOK_VERSION"
  install_cmd "$dir" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  echo "KWOK=$dir/kwok"
  # kwok's default stages (fake kubelet behaviour) are files of its module.
  local src
  src="$(cd "$MANIFOLD_CACHE" && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" |
    sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  [ -d "$src/kustomize/stage" ] || die "kwok's stages not found in its module ($src)"
  echo "KWOK_STAGES=$src/kustomize/stage"
}

build_kube() {
  local dir="$MANIFOLD_CACHE/bin/kube-$KUBE_VERSION" cmds=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
  local missing=0 c
  for c in "${cmds[@]}"; do [ -x "$dir/$c" ] || missing=1; done
  if [ "$missing" = 1 ]; then
    log "building Kubernetes $KUBE_VERSION (${cmds[*]}) into $dir (once; slow)"
    local tmp pkgs=() v="k8s.io/component-base/version"
    tmp="$(mktemp -d)"
    for c in "${cmds[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
    (cd "$HERE/kube-build" && nice -n 19 go build -mod=readonly -trimpath -o "$tmp/" \
      -ldflags="-s -w -X $v.gitVersion=$KUBE_VERSION -X $v.gitTreeState=clean" "${pkgs[@]}") >&2
    mkdir -p "$dir"
    for c in "${cmds[@]}"; do mv -f "$tmp/$c" "$dir/$c"; done
    rm -rf "$tmp"
  fi
  for c in "${cmds[@]}"; do printf '%s=%s\n' "$(echo "$c" | tr 'a-z-' 'A-Z_')" "$dir/$c"; done
}

what=("$@")
[ "${#what[@]}" -gt 0 ] || what=(helm kube-score kwok kube)
for w in "${what[@]}"; do
  case "$w" in
    helm) build_helm ;;
    kube-score) build_kube_score ;;
    kwok) build_kwok ;;
    kube) build_kube ;;
    *) die "unknown tool: $w" ;;
  esac
done
