#!/usr/bin/env bash
# Runs the JavaScript client tests (the dashboard's in headless Chromium last), the
# Ethereum-tooling tests (ethers and viem through eth-rpc), then @substrate/api-sidecar's
# (tests/sidecar), against a fresh `plexus-node launch --eth-rpc` deployment, after
# `promtool check config` of the Prometheus configuration it wrote.
#
#   tests/js/run.sh [PLEXUS_NODE_BINARY]
#
# The binary is $1, else $PLEXUS_NODE, else $CARGO_TARGET_DIR/debug/plexus-node
# (CARGO_TARGET_DIR defaults to ~/.cache/plexus/target). eth-rpc is $PLEXUS_ETH_RPC, else
# `eth-rpc` beside the node binary (scripts/eth-rpc.sh builds it there); without it the Ethereum
# tests are skipped, saying so, except under CI=true, where that is a failure. The deployment lives in a temporary
# directory that is removed afterwards; on a failure the tails of the launch output and of every
# node log are printed first (PLEXUS_KEEP_TMP=1 keeps the directory). Exits with the test
# runner's status.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
target_dir="${CARGO_TARGET_DIR:-$HOME/.cache/plexus/target}"
node_bin="${1:-${PLEXUS_NODE:-$target_dir/debug/plexus-node}}"
launch_wait_secs="${PLEXUS_LAUNCH_WAIT_SECS:-400}"
test_timeout_secs="${PLEXUS_JS_TEST_TIMEOUT_SECS:-600}"

if [[ ! -x "$node_bin" ]]; then
  echo "run.sh: no executable plexus-node at $node_bin (pass its path as \$1 or set PLEXUS_NODE)" >&2
  exit 2
fi
node_bin="$(cd "$(dirname "$node_bin")" && pwd)/$(basename "$node_bin")"

sidecar_dir="$(cd "$here/../sidecar" && pwd)"

eth_rpc="${PLEXUS_ETH_RPC:-$(dirname "$node_bin")/eth-rpc}"
launch_eth=()
if [[ -x "$eth_rpc" ]]; then
  launch_eth=(--eth-rpc --eth-rpc-binary "$eth_rpc")
elif [[ "${CI:-}" == true ]]; then
  echo "run.sh: no eth-rpc at $eth_rpc (build it with scripts/eth-rpc.sh)" >&2
  exit 2
else
  echo "run.sh: no eth-rpc at $eth_rpc; the Ethereum tests are skipped (build it with scripts/eth-rpc.sh)" >&2
fi

# npm packages: install from the lockfile when missing.
if [[ ! -d "$here/node_modules/@polkadot/api" ]]; then
  echo "run.sh: installing npm packages in $here (npm ci)"
  (cd "$here" && timeout 300 npm ci --no-audit --no-fund)
fi
if [[ ! -d "$sidecar_dir/node_modules/@substrate/api-sidecar" ]]; then
  echo "run.sh: installing npm packages in $sidecar_dir (npm ci)"
  (cd "$sidecar_dir" && timeout 300 npm ci --no-audit --no-fund)
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/plexus-js.XXXXXX")"
# launch makes its own base path (it refuses a directory it did not make); its output stays beside.
base="$tmp/deployment"
launch_pid=""

cleanup() {
  local status=$?
  if [[ -n "$launch_pid" ]] && kill -0 "$launch_pid" 2>/dev/null; then
    kill -TERM "$launch_pid" 2>/dev/null || true
    for _ in $(seq 1 30); do
      kill -0 "$launch_pid" 2>/dev/null || break
      sleep 1
    done
    if kill -0 "$launch_pid" 2>/dev/null; then
      echo "run.sh: launch (pid $launch_pid) still running after 30 s; sending SIGKILL" >&2
      kill -KILL "$launch_pid" 2>/dev/null || true
    fi
    wait "$launch_pid" 2>/dev/null || true
  fi
  if [[ "$status" != 0 ]]; then
    echo "----- last lines of the launch output ($tmp/launch.out)" >&2
    tail -n 30 "$tmp/launch.out" >&2 2>/dev/null || true
    local log
    for log in "$base"/*/*/node.log "$base"/*/eth-rpc/eth-rpc.log; do
      [[ -f "$log" ]] || continue
      echo "----- last lines of $log" >&2
      tail -n 15 "$log" >&2 || true
    done
  fi
  if [[ "${PLEXUS_KEEP_TMP:-0}" == 1 ]]; then
    echo "run.sh: deployment and node logs kept in $tmp" >&2
  else
    rm -rf "$tmp"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "run.sh: starting $node_bin launch --base-path $base ${launch_eth[*]}"
"$node_bin" launch --base-path "$base" "${launch_eth[@]}" >"$tmp/launch.out" 2>&1 &
launch_pid=$!

# Wait (bounded) for launch.json: it appears once every network finalizes a block.
started=$SECONDS
deadline=$((started + launch_wait_secs))
until [[ -s "$base/launch.json" ]]; do
  if ! kill -0 "$launch_pid" 2>/dev/null; then
    wait "$launch_pid" && launch_status=0 || launch_status=$?
    launch_pid=""
    echo "run.sh: plexus-node launch exited (status $launch_status) before writing launch.json" >&2
    exit 1
  fi
  if ((SECONDS >= deadline)); then
    echo "run.sh: no launch.json after ${launch_wait_secs} s" >&2
    exit 1
  fi
  sleep 1
done
echo "run.sh: deployment ready after $((SECONDS - started)) s"
cat "$tmp/launch.out"

status=0
# What launch wrote for Prometheus loads in promtool (scripts/setup.sh unpacks it).
promtool="${PLEXUS_PROMTOOL:-$HOME/.cache/plexus/prometheus/usr/bin/promtool}"
if [[ -x "$promtool" ]]; then
  "$promtool" check config "$base/prometheus/prometheus.yml" || {
    echo "run.sh: promtool check config failed on $base/prometheus/prometheus.yml" >&2
    status=1
  }
elif [[ "${CI:-}" == true ]]; then
  echo "run.sh: no promtool at $promtool (scripts/setup.sh unpacks it)" >&2
  status=1
else
  echo "run.sh: no promtool at $promtool; the Prometheus configuration is not checked" >&2
fi
PLEXUS_LAUNCH_JSON="$base/launch.json" timeout -k 10 "$test_timeout_secs" \
  npm test --prefix "$here" || status=$?
if [[ "$status" != 0 ]]; then
  echo "run.sh: client tests failed (status $status)" >&2
fi

# The dashboard in headless Chromium, after the suites above, whose messages, transactions and
# decisions it must show. It kills a consumer node (launch restarts it).
dashboard_status=0
PLEXUS_LAUNCH_JSON="$base/launch.json" PLEXUS_DASHBOARD_AFTER_SUITES=1 \
  timeout -k 10 "$test_timeout_secs" npm run test:dashboard --prefix "$here" || dashboard_status=$?
if [[ "$dashboard_status" != 0 ]]; then
  echo "run.sh: dashboard tests failed (status $dashboard_status)" >&2
  status=$dashboard_status
fi

# Ethereum tooling against the same deployment.
if ((${#launch_eth[@]})); then
  eth_status=0
  PLEXUS_LAUNCH_JSON="$base/launch.json" timeout -k 10 "$test_timeout_secs" \
    npm run test:eth --prefix "$here" || eth_status=$?
  if [[ "$eth_status" != 0 ]]; then
    echo "run.sh: Ethereum tooling tests failed (status $eth_status)" >&2
    status=$eth_status
  fi
fi

# The REST indexer against the same deployment.
sidecar_status=0
PLEXUS_LAUNCH_JSON="$base/launch.json" timeout -k 10 "$test_timeout_secs" \
  npm test --prefix "$sidecar_dir" || sidecar_status=$?
if [[ "$sidecar_status" != 0 ]]; then
  echo "run.sh: sidecar tests failed (status $sidecar_status)" >&2
  status=$sidecar_status
fi
exit "$status"
