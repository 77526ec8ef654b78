#!/bin/sh
# build.sh — build LTP's syscalls tests for riscv64 from a user's own LTP
# checkout (`make ltp LTP=<dir>`; docs/ltp.md). Optional: nothing in
# `make test` needs LTP, and nothing here fetches it.
#
#   testsuite/ltp/build.sh SRC OUT glibc|musl
#
# SRC is an LTP source tree (a git checkout or a release tarball, unpacked;
# tried with 20240524). It is copied to OUT/work (SRC stays untouched),
# configured for riscv64 with Debian's cross compiler (glibc, dynamic: the
# guest gets glibc's loader and libc) or with Kite's musl (static), and
# lib/ and testcases/kernel/syscalls/ are built and installed into
# OUT/root/ltp (testcases/bin, runtest). Tests that fail to build are
# skipped (make -k), as the OSComp judge's image does. Logs: OUT/work/*.log.
# Prints the install directory.
set -eu
src=$1 out=$2 libc=$3
top=$(cd "$(dirname "$0")/../.." && pwd)
[ -f "$src/include/tst_test.h" ] || { echo "build.sh: $src is not an LTP source tree" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
dest=$out/root/ltp
stamp=$out/built-from
want="$(cd "$src" && pwd) $libc $(cat "$src/VERSION" 2>/dev/null || echo unknown)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d "$dest/testcases/bin" ]; then
  echo "$dest"
  exit 0
fi
w=$out/work
rm -rf "$w" "$out/root"
cp -a "$src" "$w"
cd "$w"
case $libc in
glibc)
  cc=riscv64-linux-gnu-gcc cflags= ldflags= ;;
musl)
  musl=$(sed -n 's/^MUSL_DIR := //p' "$top/build/third-party.mk")
  [ -x "$musl/bin/musl-gcc" ] || { echo "build.sh: no musl (run make first)" >&2; exit 1; }
  cc="$musl/bin/musl-gcc" cflags="-march=rv64gc" ldflags="-static" ;;
*) echo "build.sh: libc is glibc or musl" >&2; exit 1 ;;
esac
[ -x configure ] || make autotools > autotools.log 2>&1
./configure --host=riscv64-linux-gnu --build="$(uname -m)-linux-gnu" CC="$cc" \
  --with-target-cflags="$cflags" LDFLAGS="$ldflags" --without-tirpc --prefix=/ltp > configure.log 2>&1
nice make -C lib -j2 > lib.log 2>&1
# One directory at a time: LTP's trunk Makefile stops at the first directory
# that fails even under -k (musl has no addseverity, so fmtmsg01 fails and
# every directory after fmtmsg/ was left out).
: > syscalls.log
: > install.log
for d in testcases/kernel/syscalls/*/; do
  [ -f "$d/Makefile" ] || continue
  nice make -C "$d" -k -j2 >> syscalls.log 2>&1 || true
  nice make -C "$d" -k install DESTDIR="$out/root" >> install.log 2>&1 || true
done
mkdir -p "$dest/runtest"
cp runtest/syscalls "$dest/runtest/"
echo "$want" > "$stamp"
echo "$dest"
