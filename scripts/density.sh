#!/usr/bin/env bash
# How many networks one host carries (issue 15, docs/benchmarks.md "Density"): launches TOPOLOGY
# (default chain-specs/four-networks.toml: 4 networks x (3 producers + 1 consumer), 4 relayers)
# in a temporary directory and prints launch's time to every network finalizing, then every
# network's finality lag, and each process's CPU and memory, first idle for --seconds, then with
# --rate transfers/s sent to every network at once for --seconds (`plexus-node load transfers
# --rate`). Stops the deployment at the end, also on failure.
# Usage: bash scripts/density.sh [TOPOLOGY] [--seconds S] [--rate R] [--node PATH]
# (default: 60 s, 100 transfers/s per network, the workspace's node).
set -euo pipefail
cd "$(dirname "$0")/.."
node="${CARGO_TARGET_DIR:-$HOME/.cache/plexus/target}/debug/plexus-node"
topology=chain-specs/four-networks.toml
seconds=60
rate=100
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --node) node="$2"; shift 2 ;;
    -*) echo "density: unknown option $1" >&2; exit 2 ;;
    *) topology="$1"; shift ;;
  esac
done
[ -x "$node" ] || { echo "density: no node at $node (cargo build -p plexus-node)" >&2; exit 1; }
[ -f "$topology" ] || { echo "density: no topology file $topology" >&2; exit 1; }

source scripts/deployment.sh
deployment_start density
grep "relayer started" "$work/launch.log" || true

python3 scripts/deployment-sampler.py "$report" "$launch_pid" "$seconds" idle

# One load per network on its first producer, distinct senders each; funding first, together.
mapfile -t rpcs < <(python3 -c '
import json, sys
seen = {}
for n in json.load(open(sys.argv[1]))["nodes"]:
    if n["role"] == "producer":
        seen.setdefault(n["network"], n["rpc"])
print("\n".join(seen.values()))' "$report")
per_account=10
accounts=$(( (rate * seconds + per_account - 1) / per_account ))
for rpc in "${rpcs[@]}"; do
  "$node" load transfers --rpc "$rpc" --accounts "$accounts" --per-account 1 >"$work/fund-${rpc##*:}.log" 2>&1 &
  loads+=($!)
done
for pid in "${loads[@]}"; do wait "$pid" || { cat "$work"/fund-*.log; exit 1; }; done
loads=()
for rpc in "${rpcs[@]}"; do
  "$node" load transfers --rpc "$rpc" --accounts "$accounts" --per-account "$per_account" \
    --funded --rate "$rate" --timeout $((seconds * 5)) >"$work/load-${rpc##*:}.log" 2>&1 &
  loads+=($!)
done
python3 scripts/deployment-sampler.py "$report" "$launch_pid" "$seconds" "under $rate transfers/s each"
status=0
for pid in "${loads[@]}"; do wait "$pid" || status=1; done
loads=()
for rpc in "${rpcs[@]}"; do
  # The load's progress lines ("load transfers: [  10 s] sent ...") name the same columns.
  echo "load on $rpc:"; grep -E "finalized|submitted|sustained" "$work/load-${rpc##*:}.log" |
    grep -v '^load transfers: \[' | sed 's/^/  /'
done
exit $status
