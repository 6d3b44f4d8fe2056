#!/usr/bin/env bash
# Finalized transfers per second on a launched topology, and what they cost each node (issue 15,
# docs/benchmarks.md "Block time and budgets"). Launches TOPOLOGY in a temporary directory, funds
# the senders, sends --transfers transfers to a producer of --network (`plexus-node load
# transfers`) while the other networks idle, and prints the load's figures and the CPU time each
# node and relayer of the deployment used during it. Stops the deployment at the end, also on
# failure.
# Usage: bash scripts/throughput.sh [TOPOLOGY] [--network NAME] [--transfers N] [--node PATH]
# (default: chain-specs/one-producer.toml, its first network, 30,000, the workspace's node).
set -euo pipefail
cd "$(dirname "$0")/.."
node="${CARGO_TARGET_DIR:-$HOME/.cache/plexus/target}/debug/plexus-node"
topology=chain-specs/one-producer.toml
network=""
transfers=30000
while [ $# -gt 0 ]; do
  case "$1" in
    --network) network="$2"; shift 2 ;;
    --transfers) transfers="$2"; shift 2 ;;
    --node) node="$2"; shift 2 ;;
    -*) echo "throughput: unknown option $1" >&2; exit 2 ;;
    *) topology="$1"; shift ;;
  esac
done
[ -x "$node" ] || { echo "throughput: no node at $node (cargo build -p plexus-node)" >&2; exit 1; }
[ -f "$topology" ] || { echo "throughput: no topology file $topology" >&2; exit 1; }
per_account=25
accounts=$(( (transfers + per_account - 1) / per_account ))

source scripts/deployment.sh
deployment_start throughput
rpc=$(python3 - "$report" "$network" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
nodes = report["nodes"]
name = sys.argv[2] or nodes[0]["network"]
producers = [n["rpc"] for n in nodes if n["network"] == name and n["role"].lower() == "producer"]
if not producers:
    sys.exit(f"throughput: no producer of network {name!r} in launch.json")
print(producers[0])
EOF
)
echo "throughput: loading $rpc; $accounts senders x $per_account transfers"

cpu_ticks() { # every process launch started -> "pid ticks" lines (user + system)
  local pid
  for pid in $(pgrep -P "$launch_pid"); do
    [ -r "/proc/$pid/stat" ] || continue
    # Fields 14 and 15 after the command name, which may hold spaces: cut at the last ')'.
    sed 's/.*) //' "/proc/$pid/stat" | awk -v pid="$pid" '{ print pid, $12 + $13 }'
  done
}

"$node" load transfers --rpc "$rpc" --accounts "$accounts" --per-account 1 >"$work/fund.log" 2>&1 ||
  { cat "$work/fund.log"; exit 1; }
cpu_ticks >"$work/cpu.before"
started=$(date +%s.%N)
"$node" load transfers --rpc "$rpc" --accounts "$accounts" --per-account "$per_account" --funded \
  --timeout 900 | tee "$work/load.log"
ended=$(date +%s.%N)
cpu_ticks >"$work/cpu.after"

python3 - "$report" "$work/cpu.before" "$work/cpu.after" "$started" "$ended" "$(getconf CLK_TCK)" \
  "$(grep -m1 'transfers finalized' "$work/load.log" | awk '{print $3}')" <<'EOF'
import json, sys
report, before, after, started, ended, tck, finalized = sys.argv[1:8]
names = {n["pid"]: f'{n["network"]}/{n["name"]} ({n["role"].lower()})' for n in json.load(open(report))["nodes"]}
read = lambda f: {int(p): int(t) for p, t in (l.split() for l in open(f) if l.strip())}
b, a = read(before), read(after)
wall = float(ended) - float(started)
finalized = int(finalized)
print(f"\nCPU during the load ({wall:.1f} s wall, {finalized} transfers):")
total = 0.0
for pid in sorted(a):
    used = (a[pid] - b.get(pid, 0)) / int(tck)
    total += used
    print(f"  {names.get(pid, f'pid {pid} (relayer)'):<40} {used:7.1f} s  {100 * used / wall:5.1f} % of a core")
print(f"  {'all of them':<40} {total:7.1f} s  {100 * total / wall:5.1f} % of a core"
      f"  ({1e6 * total / max(finalized, 1):.0f} µs a transfer)")
EOF
