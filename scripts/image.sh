#!/usr/bin/env bash
# Builds the plexus-node container image from a built binary, pulling nothing: stages a root file
# system (the binary, every library `ldd` lists with the loader, user plexus 10001), builds the
# repository's Containerfile FROM scratch with buildah in a private storage that is thrown away
# afterwards, and checks the result. With --archive it also writes the image as an OCI archive
# (for `podman load`, `ctr images import`, `kind load image-archive`, or `skopeo copy` to a
# registry). docs/kubernetes.md says how the image is used.
# Usage: bash scripts/image.sh BINARY TAG [--archive FILE]
# Needs root (buildah's vfs storage as root, and chroot for the check) and buildah (setup.sh).
set -euo pipefail

usage() {
  echo "usage: bash scripts/image.sh BINARY TAG [--archive FILE]" >&2
  exit 2
}
die() {
  echo "image: $*" >&2
  exit 1
}

[ $# -eq 2 ] || [ $# -eq 4 ] || usage
binary=$1
tag=$2
archive=""
if [ $# -eq 4 ]; then
  [ "$3" = --archive ] || usage
  archive=$4
fi

[ "$(id -u)" -eq 0 ] || die "run this as root: buildah's storage here is root's vfs storage, and \
the image is checked by chroot (which needs root). CI runs as root."
command -v buildah >/dev/null 2>&1 \
  || die "buildah is missing; install it with 'apt-get install buildah' (scripts/setup.sh does)"
for tool in ldd chroot; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing"
done
[ -f "$binary" ] && [ -x "$binary" ] || die "$binary is not an executable file"
if [ -n "$archive" ]; then
  # The oci-archive transport reads everything after the first ':' as the image's name.
  case $archive in *:*) die "the archive path must not contain ':' ($archive)" ;; esac
  archive_dir=$(cd "$(dirname "$archive")" 2>/dev/null && pwd) || die "no directory for $archive"
  archive="$archive_dir/$(basename "$archive")"
fi
repo=$(cd "$(dirname "$0")/.." && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/plexus-image.XXXXXX")
bb() {
  # vfs: plain directory copies, nothing mounted, so removing $work removes everything.
  TMPDIR="$work/tmp" buildah --storage-driver vfs --root "$work/storage" --runroot "$work/run" \
    "$@"
}
cleanup() {
  bb rm --all >/dev/null 2>&1 || true
  bb rmi --all --force >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
# An interrupted build still cleans up: exit runs the EXIT trap.
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$work/tmp" "$work/context"
# Our own signature policy, not the host's (which may be missing): only local files and images
# are ever read.
printf '{"default":[{"type":"insecureAcceptAnything"}]}\n' >"$work/policy.json"

# --- the root file system -------------------------------------------------------------------
rootfs="$work/context/rootfs"
install -D -m 0755 "$binary" "$rootfs/usr/local/bin/plexus-node"

# Every shared object the dynamic loader maps at start, at the path ldd names, and the loader
# itself (the binary's PT_INTERP). linux-vdso has no path: the kernel provides it.
if ! deps=$(ldd "$binary" 2>&1); then
  grep -q 'not a dynamic executable' <<<"$deps" || die "ldd $binary failed: $deps"
  deps=""
fi
if missing=$(grep 'not found' <<<"$deps"); then
  die "$binary needs libraries that are not installed here: $missing"
fi
libs=$(awk '$2 == "=>" && $3 ~ /^\// { print $3; next } $1 ~ /^\// { print $1 }' <<<"$deps")
for lib in $libs; do
  install -D -m 0755 "$(readlink -f "$lib")" "$rootfs$lib"
done

# The node runs as plexus (10001); naming it lets tools map the uid. glibc resolves host names
# (Service DNS names of peers, Jobs and relayers) through nsswitch; without the file it would try
# DNS before /etc/hosts.
mkdir -p "$rootfs/etc" "$rootfs/var/lib" "$rootfs/tmp" "$work/context/home/plexus"
echo 'plexus:x:10001:10001:plexus:/var/lib/plexus:/nonexistent' >"$rootfs/etc/passwd"
echo 'plexus:x:10001:' >"$rootfs/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
# wasmtime and the node write temporary files; the manifests mount an emptyDir here as well.
chmod 1777 "$rootfs/tmp"

# --- build ----------------------------------------------------------------------------------
echo "image: building $tag from $binary ($(echo $libs | wc -w) libraries)"
bb bud --pull=never --signature-policy "$work/policy.json" -f "$repo/Containerfile" -t "$tag" \
  "$work/context"

# --- check ----------------------------------------------------------------------------------
user=$(bb inspect --type image --format '{{.OCIv1.Config.User}}' "$tag")
entrypoint=$(bb inspect --type image --format '{{.OCIv1.Config.Entrypoint}}' "$tag")
[ "$user" = 10001:10001 ] || die "the image's user is '$user', not 10001:10001"
[ "$entrypoint" = '[/usr/local/bin/plexus-node]' ] \
  || die "the image's entrypoint is $entrypoint, not [/usr/local/bin/plexus-node]"

# No container runtime is needed to see whether the image is complete: run the binary in the
# image's own file system (a vfs "mount" is a directory), as its user. The loader finds every
# library there or the binary does not start. (It names itself sc-cli there: without /proc it
# cannot read its own file name.)
container=$(bb from --pull=never --signature-policy "$work/policy.json" "$tag")
root=$(bb mount "$container")
[ "$(stat -c %u:%g "$root/var/lib/plexus")" = 10001:10001 ] \
  || die "/var/lib/plexus in the image is not owned by 10001:10001"
[ "$(stat -c %a "$root/tmp")" = 1777 ] || die "/tmp in the image is not mode 1777"
version=$(chroot --userspec=10001:10001 "$root" /usr/local/bin/plexus-node --version) \
  || die "the binary does not run inside the image (a library missing from the image?)"
bb umount "$container" >/dev/null
bb rm "$container" >/dev/null

id=$(bb inspect --type image --format '{{.FromImageID}}' "$tag")
size=$(bb images --noheading --format '{{.Size}}' "$tag")
echo "image: $tag runs as 10001:10001: $version"
echo "image: $tag id ${id:0:12}, $size"

if [ -n "$archive" ]; then
  # Written beside the target and renamed, so a failed push leaves no half archive.
  bb push --signature-policy "$work/policy.json" "$tag" "oci-archive:$archive.partial:$tag"
  mv -f "$archive.partial" "$archive"
  echo "image: wrote oci-archive $archive ($(du -h "$archive" | cut -f1))"
fi
