#!/bin/sh
# kite-test: smp
# kite-test: serial
# abi-kite.sh — the process-ABI tests (testsuite/abi) on Kite: the same
# programs and the same run.sh that abi-linux.sh runs under qemu-riscv64,
# here as Kite's init.
#
# Builds the programs (testsuite/abi/build.sh), stages them as /abi in an
# extra initramfs directory together with the glibc loader and libraries
# in /lib, builds a test kernel in its own build directory
# ($KITE_BUILD/abi-kernel), boots it with APPEND='init=/abi/run.sh' and
# turns the result lines into "PASS: kite/...". A kernel that crashes or
# hangs gives FAIL lines (with the end of the console), never a hung test.
# Checks that passed on Linux in the last abi-linux.sh run but were not
# reported here are FAILs too.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
b=$build/abi
kb=$build/abi-kernel
stage=$kb/stage
mkdir -p "$b" "$kb"

if ! "$top/testsuite/abi/build.sh" "$b/bin" > "$b/build.log" 2>&1; then
  echo "FAIL: kite/abi-build (testsuite/abi/build.sh failed)"
  tail -30 "$b/build.log"
  exit 1
fi

# ---- the extra initramfs files: /abi/*, /lib/<glibc> ----
rm -rf "$stage"
mkdir -p "$stage/abi" "$stage/lib"
cp -a "$b/bin/." "$stage/abi/"
rm -rf "$stage/abi/glibc" "$stage/abi/.build.lock"
cp "$b/bin/glibc"/* "$stage/lib/"

# ---- a kernel with them, in its own build directory ----
if ! make -s -C "$top" BUILD="$kb" KERNEL_OUT="$kb/kernel-rv" EXTRA="$stage" all > "$kb/make.log" 2>&1; then
  echo "FAIL: kite/abi-kernel-build (make failed)"
  tail -30 "$kb/make.log"
  exit 1
fi

# ---- boot ----
out=$kb/console.out
start=$(date +%s)
KERNEL="$kb/kernel-rv" "$top/scripts/qemu-boot.sh" 480 "$out" \
  APPEND="init=/abi/run.sh${ABI_PROGRAMS:+ ABI_PROGRAMS=$ABI_PROGRAMS}"
st=$?
secs=$(($(date +%s) - start))
tr -d '\r' < "$out" > "$out.txt"

# ---- results ----
sed -n 's/^\(PASS\|FAIL\|SKIP\): /\1: kite\//p' "$out.txt"
fail=0
grep -q '^FAIL: ' "$out.txt" && fail=1
tail_of_console() { grep -v -E '^(PASS|SKIP):' "$out.txt" | tail -25 | sed 's/^/    /'; }
if grep -q '^ABI-DONE' "$out.txt"; then
  echo "PASS: kite/run-completed ($secs s)"
  # (only against a Linux run of these very programs)
  if [ -s "$b/linux-checks.txt" ] && [ -z "$(find "$b/bin" -type f -newer "$b/linux-checks.txt" | head -1)" ]; then
    grep -E '^(PASS|FAIL|SKIP): ' "$out.txt" | sed 's/^[A-Z]*: //; s/ .*//' | sort -u > "$kb/kite-checks.txt"
    sort -u "$b/linux-checks.txt" | comm -23 - "$kb/kite-checks.txt" | while read -r name; do
      echo "FAIL: kite/$name (passed on Linux, not reported on Kite)"
    done | tee "$kb/missing.txt"
    [ -s "$kb/missing.txt" ] && fail=1
  fi
else
  last=$(grep '^ABI-RUN: ' "$out.txt" | tail -1 | sed 's/^ABI-RUN: //')
  if [ $st -eq 124 ]; then why="hung: no ABI-DONE after $secs s (QEMU killed)"; else why="stopped early: QEMU exit status $st after $secs s"; fi
  echo "FAIL: kite/run-completed ($why; running: ${last:-nothing yet})"
  echo "--- end of the console ---"
  tail_of_console
  fail=1
fi
if [ $fail -ne 0 ] && grep -q '^ABI-DONE' "$out.txt"; then
  echo "--- other console lines (last 25) ---"
  grep -v -E '^(PASS|FAIL|SKIP|ABI-RUN):' "$out.txt" | tail -25 | sed 's/^/    /'
fi
exit $fail
