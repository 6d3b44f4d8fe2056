#!/usr/bin/env bash
# The long consumer catch-up (issue 14): a consumer stopped while its network makes N blocks
# (default 1,000, about 50 minutes of 3 s blocks) catches up on its own database and serves reads;
# prints how long that took. The README's test command runs the same test for 20 blocks.
# Usage: bash scripts/catch-up.sh [BLOCKS]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
export CARGO_TARGET_DIR
cargo build --locked -p plexus-node
export PLEXUS_NODE="$CARGO_TARGET_DIR/debug/plexus-node"
PLEXUS_CATCH_UP_BLOCKS="${1:-1000}" \
  cargo test --locked -p plexus-tests --test spawned catch_up:: -- --nocapture 2>&1 | grep -E "catch-up:|test result|panicked"
