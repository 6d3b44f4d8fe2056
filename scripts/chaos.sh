#!/usr/bin/env bash
# The long chaos run (issue 14): the default topology under a mixed load while nodes and the
# relayer are killed at random and beta is cut in two, then every invariant checked (see
# tests/tests/chaos.rs). Prints every kill, partition, the load and each invariant.
# Usage: bash scripts/chaos.sh [KILLS] [PARTITIONS] [SEED]   (default 100 kills, 4 partitions)
# Needs root for nftables (the partitions); touches loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
export CARGO_TARGET_DIR
cargo build --locked -p plexus-node
export PLEXUS_NODE="$CARGO_TARGET_DIR/debug/plexus-node"
export PLEXUS_CHAOS_KILLS="${1:-100}" PLEXUS_CHAOS_PARTITIONS="${2:-4}"
[ -n "${3:-}" ] && export PLEXUS_CHAOS_SEED="$3"
cargo test --locked -p plexus-tests --test spawned chaos:: -- --nocapture 2>&1 \
  | grep -E "^chaos:|panicked|test result"
