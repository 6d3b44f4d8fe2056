#!/usr/bin/env bash
# Fails when `cargo build -p plexus-node` (the main command) would compile a dependency with other
# features than `cargo test --workspace` (the test command), or than eth-rpc's build
# (scripts/eth-rpc.sh): each such crate, and everything above it, would be compiled twice.
# workspace-hack/Cargo.toml lists the features that align them, and eth-rpc/Cargo.toml the other
# half for eth-rpc.
set -euo pipefail
cd "$(dirname "$0")/.."
tree() { cargo tree --locked --prefix none -f '{p} {f}' "$@" | sed 's/ (\*)$//' | sort -u; }
node=$(mktemp) workspace=$(mktemp) node_target=$(mktemp) eth=$(mktemp)
trap 'rm -f "$node" "$workspace" "$node_target" "$eth"' EXIT
tree -p plexus-node -e normal,build >"$node"
tree --workspace -e normal,build,dev >"$workspace"
# eth-rpc shares the node's target directory. What it compiles beyond the node's build is read
# from cargo's unit graph (an unstable output, read with RUSTC_BOOTSTRAP=1; nothing is built):
# each unit identified by package, target, features, profile and its dependencies' identities.
unit_graph() { RUSTC_BOOTSTRAP=1 SQLX_OFFLINE=true cargo build --locked --unit-graph -Z unstable-options "$@"; }
unit_graph -p plexus-node >"$node_target"
eth_build=$(bash scripts/eth-rpc.sh - --prepare | tail -1)
(cd "$eth_build" && unit_graph -p plexus-eth-rpc) >"$eth"
python3 - "$node" "$workspace" "$node_target" "$eth" <<'PY'
import collections, hashlib, json, sys
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

def units(path):
    graph = json.load(open(path))["units"]
    ids = {}
    def identity(i):
        if i not in ids:
            u = graph[i]
            deps = sorted(f'{d["extern_crate_name"]}={identity(d["index"])}' for d in u["dependencies"])
            key = [u["pkg_id"].split("#")[-1], u["target"]["name"], u["mode"], sorted(u["features"]),
                   u["profile"], deps]
            ids[i] = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()
        return ids[i]
    return graph, [identity(i) for i in range(len(graph))]
node_graph, node_units = units(sys.argv[3])
node_packages = {u["pkg_id"].split("#")[-1] for u in node_graph}
eth_graph, eth_units = units(sys.argv[4])
shared = set(node_units)
own = [i for i, u in enumerate(eth_units) if u not in shared]
# eth-rpc's own crates, and host builds of crates for its SQL macros: about 70 units. Far more
# means its features drifted from the node's and it compiles the client stack a second time.
LIMIT = 90
print(f"check-features: eth-rpc shares {len(eth_units) - len(own)} of its {len(eth_units)} units "
      f"with the node's build and compiles {len(own)} of its own")
if len(own) > LIMIT:
    # Where the builds part: units of crates the node builds too, all of whose dependencies are
    # shared.
    roots = [i for i in own if eth_graph[i]["pkg_id"].split("#")[-1] in node_packages
             and all(eth_units[d["index"]] in shared for d in eth_graph[i]["dependencies"])]
    for i in roots:
        u = eth_graph[i]
        print(f"check-features: eth-rpc builds {u['pkg_id'].split('#')[-1]} ({u['target']['name']}) "
              f"with {u['features']}, unlike the node", file=sys.stderr)
    sys.exit(f"check-features: eth-rpc would compile {len(own)} units of its own (more than {LIMIT}); "
             "align the crates above in eth-rpc/Cargo.toml and workspace-hack/Cargo.toml")
PY
