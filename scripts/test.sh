#!/usr/bin/env bash
# Every test: the @polkadot/api client test and zombienet against launched networks, then the
# Rust tests (pallets, runtime, launch end to end). Sets itself up on a fresh Debian machine.
# The last line sums every suite: "plexus: N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
export CARGO_TARGET_DIR
# CI builds a fresh clone, at a path no later run shares: the incremental caches of its crates
# (1-2 GB each for the node's) would never be read again, only pile up in the target directory
# until the disk is full (session 17's first CI run stopped so). Dependencies are never
# incremental, so they stay warm.
if [[ "${CI:-}" == true ]]; then
  export CARGO_INCREMENTAL=0
fi
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
# Checks that are not suites of their own write one line each here, "ok NAME" or "FAIL NAME"
# (step does it); a failed one is counted in the sum and fails the run at the end, but the suites
# after it still run.
: >"$logs/steps"
step() {
  local name=$1 result=ok
  shift
  "$@" || result=FAIL
  echo "$result $name" | tee -a "$logs/steps"
}

echo "== the node alone and the workspace build their shared dependencies once"
bash scripts/check-features.sh

echo "== build plexus-node (debug, with the wasm runtime)"
cargo build --locked -p plexus-node
export PLEXUS_NODE="$CARGO_TARGET_DIR/debug/plexus-node"

echo "== eth-rpc (pallet-revive-eth-rpc 0.24.0 from crates.io, for the node's metadata; eth-rpc/README.md)"
bash scripts/eth-rpc.sh "$PLEXUS_NODE" | tee "$logs/eth-rpc"
export PLEXUS_ETH_RPC
PLEXUS_ETH_RPC=$(tail -n 1 "$logs/eth-rpc")

echo "== container image (buildah, no pull)"
step "image plexus-node:test" bash scripts/image.sh "$PLEXUS_NODE" plexus-node:test

echo "== Kubernetes manifests: kubernetes-validate --strict, kustomize"
# Its lines, "ok k8s ..." or "FAIL k8s ...", are counted with the steps'.
bash scripts/kubernetes-check.sh "$PLEXUS_NODE" 2>&1 | tee -a "$logs/steps" || true

echo "== Prometheus alert rules (promtool test rules: each alert fires on cue and stays quiet beside it)"
step "promtool rules" "$PLEXUS_PROMTOOL" test rules node/src/launch/monitoring/plexus.rules.test.yml

echo "== npm packages"
(cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
(cd tests/sidecar && npm ci --no-audit --no-fund --loglevel=error)
(cd zombienet && npm ci --no-audit --no-fund --loglevel=error)
(cd contracts && npm ci --no-audit --no-fund --loglevel=error)

echo "== Solidity fixtures match their sources (solc from contracts/package-lock.json)"
(cd contracts && node compile.mjs --check) 2>&1 | tee "$logs/contracts"

echo "== @polkadot/api, ethers, viem and sidecar against two launched networks"
# A run that fails before its suites report (launch did not come up) is counted as a failure.
js_status=0
bash tests/js/run.sh "$PLEXUS_NODE" 2>&1 | tee "$logs/js" || js_status=$?
if [[ "$js_status" == 0 ]]; then echo "ok js run" >>"$logs/steps"; else echo "FAIL js run" | tee -a "$logs/steps"; fi

echo "== zombienet (native provider)"
bash zombienet/run.sh "$PLEXUS_NODE" 2>&1 | tee "$logs/zombienet"

echo "== the runtime without std, with runtime-benchmarks (what the release benchmark build needs)"
# The node's build only compiles the wasm runtime without benchmarks; a no_std mistake behind the
# feature would otherwise surface only in scripts/weights.sh's release build.
SKIP_WASM_BUILD=1 RUSTFLAGS="--cfg substrate_runtime" cargo check --locked -q -p plexus-runtime \
  --no-default-features --features runtime-benchmarks --target wasm32v1-none

echo "== Rust tests"
# One test at a time: the spawned-node tests are modules of one binary (tests/tests/spawned.rs),
# and each one's deployment wants the two cores to itself.
cargo test --locked --workspace -- --test-threads=1 2>&1 | tee "$logs/cargo"
# The router's, the resource manager's, data protection's, the contract executor's and the producers' benchmarks, run once each on their
# mock runtimes, so they cannot rot.
cargo test --locked -p pallet-event-router --features runtime-benchmarks benchmarking 2>&1 \
  | tee -a "$logs/cargo"
cargo test --locked -p pallet-resource-manager --features runtime-benchmarks benchmarking 2>&1 \
  | tee -a "$logs/cargo"
cargo test --locked -p pallet-data-protection --features runtime-benchmarks benchmarking 2>&1 \
  | tee -a "$logs/cargo"
cargo test --locked -p pallet-contract-executor --features runtime-benchmarks benchmarking 2>&1 \
  | tee -a "$logs/cargo"
cargo test --locked -p pallet-producers --features runtime-benchmarks benchmarking 2>&1 \
  | tee -a "$logs/cargo"

passed=0
failed=0
add() { passed=$((passed + ${1:-0})); failed=$((failed + ${2:-0})); }
add "$(awk '/^# pass /{s+=$3} END{print s+0}' "$logs/js")" \
    "$(awk '/^# fail /{s+=$3} END{print s+0}' "$logs/js")"
add "$(sed -n 's/.*Result: \([0-9]*\)\/[0-9]*.*/\1/p' "$logs/zombienet" | awk '{s+=$1} END{print s+0}')" 0
add "$(grep -c '^ok fixtures/' "$logs/contracts")" "$(grep -c '^stale: ' "$logs/contracts")"
add "$(awk '/^test result:/{s+=$4} END{print s+0}' "$logs/cargo")" \
    "$(awk '/^test result:/{s+=$6} END{print s+0}' "$logs/cargo")"
# grep -c prints 0 but exits 1 when nothing matches.
add "$(grep -c '^ok ' "$logs/steps" || true)" "$(grep -c '^FAIL ' "$logs/steps" || true)"
echo "plexus: $passed passed, $failed failed"
# A step's failure did not stop the run; it fails it here.
[ "$failed" -eq 0 ]
