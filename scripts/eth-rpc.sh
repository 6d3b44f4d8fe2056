#!/usr/bin/env bash
# Builds eth-rpc, pallet-revive's Ethereum JSON-RPC server, from the crates.io release
# pallet-revive-eth-rpc 0.24.0, against the Plexus runtime's metadata and the workspace's one
# version line, into the node build's target directory: $CARGO_TARGET_DIR/debug/eth-rpc.
#
#   scripts/eth-rpc.sh PLEXUS_NODE            build (prints the binary's path last)
#   scripts/eth-rpc.sh - --prepare            only set up the build directory, without metadata
#                                             (scripts/check-features.sh); prints its path
#   scripts/eth-rpc.sh PLEXUS_NODE --update-lock
#                                             resolve eth-rpc/Cargo.lock anew (after the
#                                             workspace's Cargo.lock changed), then build
#
# Why a script and not a workspace member, and what it changes in the published crate:
# eth-rpc/README.md. The build directory ($PLEXUS_ETH_RPC_BUILD, default beside the target
# directory) lives outside the clone, so a fresh clone with nothing changed builds nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
source scripts/setup.sh >/dev/null
export CARGO_TARGET_DIR

node_bin=${1:?usage: scripts/eth-rpc.sh PLEXUS_NODE [--prepare|--update-lock]}
mode=${2:-build}
if [[ "$node_bin" != - || "$mode" != --prepare ]] && [[ ! -x "$node_bin" ]]; then
  echo "eth-rpc.sh: $node_bin is not an executable plexus-node" >&2
  exit 2
fi

version=0.24.0
sha256=3a03f469fdbc678e11f4ef08cfa570033aa11761a001c00a161768511016d2b2
build=${PLEXUS_ETH_RPC_BUILD:-$(dirname "$CARGO_TARGET_DIR")/eth-rpc-build}
upstream="$build/upstream/pallet-revive-eth-rpc"
mkdir -p "$build/src" "$build/upstream"

# Copies $1 to $2 only when they differ: cargo decides what to rebuild by modification times.
sync() { cmp -s "$1" "$2" || cp "$1" "$2"; }

# 1. The published crate, checked against its crates.io checksum, unpacked and edited once per
#    change of the crate or of the edits (the stamp).
stamp=$(cat "$0" eth-rpc/build.rs | sha256sum | cut -c1-16)
if [[ "$(cat "$upstream/.plexus-stamp" 2>/dev/null)" != "$stamp" ]]; then
  crate=$(ls ~/.cargo/registry/cache/*/pallet-revive-eth-rpc-$version.crate 2>/dev/null | head -1 || true)
  if [[ -z "$crate" ]]; then
    crate="$build/pallet-revive-eth-rpc-$version.crate"
    echo "eth-rpc.sh: downloading pallet-revive-eth-rpc $version from crates.io"
    curl -sSfL --max-time 120 -o "$crate" \
      "https://static.crates.io/crates/pallet-revive-eth-rpc/pallet-revive-eth-rpc-$version.crate"
  fi
  echo "$sha256  $crate" | sha256sum -c --quiet - \
    || { echo "eth-rpc.sh: $crate is not the published pallet-revive-eth-rpc $version" >&2; exit 1; }
  rm -rf "$upstream" "$build/upstream/pallet-revive-eth-rpc-$version"
  tar -xzf "$crate" -C "$build/upstream"
  mv "$build/upstream/pallet-revive-eth-rpc-$version" "$upstream"
  # The edits, each refused loudly if the manifest is not as expected (a new release):
  # - sc-cli and sc-service without their default feature `rocksdb` (RocksDB's C++, which the
  #   node does not use either: it keeps its chain in ParityDb);
  # - no build dependencies: the published build script compiles revive's development runtime
  #   (a second wasm runtime) for its metadata and links libgit2; ours (eth-rpc/build.rs) takes
  #   the Plexus runtime's metadata;
  # - no binary, examples or dev-dependencies: eth-rpc/src/main.rs is the binary.
  python3 - "$upstream/Cargo.toml" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
for name, version in (("sc-cli", "0.63.0"), ("sc-service", "0.62.0")):
    old = f'[dependencies.{name}]\nversion = "{version}"\ndefault-features = true\n'
    if old not in text:
        sys.exit(f"eth-rpc.sh: {path}: no '{old.strip()}' to turn default features off in")
    text = text.replace(old, old.replace("default-features = true", "default-features = false"))
text = text.replace('default-run = "eth-rpc"\n', "")
dropped = ("[[bin]]", "[[example]]", "[dev-dependencies.", "[build-dependencies.")
tables = re.split(r"\n(?=\[)", text)
kept = [t for t in tables if not t.startswith(dropped)]
if len(tables) - len(kept) < 5:
    sys.exit(f"eth-rpc.sh: {path}: expected a binary, build- and dev-dependencies to drop")
open(path, "w").write("\n".join(kept).rstrip("\n") + "\n")
PY
  cp eth-rpc/build.rs "$upstream/build.rs"
  echo "$stamp" >"$upstream/.plexus-stamp"
fi

# 2. The build workspace: our binary crate, its lock, and the runtime's metadata.
sync eth-rpc/Cargo.toml "$build/Cargo.toml"
# The workspace's linker flags and build-script environment: with others, cargo would compile
# every shared dependency again.
mkdir -p "$build/.cargo"
sync .cargo/config.toml "$build/.cargo/config.toml"
sync eth-rpc/src/main.rs "$build/src/main.rs"
if [[ "$mode" == --update-lock ]]; then
  # Seeded with the workspace's lock, so that what both use stays at the workspace's versions.
  cp Cargo.lock "$build/Cargo.lock"
else
  sync eth-rpc/Cargo.lock "$build/Cargo.lock"
fi
metadata="$build/plexus-runtime.scale"
if [[ "$node_bin" != - ]]; then
  "$node_bin" metadata --out "$build/metadata.new" 2>/dev/null
  sync "$build/metadata.new" "$metadata"
  rm -f "$build/metadata.new"
fi

# Profiles must be the workspace's, or no compiled dependency is shared with the node's build.
python3 - "$repo/Cargo.toml" "$build/Cargo.toml" <<'PY'
import sys, tomllib
ours, theirs = (tomllib.load(open(p, "rb")).get("profile", {}) for p in sys.argv[1:])
# Overrides for the workspace's own crates, and for the runtime's wasm optimiser, do not apply
# there: eth-rpc builds neither.
for profile in ours.values():
    for name in [n for n in profile.get("package", {}) if n.startswith("plexus-") or n == "wasm-opt-sys"]:
        del profile["package"][name]
if ours != theirs:
    sys.exit("eth-rpc.sh: eth-rpc/Cargo.toml's [profile] tables differ from Cargo.toml's; "
             "copy them over")
PY

[[ "$mode" == --prepare ]] && { echo "$build"; exit 0; }

export SQLX_OFFLINE=true PLEXUS_ETH_RPC_METADATA="$metadata"
if [[ "$mode" == --update-lock ]]; then
  cargo update --manifest-path "$build/Cargo.toml" --workspace
  cp "$build/Cargo.lock" eth-rpc/Cargo.lock
  echo "eth-rpc.sh: wrote eth-rpc/Cargo.lock"
fi

# 3. One version line: every crate the workspace also locks is at the workspace's version.
python3 - Cargo.lock eth-rpc/Cargo.lock <<'PY'
import collections, sys, tomllib
def versions(path):
    found = collections.defaultdict(set)
    for package in tomllib.load(open(path, "rb")).get("package", []):
        found[package["name"]].add(package["version"])
    return found
ours, theirs = versions(sys.argv[1]), versions(sys.argv[2])
off = [f"{name} {sorted(theirs[name] - ours[name])} (workspace: {sorted(ours[name])})"
       for name in sorted(theirs) if name in ours and theirs[name] - ours[name]
       and (name.startswith(("sp-", "sc-", "frame-", "pallet-", "substrate-", "polkadot-"))
            or name in ("parity-scale-codec", "scale-info", "tokio", "jsonrpsee", "subxt"))]
if off:
    sys.exit("eth-rpc.sh: eth-rpc/Cargo.lock leaves the workspace's version line: "
             + "; ".join(off) + " (run with --update-lock)")
PY

cargo build --locked --manifest-path "$build/Cargo.toml" -p plexus-eth-rpc --bin eth-rpc
echo "$CARGO_TARGET_DIR/debug/eth-rpc"
