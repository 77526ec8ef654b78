#!/bin/sh
# build-busybox.sh — build a static busybox for riscv64 with Kite's musl and
# Kite's committed configuration (user/busybox.config).
#
# Output (stdout): the path of the busybox binary, cached under
# $KITE_CACHE/busybox-<version>-<config hash>/.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"
cache=${KITE_CACHE:-$HOME/.cache/kite}
config="$here/../user/busybox.config"
musl=$("$here/build-musl.sh")
src=$("$here/fetch-source.sh" busybox "$BUSYBOX_VERSION")
ver=$(basename "$src"); ver=${ver#busybox-}
hash=$(cat "$config" "$musl/.kite-built" | sha256sum | cut -c1-12)
out="$cache/busybox-$ver-$hash"
if [ -x "$out/busybox" ]; then echo "$out/busybox"; exit 0; fi

echo "build-busybox: building busybox $ver (about 1-2 minutes)" >&2
build=$(mktemp -d "$cache/.build-busybox.XXXXXX")
trap 'rm -rf "$build"' EXIT
cp "$config" "$build/.config"
mk() { make -C "$src" O="$build" CROSS_COMPILE=riscv64-linux-gnu- CC="$musl/bin/musl-gcc" "$@"; }
( mk oldconfig </dev/null >"$build/oldconfig.log" 2>&1 || { tail -20 "$build/oldconfig.log"; exit 1; }
  mk -j"$(nproc)" busybox >"$build/make.log" 2>&1 || { grep -E 'error|Error' "$build/make.log" | head -20; exit 1; }
) >&2 || { echo "build-busybox: FAILED" >&2; exit 1; }
mkdir -p "$out"
riscv64-linux-gnu-strip -o "$out/busybox" "$build/busybox"
"$build/busybox" --list-full >/dev/null 2>&1 || true
# The list of applets with their install directories, for the initramfs links.
(cd "$build" && qemu-riscv64 ./busybox --list-full > "$out/applets.txt") \
  || { echo "build-busybox: cannot list applets (qemu-riscv64 missing?)" >&2; exit 1; }
echo "$out/busybox"
