#!/usr/bin/env bash
# Fuzzes Plexus with cargo-fuzz (libFuzzer): runs each target of fuzz/cargo-fuzz for
# SECONDS_PER_TARGET (default 300), all of them unless some are named, then merges the inputs
# that found new coverage into fuzz/corpus/<target>/ (which `cargo test -p plexus-fuzz` replays
# on stable). Prints, per target: executions, new corpus entries, crashes and where each crashing
# input was saved. Not run in CI. See docs/security.md, "Fuzzing".
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Environment: FUZZ_SANITIZER (none, the default, or address), FUZZ_MAX_LEN (largest input,
# 4096), FUZZ_TIMEOUT (seconds one input may take before it counts as a hang, 30),
# FUZZ_CODEGEN_UNITS (16: a build several times faster on two cores than cargo-fuzz's default of
# 1, for somewhat slower runs), FUZZ_TARGET_DIR (the build, $HOME/.cache/plexus/target-fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-300}
[ $# -gt 0 ] && shift
if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for file in fuzz/cargo-fuzz/fuzz_targets/*.rs; do targets+=("$(basename "$file" .rs)"); done
fi
for target in "${targets[@]}"; do
  [ -f "fuzz/cargo-fuzz/fuzz_targets/$target.rs" ] || { echo "fuzz: no target $target" >&2; exit 1; }
done
sanitizer=${FUZZ_SANITIZER:-none}
max_len=${FUZZ_MAX_LEN:-4096}
hang=${FUZZ_TIMEOUT:-30}
codegen_units=${FUZZ_CODEGEN_UNITS:-16}
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$HOME/.cache/plexus/target-fuzz}"
# The targets run the runtime natively; its wasm blob is not needed.
export SKIP_WASM_BUILD=1

command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked

# libFuzzer's instrumentation needs unstable flags: a nightly toolchain where there is one (or
# rustup can install one), otherwise the stable toolchain with RUSTC_BOOTSTRAP=1.
toolchain=()
if rustup run nightly rustc --version >/dev/null 2>&1 \
  || rustup toolchain install nightly --profile minimal >/dev/null 2>&1; then
  toolchain=(+nightly)
  echo "fuzz: toolchain: nightly ($(rustup run nightly rustc --version))"
else
  export RUSTC_BOOTSTRAP=1
  echo "fuzz: toolchain: no nightly could be installed; stable ($(rustc --version)) with RUSTC_BOOTSTRAP=1"
fi

# The fuzz package's lock starts as the workspace's, so the fuzzers build the versions CI tests;
# cargo adds libfuzzer-sys to it.
[ -f fuzz/cargo-fuzz/Cargo.lock ] || cp Cargo.lock fuzz/cargo-fuzz/Cargo.lock

echo "fuzz: building ${#targets[@]} target(s) (sanitizer: $sanitizer) in $CARGO_TARGET_DIR"
cargo "${toolchain[@]}" fuzz build --fuzz-dir fuzz/cargo-fuzz -s "$sanitizer" \
  --codegen-units "$codegen_units"
bin_dir="$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
summary=()
for target in "${targets[@]}"; do
  corpus="fuzz/corpus/$target"
  artifacts="fuzz/cargo-fuzz/artifacts/$target"
  mkdir -p "$corpus" "$artifacts" "$work/$target/new"
  before=$(find "$corpus" -type f | wc -l)
  find "$artifacts" -type f | sort >"$work/$target/artifacts.before"
  echo "fuzz: $target for ${seconds}s ($before corpus inputs)"
  started=$(date +%s)
  # New inputs go to the scratch directory (the first); the committed corpus only seeds the run.
  set +e
  "$bin_dir/$target" "$work/$target/new" "$corpus" -max_total_time="$seconds" \
    -max_len="$max_len" -timeout="$hang" -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" >"$work/$target/log" 2>&1
  status=$?
  set -e
  elapsed=$(( $(date +%s) - started ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target/log" | tail -1)
  [ -n "$execs" ] || execs=$(grep -o '^#[0-9]*' "$work/$target/log" | tail -1 | tr -d '#')
  execs=${execs:-0}
  # Only what adds coverage to the committed corpus is kept.
  "$bin_dir/$target" -merge=1 -max_len="$max_len" -timeout="$hang" -rss_limit_mb=4096 \
    "$corpus" "$work/$target/new" >"$work/$target/merge.log" 2>&1 || true
  after=$(find "$corpus" -type f | wc -l)
  find "$artifacts" -type f | sort >"$work/$target/artifacts.after"
  mapfile -t found < <(comm -13 "$work/$target/artifacts.before" "$work/$target/artifacts.after")
  crashes=${#found[@]}
  line="$target: ${elapsed}s, $execs executions ($(( execs / (elapsed > 0 ? elapsed : 1) ))/s), $((after - before)) new corpus entries, $crashes crash(es)"
  summary+=("$line")
  echo "fuzz: $line"
  if [ "$status" -ne 0 ] || [ "$crashes" -gt 0 ]; then
    grep -E "panicked at|^==[0-9]+==|SUMMARY|Test unit written|timeout after" "$work/$target/log" \
      | head -8 | sed 's/^/fuzz:   /'
    for file in "${found[@]}"; do echo "fuzz:   input saved: $file"; done
    echo "fuzz:   replay: $bin_dir/$target $artifacts/<file>"
  fi
done

echo "fuzz: summary"
for line in "${summary[@]}"; do echo "  $line"; done
