#!/bin/sh
# build-scripts.sh — the build's own scripts on the host (no QEMU):
#   scripts/check-kernel.sh enforces its 32 MiB limit on a kernel's real
#     (0xffffffc0...) addresses: a 40 MiB image fails, a 6 MiB one passes
#     (dash's arithmetic once turned both ends into INT64_MAX: size 0);
#   scripts/mkinitramfs.sh puts EXTRA in unchanged: a merged-/usr tree
#     (bin -> usr/bin, lib -> usr/lib) goes in as links, the staged busybox
#     and its applets move behind them and still work, and an EXTRA file
#     named like an applet (usr/bin/sort) replaces the applet's link, never
#     busybox itself.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
b=$build/build-scripts
rm -rf "$b"; mkdir -p "$b"
fail=0
pass() { echo "PASS: build/$1"; }
failed() { echo "FAIL: build/$1 ($2)"; fail=1; }

# ---- check-kernel.sh: a kernel image of SIZE bytes (symbols only) ----
elf_of_size() { # name bytes
  printf '.globl _kernel_start\n.set _kernel_start, 0xffffffc080200000\n.globl _kernel_end\n.set _kernel_end, 0xffffffc080200000 + %d\n' "$2" > "$b/$1.S"
  riscv64-linux-gnu-as -o "$b/$1.o" "$b/$1.S"
}
elf_of_size big $((40 * 1024 * 1024))
elf_of_size small $((6 * 1024 * 1024))
if sh "$top/scripts/check-kernel.sh" "$b/big.o" > "$b/big.log" 2>&1; then
  failed check-kernel-refuses-40MiB "exit 0: $(tr '\n' ' ' < "$b/big.log" | cut -c1-200)"
elif grep -q "over the 32 MiB" "$b/big.log"; then pass check-kernel-refuses-40MiB
else failed check-kernel-refuses-40MiB "$(tr '\n' ' ' < "$b/big.log" | cut -c1-200)"; fi
if sh "$top/scripts/check-kernel.sh" "$b/small.o" > "$b/small.log" 2>&1; then pass check-kernel-takes-6MiB
else failed check-kernel-takes-6MiB "$(tr '\n' ' ' < "$b/small.log" | cut -c1-200)"; fi

# ---- mkinitramfs.sh with a merged-/usr EXTRA ----
mkdir -p "$b/musl/lib" "$b/extra/usr/bin" "$b/extra/usr/lib" "$b/x"
echo busybox-itself > "$b/busybox"
echo musl-loader > "$b/musl/lib/libc.so"
printf 'bin/busybox\nbin/sh\nbin/ls\nsbin/init\nusr/bin/sort\n' > "$b/applets"
echo debian-sort > "$b/extra/usr/bin/sort"
echo debian-bash > "$b/extra/usr/bin/bash"
echo debian-libc > "$b/extra/usr/lib/libc.so.6"
ln -s usr/bin "$b/extra/bin"
ln -s usr/lib "$b/extra/lib"
if ! BUSYBOX="$b/busybox" APPLETS="$b/applets" MUSL="$b/musl" EXTRA="$b/extra" \
     sh "$top/scripts/mkinitramfs.sh" "$b/initramfs.cpio" > "$b/mk.log" 2>&1; then
  failed mkinitramfs-merged-usr "failed: $(tail -3 "$b/mk.log" | tr '\n' ' ')"
else
  pass mkinitramfs-merged-usr
  (cd "$b/x" && cpio -id --quiet < "$b/initramfs.cpio")
  r=$b/x
  [ "$(readlink "$r/bin")" = usr/bin ] && [ "$(readlink "$r/lib")" = usr/lib ] && pass extra-links-kept ||
    failed extra-links-kept "bin -> $(readlink "$r/bin"), lib -> $(readlink "$r/lib")"
  [ "$(cat "$r/usr/bin/busybox" 2>&1)" = busybox-itself ] && pass busybox-intact ||
    failed busybox-intact "usr/bin/busybox: $(cat "$r/usr/bin/busybox" 2>&1)"
  [ "$(cat "$r/bin/sh" 2>&1)" = busybox-itself ] && [ "$(cat "$r/sbin/init" 2>&1)" = busybox-itself ] &&
    pass applets-still-busybox || failed applets-still-busybox "bin/sh: $(cat "$r/bin/sh" 2>&1), sbin/init: $(cat "$r/sbin/init" 2>&1)"
  [ ! -L "$r/usr/bin/sort" ] && [ "$(cat "$r/usr/bin/sort")" = debian-sort ] && pass extra-file-replaces-applet ||
    failed extra-file-replaces-applet "usr/bin/sort: $(ls -l "$r/usr/bin/sort")"
  [ "$(cat "$r/bin/bash")" = debian-bash ] && [ "$(cat "$r/lib/libc.so.6")" = debian-libc ] &&
    [ "$(cat "$r/lib/ld-musl-riscv64.so.1")" = musl-loader ] && pass extra-and-staged-files-reachable ||
    failed extra-and-staged-files-reachable "$(ls -l "$r/lib/" | tr '\n' ' ')"
fi
exit $fail
