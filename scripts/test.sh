#!/usr/bin/env bash
# Every test: the @polkadot/api client test and zombienet against launched networks, then the
# Rust tests (pallets, runtime, launch end to end). Sets itself up on a fresh Debian machine.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
export CARGO_TARGET_DIR

echo "== build plexus-node (debug, with the wasm runtime)"
cargo build --locked -p plexus-node
export PLEXUS_NODE="$CARGO_TARGET_DIR/debug/plexus-node"

echo "== npm packages"
(cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
(cd zombienet && npm ci --no-audit --no-fund --loglevel=error)

echo "== @polkadot/api against two launched networks"
bash tests/js/run.sh "$PLEXUS_NODE"

echo "== zombienet (native provider)"
bash zombienet/run.sh "$PLEXUS_NODE"

echo "== Rust tests"
cargo test --locked --workspace
