#!/bin/sh
# fs-linux.sh — the file-system call tests (testsuite/fs) on Linux: every
# program under qemu-riscv64, which hands its system calls to this host's
# Linux. A check that fails here encodes a guess, not Linux.
#
# Builds the programs (testsuite/fs/build.sh) into $KITE_BUILD/fs-tests and
# runs testsuite/fs/run.sh — the script Kite runs from its disk in
# fs-kite.sh — on a tmpfs mounted in a private mount namespace
# (unshare --mount), so the programs see the same file system type as on
# Kite's /tmp. Where that is not possible they run in a temporary directory
# and name their checks after whatever file system it is on. Linux's vfat
# cannot be mounted here (no loop devices): the vfat branch of the programs
# runs on Kite only, checking the answers Linux's fs/fat gives.
# Result lines become "PASS: linux/fs/...".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
bin=$build/fs-tests
b=$build/fs-linux
mkdir -p "$b"

if ! "$top/testsuite/fs/build.sh" "$bin" > "$b/build.log" 2>&1; then
  echo "FAIL: linux/fs-build (testsuite/fs/build.sh failed)"
  tail -30 "$b/build.log"
  exit 1
fi

work=$(mktemp -d "$b/work.XXXXXX")
out=$b/linux.out
cat > "$b/inside.sh" <<EOF
mount -t tmpfs -o size=512m fs-test "$work" 2>/dev/null
mkdir -p "$work/run"
FS_ROOT="$work" FS_RUN=qemu-riscv64 FS_TMP="$b" ABI_QEMU_USER=1 sh "$bin/run.sh" "$bin" "$work/run" linux
EOF
if unshare --mount true 2>/dev/null; then
  /usr/bin/timeout -k 10 1200 unshare --mount sh "$b/inside.sh" > "$out" 2>&1
else
  # no private mount namespace: a plain directory on the host's file system
  FS_ROOT="$work" FS_RUN=qemu-riscv64 FS_TMP="$b" ABI_QEMU_USER=1 /usr/bin/timeout -k 10 1200 \
    sh "$bin/run.sh" "$bin" "$work" linux > "$out" 2>&1
fi
st=$?
rm -rf "$work"

sed -n 's/^\(PASS\|FAIL\): /\1: linux\//p; /^SKIP: /p' "$out"
fail=0
grep -q '^FAIL: ' "$out" && fail=1
n=$(grep -c '^PASS: ' "$out")
if [ $st -ne 0 ] || [ "$n" -lt 400 ]; then
  echo "FAIL: linux/fs/run-completed (status $st, $n checks passed)"
  fail=1
fi
[ $fail -eq 0 ] || { echo "--- other lines of $out ---"; grep -v -E '^(PASS|SKIP):' "$out" | tail -20 | sed 's/^/    /'; }
exit $fail
