#!/usr/bin/env bash
# What importing a signed transfer costs a node, against its weight (issue 15, docs/benchmarks.md
# "The weight against real time"). A one-producer --dev chain gets its senders funded, then
# --transfers transfers (`plexus-node load transfers`); its blocks are exported, and imported
# into an empty ParityDb twice per run: up to the last block before the transfers, and all of them.
# The difference, over the transfers, is a transfer's import: execution with its signature check,
# and the commit. Prints wall and CPU time per transfer, medians of --runs.
# Usage: bash scripts/import-speed.sh [--node PATH] [--transfers N] [--runs R]
# (default: the workspace's dev-profile node, the one `scripts/launch.sh` runs; 10,000; 3).
# IMPORT_SPEED_KEEP=1 keeps the chain and the exported blocks (for `perf record` of an import).
set -euo pipefail
cd "$(dirname "$0")/.."
node="${CARGO_TARGET_DIR:-$HOME/.cache/plexus/target}/debug/plexus-node"
transfers=10000
runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --node) node="$2"; shift 2 ;;
    --transfers) transfers="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    *) echo "import-speed: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x /usr/bin/time ] || { echo "import-speed: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
[ -x "$node" ] || { echo "import-speed: no node at $node (cargo build -p plexus-node)" >&2; exit 1; }
accounts=400
per_account=$(( (transfers + accounts - 1) / accounts ))

work=$(mktemp -d /tmp/plexus-import-speed.XXXXXX)
pid=""
cleanup() {
  [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
  [ -z "$pid" ] || wait "$pid" 2>/dev/null || true
  if [ -n "${IMPORT_SPEED_KEEP:-}" ]; then echo "import-speed: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rpc_port=$(free_port)
p2p_port=$(free_port)
rpc() { # method, params (JSON) -> result (JSON)
  curl -sf -H 'Content-Type: application/json' \
    -d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$1\",\"params\":$2}" "http://127.0.0.1:$rpc_port" |
    python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["result"]))'
}
finalized_number() {
  local hash
  hash=$(rpc chain_getFinalizedHead '[]')
  rpc chain_getHeader "[$hash]" | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["number"],16))'
}
signed_in() { # blocks FROM..TO -> signed extrinsics in them (all but the timestamp inherent)
  local n total=0 hash count
  for n in $(seq "$1" "$2"); do
    hash=$(rpc chain_getBlockHash "[$n]")
    count=$(rpc chain_getBlock "[$hash]" |
      python3 -c 'import json,sys; print(len(json.load(sys.stdin)["block"]["extrinsics"]) - 1)')
    total=$((total + count))
  done
  echo "$total"
}

echo "import-speed: $node, $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
"$node" --dev --base-path "$work/chain" --rpc-port "$rpc_port" --no-prometheus --no-mdns \
  --listen-addr "/ip4/127.0.0.1/tcp/$p2p_port" >"$work/node.log" 2>&1 &
pid=$!
for _ in $(seq 120); do rpc system_health '[]' >/dev/null 2>&1 && break; sleep 1; done
rpc system_health '[]' >/dev/null || { tail -20 "$work/node.log"; exit 1; }

# Funding, and one transfer per sender, then wait for it all to be final: those blocks are the
# baseline; only the measured transfers come after them.
"$node" load transfers --rpc "ws://127.0.0.1:$rpc_port" --accounts "$accounts" --per-account 1 \
  >"$work/fund.log" 2>&1 || { cat "$work/fund.log"; exit 1; }
sleep 7
before=$(finalized_number)
"$node" load transfers --rpc "ws://127.0.0.1:$rpc_port" --accounts "$accounts" \
  --per-account "$per_account" --funded | tee "$work/load.log"
sleep 7
after=$(finalized_number)
measured=$(signed_in $((before + 1)) "$after")
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
echo "import-speed: blocks #1-#$before are the baseline; #$((before + 1))-#$after hold $measured signed transactions"

"$node" export-blocks --dev --base-path "$work/chain" --binary --from 1 --to "$before" \
  "$work/base.blocks" 2>/dev/null
"$node" export-blocks --dev --base-path "$work/chain" --binary --from 1 --to "$after" \
  "$work/all.blocks" 2>/dev/null

import_into_empty() { # blocks file -> "wall cpu" seconds of importing it into an empty database
  rm -rf "$work/import"
  /usr/bin/time -f '%e %U %S' -o "$work/time" \
    "$node" import-blocks --dev --base-path "$work/import" --binary "$1" >/dev/null 2>&1
  awk '{printf "%.3f %.3f\n", $1, $2 + $3}' "$work/time"
}
results=()
for run in $(seq "$runs"); do
  read -r base_wall base_cpu < <(import_into_empty "$work/base.blocks")
  read -r all_wall all_cpu < <(import_into_empty "$work/all.blocks")
  line=$(python3 -c "print('%.1f %.1f' % (($all_wall-$base_wall)*1e6/$measured, ($all_cpu-$base_cpu)*1e6/$measured))")
  echo "import-speed: run $run: baseline ${base_wall}s, all ${all_wall}s; per transfer wall/CPU: $line µs"
  results+=("$line")
done
printf '%s\n' "${results[@]}" | python3 -c '
import statistics, sys
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
print("import-speed: median per transfer: wall %.1f µs, CPU %.1f µs" % (
    statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows)))'
