# Sourced by scripts/throughput.sh and scripts/density.sh: a `plexus-node launch` deployment in a
# temporary directory, started, waited for, and stopped by process id on exit, also on failure.
# The caller sets `node` and `topology`, and may add pids to `loads` (killed first on exit).
# After `deployment_start NAME`: $work (the directory), $launch_pid, $report (its launch.json).

work=""
launch_pid=""
loads=()

deployment_stop() {
  for pid in "${loads[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -n "$launch_pid" ]; then
    local children
    children=$(pgrep -P "$launch_pid" || true)
    kill "$launch_pid" 2>/dev/null || true
    for _ in $(seq 60); do kill -0 "$launch_pid" 2>/dev/null || break; sleep 0.5; done
    # shellcheck disable=SC2086
    kill -9 "$launch_pid" $children 2>/dev/null || true
  fi
  [ -z "$work" ] || rm -rf "$work"
}

# Launches $topology and returns once launch has printed its table (every network finalizes,
# every bridge is set up); at most 600 s.
deployment_start() {
  local name=$1
  work=$(mktemp -d "/tmp/plexus-$name.XXXXXX")
  trap deployment_stop EXIT
  echo "$name: $node, $topology, $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  "$node" launch "$topology" --base-path "$work/launch" >"$work/launch.log" 2>&1 &
  launch_pid=$!
  report="$work/launch/launch.json"
  for _ in $(seq 1200); do
    grep -q "Ctrl-C stops every node" "$work/launch.log" && break
    kill -0 "$launch_pid" 2>/dev/null || { cat "$work/launch.log"; exit 1; }
    sleep 0.5
  done
  grep -q "Ctrl-C stops every node" "$work/launch.log" ||
    { echo "$name: launch did not get ready in 600 s" >&2; tail -20 "$work/launch.log"; exit 1; }
  grep "every network finalizes" "$work/launch.log" || true
}
