#!/usr/bin/env bash
# Measures the runtime's weights on this machine and writes them to runtime/src/weights/:
#   - `benchmark pallet`   every pallet in runtime/src/benchmarks.rs  -> weights/<pallet>.rs
#   - `benchmark overhead` an empty block and a signed remark        -> block_weights.rs,
#                                                                      extrinsic_weights.rs
#   - `benchmark storage`  RocksDB reads and writes on a chain's state -> rocksdb_weights.rs
# The node is built in the release profile with `--features runtime-benchmarks`: weights describe
# the optimised node that runs the networks. (A dev-profile node measures the same extrinsics 3-5x
# slower: its dependencies keep debug assertions and overflow checks.) Run it on a quiet machine
# of the kind the networks will run on.
#
#   scripts/weights.sh [--steps N] [--repeat N] [--db PATH]
#
# --db names the base path of a node whose chain state `benchmark storage` reads (e.g. one that
# ran `plexus-node load transfers`); without it a fresh dev chain is used, whose state is small.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

steps=50
repeat=20
db=""
while [ $# -gt 0 ]; do
  case "$1" in
    --steps) steps="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --db) db="$2"; shift 2 ;;
    *) echo "weights.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

echo "weights: building plexus-node (release) with runtime-benchmarks"
cargo build --locked --release -p plexus-node --features runtime-benchmarks
node="$CARGO_TARGET_DIR/release/plexus-node"
out=runtime/src/weights
header=scripts/weights-header.txt
mkdir -p "$out"
wasm=$(ls "$CARGO_TARGET_DIR"/release/wbuild/plexus-runtime/plexus_runtime.compact.compressed.wasm \
  "$CARGO_TARGET_DIR"/release/wbuild/plexus-runtime/plexus_runtime.wasm 2>/dev/null | head -1)

# Every pallet the runtime lists, except frame-benchmarking's own baseline.
pallets=$("$node" benchmark pallet --list=pallets --chain dev 2>/dev/null | tail -n +2 | tr -d ' ' \
  | grep -v '^frame_benchmarking$')
for pallet in $pallets; do
  echo "weights: benchmark pallet $pallet"
  "$node" benchmark pallet --runtime "$wasm" --genesis-builder=runtime \
    --genesis-builder-preset development --pallet "$pallet" --extrinsic '*' \
    --steps "$steps" --repeat "$repeat" --wasm-execution compiled \
    --header "$header" --output "$out/$pallet.rs"
done

echo "weights: benchmark overhead"
"$node" benchmark overhead --chain dev --header "$header" --weight-path "$out" \
  --warmup 10 --repeat 100

# The remark above ran every transaction extension, whose own weights frame-system charges too:
# the base that the runtime charges is the remark without them (runtime/src/weights/extrinsic_base.rs).
python3 scripts/extrinsic-base.py

echo "weights: benchmark storage"
tmp=""
if [ -z "$db" ]; then
  tmp=$(mktemp -d)
  db="$tmp"
fi
"$node" benchmark storage --chain dev --base-path "$db" --state-version 1 --batch-size 1 \
  --header "$header" --weight-path "$out" --warmups 2
[ -z "$tmp" ] || rm -rf "$tmp"

echo "weights: written to $out"
