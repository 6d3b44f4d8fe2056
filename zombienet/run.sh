#!/usr/bin/env bash
# Runs zombienet tests (native provider) against the plexus-node binary.
#
#   zombienet/run.sh [PLEXUS_NODE_BINARY] [TEST.zndsl ...]
#
# The binary is $1 (if non-empty), else $PLEXUS_NODE, else $CARGO_TARGET_DIR/debug/plexus-node
# (CARGO_TARGET_DIR defaults to ~/.cache/plexus/target). Its directory is put first on PATH and
# its path exported as PLEXUS_NODE (the .toml configs read it). Tests default to alpha.zndsl and
# bridge.zndsl; each is run on its own, bounded by ZOMBIE_TEST_TIMEOUT_SECS (600). A test with a
# `# Peer: CONFIG` line gets a second network: run.sh spawns CONFIG first (`zombienet spawn`),
# passes its zombie.json as $PLEXUS_PEER_ZOMBIE_JSON, and stops it after the test. Exits non-zero
# if any fails.
# `zombienet/run.sh --check` only validates the configs and tests (no binary needed).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

# npm packages: install from the lockfile when missing.
if [[ ! -x node_modules/.bin/zombienet ]]; then
  echo "run.sh: installing npm packages in $here (npm ci)"
  timeout 300 npm ci --no-audit --no-fund
fi
# bridge-check.cjs uses the client helpers of tests/js.
if [[ ! -d ../tests/js/node_modules/@polkadot/api ]]; then
  echo "run.sh: installing npm packages in $here/../tests/js (npm ci)"
  (cd ../tests/js && timeout 300 npm ci --no-audit --no-fund)
fi

if [[ "${1:-}" == "--check" ]]; then
  shift
  exec node check.cjs "$@"
fi

target_dir="${CARGO_TARGET_DIR:-$HOME/.cache/plexus/target}"
node_bin="${1:-}"
[[ -n "$node_bin" ]] || node_bin="${PLEXUS_NODE:-$target_dir/debug/plexus-node}"
shift || true
tests=("$@")
((${#tests[@]})) || tests=(alpha.zndsl bridge.zndsl)
timeout_secs="${ZOMBIE_TEST_TIMEOUT_SECS:-600}"

if [[ ! -x "$node_bin" ]]; then
  echo "run.sh: no executable plexus-node at $node_bin (pass its path as \$1 or set PLEXUS_NODE)" >&2
  exit 2
fi
bin_dir="$(cd "$(dirname "$node_bin")" && pwd)"
export PLEXUS_NODE="$bin_dir/$(basename "$node_bin")"
export PATH="$bin_dir:$PATH"

# Validate every config and test before spawning anything.
node check.cjs "${tests[@]}"

peer_pgid=""
stop_peer() {
  [[ -n "$peer_pgid" ]] || return 0
  kill -TERM -- "-$peer_pgid" 2>/dev/null || true
  for _ in $(seq 1 30); do
    kill -0 -- "-$peer_pgid" 2>/dev/null || break
    sleep 1
  done
  kill -KILL -- "-$peer_pgid" 2>/dev/null || true
  peer_pgid=""
}
trap stop_peer EXIT

# Spawns the peer network a test names, in its own process group; waits for its zombie.json.
start_peer() {
  local config="$1" dir="$2"
  echo "run.sh: spawning peer network $config (files in $dir)"
  setsid node_modules/.bin/zombienet -p native -l text -d "$dir" spawn "$config" >"$dir.log" 2>&1 &
  peer_pgid=$!
  for _ in $(seq 1 300); do
    if [[ -s "$dir/zombie.json" ]]; then
      export PLEXUS_PEER_ZOMBIE_JSON="$dir/zombie.json"
      return 0
    fi
    kill -0 "$peer_pgid" 2>/dev/null || break
    sleep 1
  done
  echo "run.sh: peer network $config did not come up; last lines of $dir.log:" >&2
  tail -n 20 "$dir.log" >&2 || true
  return 1
}

status=0
for t in "${tests[@]}"; do
  work="$(mktemp -d "${TMPDIR:-/tmp}/plexus-zombie.XXXXXX")"
  peer="$(sed -n 's/^# Peer: *//p' "$t" | head -1)"
  unset PLEXUS_PEER_ZOMBIE_JSON
  if [[ -n "$peer" ]] && ! start_peer "$peer" "$work/peer"; then
    stop_peer
    echo "run.sh: $t failed (its peer network did not start)" >&2
    status=1
    continue
  fi
  echo "run.sh: zombienet test $t (native provider, files in $work/net)"
  # `timeout` signals its whole process group, so nodes that zombienet spawned stop with it.
  if timeout -k 30 "$timeout_secs" node_modules/.bin/zombienet -p native -l text -d "$work/net" -f test "$t"; then
    echo "run.sh: $t passed"
    stop_peer
    [[ "${PLEXUS_KEEP_TMP:-0}" == 1 ]] || rm -rf "$work"
  else
    rc=$?
    stop_peer
    ((rc == 124)) && echo "run.sh: $t timed out after ${timeout_secs} s" >&2
    for log in "$work"/net/*.log "$work"/peer/*.log; do
      [[ -f "$log" ]] || continue
      echo "----- last lines of $log" >&2
      tail -n 15 "$log" >&2 || true
    done
    echo "run.sh: $t failed (status $rc); network files and node logs are in $work" >&2
    status=$rc
  fi
done
exit "$status"
