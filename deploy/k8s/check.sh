#!/usr/bin/env bash
# Checks Manifold's Kubernetes packaging, the Helm chart (deploy/helm/manifold) and the kustomize
# overlays (k8s/overlays/dev, k8s/overlays/production, and production with the ServiceMonitor component):
#  1. `helm lint --strict`, with the default values and with every option on;
#  2. what they render, validated strictly against Kubernetes' own schemas (kubernetes-validate),
#     and the console's setup token given to the console alone, from a Secret;
#  3. kube-score, with the exceptions written down in kube-score-exceptions.txt;
#  4. on a real control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, with
#     kwok's fake nodes), in namespaces that enforce PodSecurity "restricted": the chart and both
#     overlays are applied and every Deployment rolls out; `helm test`'s pod is admitted; a config
#     change rolls exactly the Deployments that read it (chart: `helm upgrade --set`; kustomize:
#     a changed generated ConfigMap); a re-render with unchanged values rolls nothing (the
#     chart's generated secrets, the console's setup token among them, are kept across upgrades).
# Every tool is built once into ~/.cache/manifold (install-tools.sh); the first run is slow.
set -euo pipefail
COMPONENT=k8s-check
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../local/lib.sh
source "$HERE/../local/lib.sh"
ROOT="$MANIFOLD_ROOT"
CHART="$ROOT/deploy/helm/manifold"
KUBERNETES_VALIDATE_VERSION=1.37.0
started=$SECONDS

eval "$(bash "$HERE/install-tools.sh")"
venv="$MANIFOLD_CACHE/kubernetes-validate-$KUBERNETES_VALIDATE_VERSION"
if [ ! -f "$venv/.installed" ]; then
  log "installing kubernetes-validate $KUBERNETES_VALIDATE_VERSION into $venv (once)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" >&2
  touch "$venv/.installed"
fi
KUBERNETES_VALIDATE="$venv/bin/kubernetes-validate"
log "tools ready after $((SECONDS - started)) s"

work="$(mktemp -d)"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 50); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.2
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# --- 1. helm lint -------------------------------------------------------------------------------
"$HELM" lint --strict "$CHART" >&2
"$HELM" lint --strict "$CHART" -f "$CHART/ci/full-values.yaml" >&2

# --- 2. render and validate -----------------------------------------------------------------------
"$HELM" template manifold "$CHART" -n manifold >"$work/helm-default.yaml"
"$HELM" template manifold "$CHART" -n manifold -f "$CHART/ci/full-values.yaml" >"$work/helm-full.yaml"
# The production overlay's Secrets come from files nobody commits: render it with the examples.
cp -r "$ROOT/k8s" "$work/k8s"
for example in "$work"/k8s/overlays/production/secrets/*.env.example; do cp "$example" "${example%.example}"; done
"$KUBECTL" kustomize "$work/k8s/overlays/dev" >"$work/kustomize-dev.yaml"
"$KUBECTL" kustomize "$work/k8s/overlays/production" >"$work/kustomize-production.yaml"
# The ServiceMonitor component, as an operator adds it to an overlay: rendered and checked
# statically only (the control plane below has no Prometheus Operator CRDs).
cp -r "$work/k8s/overlays/production" "$work/k8s/overlays/production-monitored"
printf 'components:\n  - ../../components/service-monitor\n' >>"$work/k8s/overlays/production-monitored/kustomization.yaml"
"$KUBECTL" kustomize "$work/k8s/overlays/production-monitored" >"$work/kustomize-monitored.yaml"
# Its selector must pick every Service, and each of them must have the port it scrapes.
"$venv/bin/python" - "$work/kustomize-monitored.yaml" <<'PY' || die "the service-monitor component does not select every service's admin port"
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
monitors = [d for d in docs if d["kind"] == "ServiceMonitor"]
services = [d for d in docs if d["kind"] == "Service"]
assert len(monitors) == 1 and services, "one ServiceMonitor and some Services expected"
monitor = monitors[0]["spec"]
wanted = monitor["selector"]["matchLabels"].items()
ports = {e["port"] for e in monitor["endpoints"]}
for service in services:
    name, labels = service["metadata"]["name"], service["metadata"].get("labels", {})
    assert all(labels.get(k) == v for k, v in wanted), f"{name} is not selected"
    assert ports & {p.get("name") for p in service["spec"]["ports"]}, f"{name} has no port {ports}"
print(f"ServiceMonitor selects all {len(services)} Services' admin ports")
PY
# The console's setup token reaches the console alone: from the chart's Secret by default, from
# the named Secret with console.setupToken.existingSecret (full values), from an optional key
# with kustomize; it is never a plain value.
"$venv/bin/python" - "$work/helm-default.yaml" "$work/helm-full.yaml" "$work/kustomize-dev.yaml" \
  "$work/kustomize-production.yaml" <<'PY' || die "the console's setup token is not wired as it should be"
import base64, sys, yaml
def load(path): return [d for d in yaml.safe_load_all(open(path)) if d]
def token_env(docs):
    found = {}
    for d in docs:
        if d["kind"] != "Deployment": continue
        for e in d["spec"]["template"]["spec"]["containers"][0].get("env", []):
            if e["name"] == "CONSOLE_SETUP_TOKEN":
                assert "value" not in e, f'{d["metadata"]["name"]}: CONSOLE_SETUP_TOKEN as a plain value'
                found[d["metadata"]["name"]] = e["valueFrom"]["secretKeyRef"]
    return found
def secrets_with_token(docs):
    return [d["metadata"]["name"] for d in docs if d["kind"] == "Secret" and "CONSOLE_SETUP_TOKEN" in (d.get("data") or {})]
default, full, dev, production = (load(p) for p in sys.argv[1:])
assert secrets_with_token(default) == ["manifold-console"], secrets_with_token(default)
token = base64.b64decode(next(d for d in default if d["kind"] == "Secret" and d["metadata"]["name"] == "manifold-console")["data"]["CONSOLE_SETUP_TOKEN"])
assert len(token) >= 16, "the generated setup token is too short"
assert token_env(default) == {}, token_env(default)
assert secrets_with_token(full) == [], secrets_with_token(full)
assert token_env(full) == {"manifold-console": {"name": "console-setup", "key": "token"}}, token_env(full)
for name, docs in (("dev", dev), ("production", production)):
    refs = token_env(docs)
    assert list(refs) == ["console"], f"{name}: {refs}"
    assert refs["console"]["key"] == "CONSOLE_SETUP_TOKEN" and refs["console"].get("optional") is True, f"{name}: {refs}"
print("the console's setup token: in the chart's console Secret, or an existing Secret, or an optional key (kustomize)")
PY
rendered=("$work/helm-default.yaml" "$work/helm-full.yaml" "$work/kustomize-dev.yaml" "$work/kustomize-production.yaml"
  "$work/kustomize-monitored.yaml")

"$KUBERNETES_VALIDATE" --strict -k "$KUBERNETES_VALIDATE_VERSION" --quiet "${rendered[@]}" >"$work/validate.out" 2>&1 || {
  cat "$work/validate.out" >&2
  die "manifests do not match Kubernetes' schemas"
}
# Kubernetes ships no schema for the Gateway API's and the Prometheus Operator's resources (CRDs):
# those two kinds are the only ones allowed to go unchecked.
if grep -v -E "Couldn't find schema for kind (HTTPRoute|ServiceMonitor) " "$work/validate.out" | grep . >/dev/null; then
  cat "$work/validate.out" >&2
  die "kubernetes-validate reported problems"
fi
log "schemas: ${#rendered[@]} renderings valid (strict)"

# --- 3. kube-score ----------------------------------------------------------------------------------
score_flags=()
while read -r check _; do
  case "$check" in '' | '#'*) ;; --*) score_flags+=("$check") ;; *) score_flags+=(--ignore-test "$check") ;; esac
done <"$HERE/kube-score-exceptions.txt"
if ! "$KUBE_SCORE" score "${score_flags[@]}" --output-format ci "${rendered[@]}" >"$work/score.out"; then
  grep -v -E '^\[(OK|SKIPPED)\]' "$work/score.out" >&2
  die "kube-score found problems (accepted exceptions are in deploy/k8s/kube-score-exceptions.txt)"
fi
log "kube-score: no finding beyond the written-down exceptions"
log "static checks done after $((SECONDS - started)) s"

# --- 4. a real control plane --------------------------------------------------------------------------
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
run() { # name, command...: started in the background, logged, stopped (by pid) on exit
  local name="$1"
  shift
  "$@" >"$work/$name.log" 2>&1 &
  pids+=("$!")
}
show_logs() { local f; for f in "$work"/*.log; do echo "--- $f" >&2; tail -n 30 "$f" >&2; done; }
fail() { show_logs; die "$*"; }

etcd_port="$(free_port)"
etcd_peer_port="$(free_port)"
api_port="$(free_port)"
token="$(python3 -c 'import secrets; print(secrets.token_hex(24))')"
mkdir -p "$work/pki" "$work/etcd"
openssl genrsa -out "$work/pki/sa.key" 2048 2>/dev/null
openssl rsa -in "$work/pki/sa.key" -pubout -out "$work/pki/sa.pub" 2>/dev/null
echo "$token,check-admin,check-admin,system:masters" >"$work/pki/tokens.csv"
cat >"$work/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters: [{ name: check, cluster: { server: "https://127.0.0.1:$api_port", insecure-skip-tls-verify: true } }]
users: [{ name: check-admin, user: { token: "$token" } }]
contexts: [{ name: check, context: { cluster: check, user: check-admin } }]
current-context: check
EOF
export KUBECONFIG="$work/kubeconfig"

run etcd etcd --name check --data-dir "$work/etcd" \
  --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls "http://127.0.0.1:$etcd_peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer_port" \
  --initial-cluster "check=http://127.0.0.1:$etcd_peer_port"
# WatchList off: kwok asks for watch-list streams, which need progress requests Debian's etcd
# (3.4.23) lacks; each such watch ended in an error and a retry after a growing back-off, so fake
# pods waited up to half a minute to be marked ready or removed, and the rollouts below took
# minutes. Without it, clients list and then watch, as before watch-lists.
# Service addresses are only allocated in the API (nothing routes to them: there is no kube-proxy);
# loopback is no address to publish for the `kubernetes` Service, hence no endpoint reconciler.
run kube-apiserver "$KUBE_APISERVER" --etcd-servers "http://127.0.0.1:$etcd_port" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" --cert-dir "$work/pki/serving" \
  --token-auth-file "$work/pki/tokens.csv" --authorization-mode RBAC \
  --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$work/pki/sa.pub" \
  --service-account-signing-key-file "$work/pki/sa.key" --service-cluster-ip-range 10.96.0.0/16 \
  --allow-privileged=false --profiling=false --endpoint-reconciler-type none --feature-gates WatchList=false
apiserver_pid="${pids[-1]}"
for _ in $(seq 1 240); do
  "$KUBECTL" get --raw /readyz >/dev/null 2>&1 && break
  kill -0 "$apiserver_pid" 2>/dev/null || fail "kube-apiserver stopped"
  sleep 0.5
done
"$KUBECTL" get --raw /readyz >/dev/null 2>&1 || fail "kube-apiserver did not become ready"
run kube-controller-manager "$KUBE_CONTROLLER_MANAGER" --kubeconfig "$KUBECONFIG" --leader-elect=false \
  --secure-port 0 --service-account-private-key-file "$work/pki/sa.key" --use-service-account-credentials=false
run kube-scheduler "$KUBE_SCHEDULER" --kubeconfig "$KUBECONFIG" --leader-elect=false --secure-port 0

# kwok plays the kubelet of three fake nodes, one per zone: pods are bound, then reported running
# and ready (no container runs), and deleted pods go away. Its stages are kwok's own defaults.
{
  for f in node/fast/node-initialize.yaml node/heartbeat/node-heartbeat.yaml pod/fast/pod-ready.yaml \
    pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    cat "$KWOK_STAGES/$f"
    printf -- '\n---\n'
  done
} >"$work/kwok.yaml"
run kwok "$KWOK" --kubeconfig "$KUBECONFIG" --config "$work/kwok.yaml" \
  --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake
for i in 0 1 2; do
  cat <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations: { kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: "0" }
  labels: { kubernetes.io/hostname: kwok-node-$i, kubernetes.io/os: linux, kubernetes.io/arch: amd64, topology.kubernetes.io/zone: zone-$i, type: kwok }
status:
  allocatable: { cpu: "16", memory: 64Gi, ephemeral-storage: 100Gi, pods: "110" }
  capacity: { cpu: "16", memory: 64Gi, ephemeral-storage: 100Gi, pods: "110" }
EOF
done >"$work/nodes.yaml"
"$KUBECTL" apply -f "$work/nodes.yaml" >/dev/null
"$KUBECTL" wait --for=condition=Ready node --all --timeout=90s >/dev/null || fail "kwok's nodes did not become ready"
log "control plane up with $("$KUBECTL" get nodes --no-headers | wc -l) fake nodes after $((SECONDS - started)) s"

# Applies (stdin or args) and fails on any warning, PodSecurity's included.
apply_strict() {
  "$KUBECTL" apply "$@" >"$work/apply.out" 2>"$work/apply.err" || { cat "$work/apply.err" >&2; fail "apply failed"; }
  if grep -q -i warning "$work/apply.err"; then cat "$work/apply.err" >&2; fail "apply warned"; fi
}
# Every Deployment of a namespace rolls out (all replicas updated and available): the conditions
# `kubectl rollout status` waits for, read for all of them from one listing a second, rather than
# one `rollout status` per Deployment in turn (26 kubectl runs per namespace at the least).
rolled_out() {
  local ns="$1" waiting=""
  for _ in $(seq 1 180); do
    waiting="$("$KUBECTL" -n "$ns" get deployments -o json | python3 -c 'import json, sys
for d in json.load(sys.stdin)["items"]:
    spec, status, meta = d["spec"], d.get("status", {}), d["metadata"]
    stuck = any(c.get("reason") == "ProgressDeadlineExceeded" for c in status.get("conditions", []))
    wanted, updated = spec.get("replicas", 1), status.get("updatedReplicas", 0)
    if stuck or status.get("observedGeneration", 0) < meta["generation"] or updated < wanted \
            or status.get("replicas", 0) > updated or status.get("availableReplicas", 0) < updated:
        print(meta["name"])')" || fail "$ns: could not list its Deployments"
    [ -z "$waiting" ] && break
    sleep 1
  done
  if [ -n "$waiting" ]; then
    local d
    for d in $waiting; do "$KUBECTL" -n "$ns" describe deployment "$d" >&2; done
    "$KUBECTL" -n "$ns" get events --sort-by=.lastTimestamp | tail -n 20 >&2
    fail "$ns: $(echo "$waiting" | tr '\n' ' ')did not roll out"
  fi
  log "$ns: $("$KUBECTL" -n "$ns" get deployments --no-headers | wc -l) Deployments rolled out, $("$KUBECTL" -n "$ns" get pods --field-selector=status.phase=Running --no-headers | wc -l) pods running"
}
# name=hash of each Deployment's pod template (what a rollout follows).
template_hashes() {
  "$KUBECTL" -n "$1" get deployments -o json |
    python3 -c 'import hashlib, json, sys
for d in json.load(sys.stdin)["items"]:
    print(d["metadata"]["name"], hashlib.sha256(json.dumps(d["spec"]["template"], sort_keys=True).encode()).hexdigest()[:12])'
}
# The Deployments whose pod template differs between two template_hashes outputs.
changed() { { diff <(echo "$1") <(echo "$2") || true; } | sed -n 's/^> \([^ ]*\) .*/\1/p' | sort | tr '\n' ' ' | sed 's/ $//'; }
expect_rolled() { # namespace, before, after, expected changed Deployments (sorted, space-separated)
  local got
  got="$(changed "$2" "$3")"
  [ "$got" = "$4" ] || fail "$1: expected a new pod template for [$4], got [$got]"
  rolled_out "$1"
}

restricted_namespace() {
  "$KUBECTL" create namespace "$1" >/dev/null
  "$KUBECTL" label namespace "$1" pod-security.kubernetes.io/enforce=restricted \
    pod-security.kubernetes.io/enforce-version=latest pod-security.kubernetes.io/warn=restricted >/dev/null
  enforced "$1"
}
# A pod without the restricted settings must be refused there: the admission is really on.
enforced() {
  if echo '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"unrestricted"},"spec":{"containers":[{"name":"c","image":"busybox:1"}]}}' |
    "$KUBECTL" -n "$1" apply --dry-run=server -f - >/dev/null 2>&1; then
    fail "$1: PodSecurity \"restricted\" is not enforced"
  fi
}

# The chart.
ns=manifold-helm
restricted_namespace "$ns"
"$HELM" install manifold "$CHART" -n "$ns" >"$work/helm.out" 2>&1 || { cat "$work/helm.out" >&2; fail "helm install failed"; }
if grep -q -i warning "$work/helm.out"; then cat "$work/helm.out" >&2; fail "helm install warned"; fi
rolled_out "$ns"
# helm test's pod needs the running services; here its admission under "restricted" is checked.
"$HELM" get hooks manifold -n "$ns" >"$work/hooks.yaml"
"$KUBECTL" -n "$ns" apply --dry-run=server -f "$work/hooks.yaml" >/dev/null 2>"$work/apply.err" ||
  { cat "$work/apply.err" >&2; fail "helm test's pod is not admitted"; }
setup_token() { "$KUBECTL" -n "$ns" get secret manifold-console -o jsonpath='{.data.CONSOLE_SETUP_TOKEN}' | base64 -d; }
installed_token="$(setup_token)"
[ "${#installed_token}" -ge 16 ] || fail "$ns: the console's generated setup token is missing or short"
before="$(template_hashes "$ns")"
"$HELM" upgrade manifold "$CHART" -n "$ns" --reuse-values >/dev/null
same="$(template_hashes "$ns")"
[ -z "$(changed "$before" "$same")" ] || fail "$ns: an upgrade without changes rolled [$(changed "$before" "$same")]"
[ "$(setup_token)" = "$installed_token" ] || fail "$ns: an upgrade changed the console's setup token"
"$HELM" upgrade manifold "$CHART" -n "$ns" --reuse-values --set ingestion.shutdownDelayMs=7000 >/dev/null
after="$(template_hashes "$ns")"
expect_rolled "$ns" "$before" "$after" "manifold-ingestion"
"$HELM" upgrade manifold "$CHART" -n "$ns" --reuse-values --set mongodb.url=mongodb://mongodb.other:27017/ >/dev/null
again="$(template_hashes "$ns")"
translators="$(for t in webhook mixpanel amplitude google-analytics-4 customerio posthog intercom braze meta-conversions-api klaviyo iterable slack heap keen kissmetrics hubspot sendgrid mailchimp zendesk kafka salesforce google-ads; do echo "manifold-translator-$t"; done | sort | tr '\n' ' ')"
expect_rolled "$ns" "$after" "$again" "manifold-console manifold-control-plane ${translators% } manifold-warehouse-loader"
log "$ns: config changes rolled exactly the Deployments that read them"

# The kustomize overlays (each brings its Namespace, labelled restricted).
for overlay in dev production; do
  apply_strict -f "$work/kustomize-$overlay.yaml"
done
enforced manifold-dev
enforced manifold
rolled_out manifold-dev
rolled_out manifold
before="$(template_hashes manifold-dev)"
sed -i 's|PUBLIC_URL=http://manifold.dev.localhost|PUBLIC_URL=http://console.dev.localhost|' "$work/k8s/overlays/dev/kustomization.yaml"
"$KUBECTL" kustomize "$work/k8s/overlays/dev" | apply_strict -f -
expect_rolled manifold-dev "$before" "$(template_hashes manifold-dev)" "console"
log "manifold-dev: a changed ConfigMap rolled only the console"

log "done in $((SECONDS - started)) s"
