#!/usr/bin/env bash
# Fails when `cargo build -p plexus-node` (the main command) would compile a dependency with other
# features than `cargo test --workspace` (the test command): each such crate, and everything above
# it, would be compiled twice. workspace-hack/Cargo.toml lists the features that align them.
set -euo pipefail
cd "$(dirname "$0")/.."
tree() { cargo tree --locked --prefix none -f '{p} {f}' "$@" | sed 's/ (\*)$//' | sort -u; }
node=$(mktemp) workspace=$(mktemp)
trap 'rm -f "$node" "$workspace"' EXIT
tree -p plexus-node -e normal,build >"$node"
tree --workspace -e normal,build,dev >"$workspace"
python3 - "$node" "$workspace" <<'PY'
import collections, sys
def load(path):
    features = collections.defaultdict(set)
    for line in open(path):
        parts = line.rstrip("\n").split(" ", 2)
        if len(parts) >= 2 and not parts[1].startswith("(") and "(/" not in line:
            features[f"{parts[0]} {parts[1]}"].add(parts[2] if len(parts) > 2 else "")
    return features
node, workspace = load(sys.argv[1]), load(sys.argv[2])
differ = [name for name in sorted(node) if name in workspace and node[name] != workspace[name]]
for name in differ:
    print(f"check-features: {name}: the node alone gets {sorted(node[name])}, "
          f"the workspace {sorted(workspace[name])}", file=sys.stderr)
if differ:
    sys.exit(f"check-features: {len(differ)} crates would be compiled twice; "
             "add their features to workspace-hack/Cargo.toml")
print(f"check-features: the node's {len(node)} dependencies have the workspace's features")
PY
