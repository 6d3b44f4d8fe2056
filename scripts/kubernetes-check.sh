#!/usr/bin/env bash
# Checks the Kubernetes manifests without a cluster: those `plexus-node kubernetes` writes for the
# default topology now, and the golden set the unit tests pin, each validated against the
# schemas of the oldest Kubernetes it supports (1.31: StatefulSet ordinals) and the newest in the
# pinned validator, strictly (an unknown field is an error, and so is a warning: an unknown kind
# only warns), and rendered by `kubectl kustomize` where kubectl is installed; the Prometheus
# configuration and rules they carry are checked by promtool.
# Prints one line per check, "ok k8s ..." or "FAIL k8s ...", and exits 1 if any failed.
# Usage: scripts/kubernetes-check.sh PLEXUS_NODE
set -euo pipefail
cd "$(dirname "$0")/.."
node=${1:?usage: scripts/kubernetes-check.sh PLEXUS_NODE}

venv="$HOME/.cache/plexus/venv-k8s"
validator="$venv/bin/kubernetes-validate"
if ! "$validator" --version 2>/dev/null | grep -q '1\.37\.0'; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check kubernetes-validate==1.37.0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
check() {
  local name=$1
  shift
  if "$@" >"$work/out" 2>&1; then
    echo "ok k8s $name"
  else
    cat "$work/out"
    echo "FAIL k8s $name"
    failed=1
  fi
}

validate() {
  local dir=$1 version=$2
  find "$dir" -name '*.yaml' ! -name kustomization.yaml -print0 |
    xargs -0 "$validator" -k "$version" --strict --quiet >"$work/validate" 2>&1 || {
    cat "$work/validate"
    return 1
  }
  # kubernetes-validate exits 0 on warnings (e.g. a kind it has no schema for).
  if grep -q '^WARN' "$work/validate"; then
    cat "$work/validate"
    return 1
  fi
}

# The Prometheus configuration and alert rules the manifests carry (ConfigMap plexus-prometheus)
# load in promtool. Debian builds Prometheus without Kubernetes discovery, so its promtool
# refuses `kubernetes_sd_configs`: the check swaps each for an empty file_sd block and checks
# the rest (jobs, relabelling, rules). Which pod labels and annotations the relabelling reads is
# pinned by a unit test of the manifests.
promcheck() {
  local dir=$1 out
  out=$(mktemp -d "$work/prometheus.XXXX")
  python3 - "$dir/monitoring/prometheus.configmap.yaml" "$out" <<'EOF'
import json, re, sys
for name, text in json.load(open(sys.argv[1]))["data"].items():
    if name == "prometheus.yml":
        sd = r"    kubernetes_sd_configs:\n      - role: pod\n        namespaces:\n          names: \[.*\]\n"
        text, swapped = re.subn(sd, '    file_sd_configs:\n      - files: ["k8s-pods.json"]\n', text)
        assert swapped == 2, f"expected 2 kubernetes_sd_configs blocks, found {swapped}"
    open(f"{sys.argv[2]}/{name}", "w").write(text)
open(f"{sys.argv[2]}/k8s-pods.json", "w").write("[]")
EOF
  "${PLEXUS_PROMTOOL:?setup.sh exports it}" check config "$out/prometheus.yml"
}

check "generate the default topology" "$node" kubernetes --out "$work/default"
for dir in "$work/default" node/src/launch/kubernetes/golden/default; do
  label=${dir#"$work/"}
  for version in 1.31.0 1.37.0; do
    check "validate $label $version" validate "$dir" "$version"
  done
  check "promtool $label" promcheck "$dir"
  if command -v kubectl >/dev/null 2>&1; then
    check "kustomize $label" kubectl kustomize "$dir"
  fi
done
# Generated secrets are for their owner only.
check "secrets 0600" bash -c \
  '! find "$1" -name "*.secret.yaml" ! -perm 600 | grep -q .' _ "$work/default"
exit $failed
