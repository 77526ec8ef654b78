#!/bin/sh
# mkinitramfs.sh OUT.cpio — assemble the initramfs root and pack it (newc).
#
# Inputs (environment): BUSYBOX (binary), APPLETS (its --list-full output),
# MUSL (sysroot: lib/libc.so is the dynamic loader), SMOKE (directory of
# smoke programs), EXTRA (optional host directory copied on top).
# The archive is replaced only when its contents change, so the kernel is
# relinked only when needed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
out=$1
stage=$(mktemp -d "${TMPDIR:-/tmp}/kite-initramfs.XXXXXX")
chmod 755 "$stage"  # the archive's "." is the root directory: searchable by everyone
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/bin" "$stage/sbin" "$stage/usr/bin" "$stage/usr/sbin" "$stage/lib" \
  "$stage/dev" "$stage/proc" "$stage/tmp" "$stage/root" "$stage/etc" "$stage/mnt" "$stage/smoke"
chmod 1777 "$stage/tmp"
cp "$BUSYBOX" "$stage/bin/busybox"
# One symlink per applet, where busybox --list-full says it lives.
while read -r applet; do
  [ "$applet" = "bin/busybox" ] && continue
  dir=$(dirname "$applet")
  case "$dir" in
    bin) target=busybox ;;
    sbin) target=../bin/busybox ;;
    usr/bin|usr/sbin) target=../../bin/busybox ;;
    *) continue ;;
  esac
  [ -e "$stage/$applet" ] || ln -s "$target" "$stage/$applet"
done < "$APPLETS"
# musl's dynamic loader is its libc.so
cp "$MUSL/lib/libc.so" "$stage/lib/ld-musl-riscv64.so.1"
ln -s ld-musl-riscv64.so.1 "$stage/lib/libc.so"
# our own files: /init, /etc
cp -R "$top/user/rootfs/." "$stage/"
chmod 600 "$stage/etc/shadow"
# smoke programs and their scripts
if [ -n "${SMOKE:-}" ] && [ -d "$SMOKE" ]; then
  cp "$SMOKE"/* "$stage/smoke/" 2>/dev/null || true
fi
cp "$top"/testsuite/smoke/*.sh "$stage/smoke/"
chmod 755 "$stage/smoke"/*
if [ -n "${EXTRA:-}" ]; then
  [ -d "$EXTRA" ] || { echo "mkinitramfs: EXTRA=$EXTRA is not a directory" >&2; exit 1; }
  cp -R "$EXTRA/." "$stage/"
fi
# Reproducible: fixed times, sorted names, root ownership.
find "$stage" -exec touch -h -d @0 {} + 2>/dev/null || true
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$out.tmp"
if [ -f "$out" ] && cmp -s "$out.tmp" "$out"; then
  rm -f "$out.tmp"
else
  mv "$out.tmp" "$out"
  echo "  INITRAMFS $out ($(stat -c %s "$out") bytes)"
fi
