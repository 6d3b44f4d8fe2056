#!/usr/bin/env bash
# Measures the runtime's weights on this machine and writes them to runtime/src/weights/:
#   - `pallet`   every pallet in runtime/src/benchmarks.rs  -> weights/<pallet>.rs
#   - `overhead` an empty block and a signed remark        -> block_weights.rs,
#                                                                      extrinsic_weights.rs
#   - `storage`  reads and writes on a state of 100,000 accounts, RocksDB and ParityDb
#                                                                   -> rocksdb_weights.rs,
#                                                                      paritydb_weights.rs
# plexus-benchmark (benchmark/) is built in the release profile with `--features
# runtime-benchmarks`, over the same node library and runtime as plexus-node: weights describe
# the optimised node that runs the networks. (A dev-profile node measures the same extrinsics 3-5x
# slower: its dependencies keep debug assertions and overflow checks.) Run it on a quiet machine
# of the kind the networks will run on.
#
#   scripts/weights.sh [--steps N] [--repeat N] [--accounts N] [--batch-size N]
#                      [--only pallets|overhead|storage] [--pallet NAME]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

steps=50
repeat=20
accounts=100000
batch=5000
only=""
pallet_filter=""
while [ $# -gt 0 ]; do
  case "$1" in
    --steps) steps="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --accounts) accounts="$2"; shift 2 ;;
    --batch-size) batch="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --pallet) pallet_filter="$2"; shift 2 ;;
    *) echo "weights.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

echo "weights: building plexus-benchmark and plexus-node (release) with runtime-benchmarks and RocksDB"
# `rocksdb`: `storage` measures RocksDB beside ParityDb (no node runs it). The node is built in
# the same run (same features, nothing built twice) for `build-spec`.
cargo build --locked --release -p plexus-benchmark -p plexus-node \
  --features plexus-benchmark/runtime-benchmarks,plexus-benchmark/rocksdb
node="$CARGO_TARGET_DIR/release/plexus-node"
bench="$CARGO_TARGET_DIR/release/plexus-benchmark"
out=runtime/src/weights
header=scripts/weights-header.txt
mkdir -p "$out"
wasm=$(ls "$CARGO_TARGET_DIR"/release/wbuild/plexus-runtime/plexus_runtime.compact.compressed.wasm \
  "$CARGO_TARGET_DIR"/release/wbuild/plexus-runtime/plexus_runtime.wasm 2>/dev/null | head -1)

step() { [ -z "$only" ] || [ "$only" = "$1" ]; }

if step pallets; then
# Every pallet the runtime lists, except frame-benchmarking's own baseline.
pallets=$("$bench" pallet --list=pallets --chain dev 2>/dev/null | tail -n +2 | tr -d ' ' \
  | grep -v '^frame_benchmarking$')
[ -z "$pallet_filter" ] || pallets=$(grep -x "$pallet_filter" <<<"$pallets" || true)
# The XCM instructions the executor can run (runtime/src/benchmarks.rs): the others are skipped
# or fail there, and one failure makes `pallet` write no file at all.
xcm_instructions=asset_claimer,query_response,transact,set_error_handler,set_appendix,clear_error
xcm_instructions+=,descend_origin,clear_origin,trap,burn_asset,expect_asset,expect_origin
xcm_instructions+=,expect_error,expect_transact_status,expect_pallet,clear_transact_status
xcm_instructions+=,set_topic,clear_topic,set_fees_mode,unpaid_execution
for pallet in $pallets; do
  echo "weights: benchmark pallet $pallet"
  extrinsics='*'
  output="$out/$pallet.rs"
  if [ "$pallet" = pallet_xcm_benchmarks::generic ]; then
    extrinsics=$xcm_instructions
    output="$out/xcm/pallet_xcm_benchmarks_generic.rs"
    mkdir -p "$out/xcm"
  fi
  "$bench" pallet --runtime "$wasm" --genesis-builder=runtime \
    --genesis-builder-preset development --pallet "$pallet" --extrinsic "$extrinsics" \
    --steps "$steps" --repeat "$repeat" --wasm-execution compiled \
    --header "$header" --output "$output"
  # pallet-grandpa's benchmarks measure parts of its calls (the equivocation proof's check), not
  # the calls its WeightInfo names: its file gets plain functions, and weights/grandpa.rs puts
  # the calls' weights together from them.
  # The same for the XCM instructions (no trait names them): weights/xcm/mod.rs maps them.
  if [ "$pallet" = pallet_grandpa ] || [ "$pallet" = pallet_xcm_benchmarks::generic ]; then
    sed -i -e "s/^impl<T: frame_system::Config> $pallet::WeightInfo for WeightInfo<T> {\$/impl<T: frame_system::Config> WeightInfo<T> {/" \
      -e 's/^\tfn /\tpub fn /' "$output"
    grep -q '^impl<T: frame_system::Config> WeightInfo<T> {$' "$output"
  fi
done

fi

if step overhead; then
echo "weights: benchmark overhead"
"$bench" overhead --chain dev --header "$header" --weight-path "$out" \
  --warmup 10 --repeat 100

# The remark above ran every transaction extension, whose own weights frame-system charges too:
# the base that the runtime charges is the remark without them (runtime/src/weights/extrinsic_base.rs).
python3 scripts/extrinsic-base.py
fi

# Database costs, on a state of `accounts` funded accounts more than a dev chain holds (see
# scripts/storage-state.py), for both databases a node can be built with. Writes are committed in
# batches of `batch` keys: a block's writes go to the overlay and reach the database in one commit
# with one storage root, and a full block of transfers dirties about 5,000 keys (two accounts per
# transfer). `--batch-size 1` would charge every key a root and a commit of its own.
# The weight is each figure's 99th percentile, not its mean: ParityDb's commit returns once its
# log is queued, and the work of writing it out (measured as the process's CPU time, ~4.5 us a
# key here) is not in the mean; the 99th percentile covers it (docs/benchmarks.md).
if step storage; then
echo "weights: benchmark storage (state of $accounts accounts, batches of $batch keys)"
spec=$(mktemp --suffix=.json)
"$node" build-spec --chain dev 2>/dev/null | python3 scripts/storage-state.py "$accounts" >"$spec"
for database in rocksdb paritydb; do
  dir=$(mktemp -d)
  "$bench" storage --chain "$spec" --base-path "$dir" --database "$database" \
    --state-version 1 --batch-size "$batch" --metric p99 --header "$header" --weight-path "$out" \
    --warmups 2
  rm -rf "$dir"
done
rm -f "$spec"
fi

echo "weights: written to $out"
