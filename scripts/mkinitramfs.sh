#!/bin/sh
# mkinitramfs.sh OUT.cpio — assemble the initramfs root and pack it (newc).
#
# The data of every file of a page or more starts on a page boundary of the
# archive (scripts/cpio-pagealign.py).
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
# EXTRA goes in unchanged, over what is staged. Where it has a symlink for a
# staged directory (a merged-/usr root: bin -> usr/bin, lib -> usr/lib),
# the directory's entries move to where the link points first, as
# usrmerge does (busybox's applet links stay valid through the new link).
# Every file and link of EXTRA then replaces the staged one
# (--remove-destination): cp must not write through an applet's link
# (usr/bin/sort -> ../../bin/busybox) into busybox itself.
merge_dir_into_link() { # staged-dir link-target
  case "$2" in /*) dest=$stage$2 ;; *) dest=$(dirname "$1")/$2 ;; esac
  mkdir -p "$dest"
  for e in "$1"/* "$1"/.[!.]*; do
    [ -e "$e" ] || [ -L "$e" ] || continue
    [ -e "$dest/${e##*/}" ] || [ -L "$dest/${e##*/}" ] || mv "$e" "$dest/"
  done
  rm -rf "$1"
}
if [ -n "${EXTRA:-}" ]; then
  [ -d "$EXTRA" ] || { echo "mkinitramfs: EXTRA=$EXTRA is not a directory" >&2; exit 1; }
  (cd "$EXTRA" && find . -mindepth 1 -type l) | LC_ALL=C sort | while read -r l; do
    s=$stage/${l#./}
    if [ -d "$s" ] && [ ! -L "$s" ]; then
      merge_dir_into_link "$s" "$(readlink "$EXTRA/${l#./}")"
    fi
  done
  cp -R --remove-destination "$EXTRA/." "$stage/"
fi
# Reproducible: fixed times, sorted names, root ownership.
find "$stage" -exec touch -h -d @0 {} + 2>/dev/null || true
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$out.tmp"
# Each file of a page or more gets its data on a page boundary, so that the
# kernel can give the archive's pages to the files instead of copying them
# (docs/boot.md). Without python3 the archive stays as cpio wrote it: the
# kernel then copies, as it does for any archive that is not aligned.
if command -v python3 >/dev/null 2>&1; then
  python3 "$here/cpio-pagealign.py" "$out.tmp"
fi
if [ -f "$out" ] && cmp -s "$out.tmp" "$out"; then
  rm -f "$out.tmp"
else
  mv "$out.tmp" "$out"
  echo "  INITRAMFS $out ($(stat -c %s "$out") bytes)"
fi
