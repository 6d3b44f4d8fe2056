#!/usr/bin/env bash
# The main job: build plexus-node and launch the default topology (two bridged networks,
# 3 producers + 1 consumer each) on this machine. Extra arguments go to `plexus-node launch`,
# e.g. `scripts/launch.sh chain-specs/four-networks.toml --fresh`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
cargo build --locked -p plexus-node
exec "$CARGO_TARGET_DIR/debug/plexus-node" launch "$@"
