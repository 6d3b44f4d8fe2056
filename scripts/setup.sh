#!/usr/bin/env bash
# Installs what building and testing Plexus needs on a Debian machine, skipping what is there.
# Idempotent; safe to run again. Sourced by launch.sh and test.sh.
set -euo pipefail

need_apt=()
command -v protoc >/dev/null 2>&1 || need_apt+=(protobuf-compiler)
command -v clang >/dev/null 2>&1 || need_apt+=(clang)
dpkg -s libclang-dev >/dev/null 2>&1 || need_apt+=(libclang-dev)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
command -v cc >/dev/null 2>&1 || need_apt+=(build-essential)
# .cargo/config.toml links with lld and against Debian's OpenSSL (not a vendored copy).
command -v ld.lld >/dev/null 2>&1 || need_apt+=(lld)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
dpkg -s libssl-dev >/dev/null 2>&1 || need_apt+=(libssl-dev)
# The chaos test cuts networks in two with nftables and closes connections with ss.
command -v nft >/dev/null 2>&1 || need_apt+=(nftables)
command -v ss >/dev/null 2>&1 || need_apt+=(iproute2)
# The container image is built with buildah from scratch, pulling nothing (scripts/image.sh).
command -v buildah >/dev/null 2>&1 || need_apt+=(buildah)
# The Kubernetes manifests are checked by kubernetes-validate, installed from PyPI into a venv;
# Debian keeps the venv module in python3 but ensurepip, which making a venv needs, in python3-venv.
python3 -c "import ensurepip" >/dev/null 2>&1 || need_apt+=(python3-venv)
# The dashboard test drives Debian's Chromium headless (tests/js/dashboard.test.mjs).
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo is missing; install rustup (https://rustup.rs) and run this again" >&2
  exit 1
fi
# The runtime is also built to wasm: the targets and rust-src that rust-toolchain.toml names.
# rustup does not always add them to a toolchain that is already installed, so ask explicitly.
installed_targets=$(rustup target list --installed)
for target in wasm32-unknown-unknown wasm32v1-none; do
  grep -qx "$target" <<<"$installed_targets" || rustup target add "$target"
done
rustup component list --installed | grep -q '^rust-src' || rustup component add rust-src

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/plexus/target}"

# promtool checks what launch writes for Prometheus, and the dashboard test runs prometheus on
# it: Debian's package, unpacked under the cache rather than installed, so no service account
# or daemon comes with it.
prometheus_dir="$HOME/.cache/plexus/prometheus"
if [ ! -x "$prometheus_dir/usr/bin/promtool" ]; then
  echo "setup: unpacking Debian's prometheus package under $prometheus_dir"
  deb_dir=$(mktemp -d)
  if ! (cd "$deb_dir" && apt-get download -qq prometheus >/dev/null 2>&1); then
    [ "$(id -u)" -eq 0 ] && apt-get update -qq || sudo apt-get update -qq
    (cd "$deb_dir" && apt-get download -qq prometheus >/dev/null 2>&1)
  fi
  mkdir -p "$prometheus_dir"
  dpkg-deb -x "$deb_dir"/prometheus_*.deb "$prometheus_dir"
  rm -rf "$deb_dir"
fi
export PLEXUS_PROMTOOL="$prometheus_dir/usr/bin/promtool"
export PLEXUS_PROMETHEUS="$prometheus_dir/usr/bin/prometheus"
