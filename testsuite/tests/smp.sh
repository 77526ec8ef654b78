#!/bin/sh
# kite-test: serial
# smp.sh — Kite on several harts, under the lock-order checker: boots a
# debug kernel (make LOCKDEP=1, kern/lockdep.c) on 4 harts with the smp
# checks (testsuite/abi/smp.c) and the race stress (smp_stress.c) as init,
# and checks that
#   - every smp check passes ("PASS: smp4/...", the programs' own lines),
#   - the stress ran to the end with its invariants (finished workers, no
#     lost signals, free memory back),
#   - the checker caught the cycle it plants at boot (lockdep_selftest)
#     and found no other: /proc/lockdep says "cycles 0";
#   - the same kernel comes up on 2, 3 and 8 harts too, and nproc,
#     /proc/cpuinfo and /proc/stat say so.
# The lock order it observed is kept in $KITE_BUILD/smp-test/lock-order.txt,
# the stress's counts are printed as a "# smp-stress:" line.
#
# Also the long run (make stress): SMP (harts, default 4),
# SMP_STRESS_SECONDS (default 20), STRESS_LOCKDEP=0 for the normal kernel.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
harts=${SMP:-4}
secs=${SMP_STRESS_SECONDS:-20}
ld=${STRESS_LOCKDEP:-1}
b=$build/smp-test
kb=$b/kernel$([ "$ld" = 1 ] && echo -lockdep)
stage=$b/stage
tag=smp$harts$([ "$ld" = 1 ] && echo -lockdep)
mkdir -p "$b" "$kb"

if ! "$top/testsuite/abi/build.sh" "$build/abi/bin" > "$b/build.log" 2>&1; then
  echo "FAIL: $tag/build (testsuite/abi/build.sh failed)"
  tail -30 "$b/build.log"
  exit 1
fi
rm -rf "$stage"
mkdir -p "$stage/smp"
cp "$build/abi/bin/smp" "$build/abi/bin/smp_stress" "$stage/smp/"
cat > "$stage/smp/init.sh" <<EOF
#!/bin/sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin ABI_TMP=/tmp/smp
mkdir -p \$ABI_TMP
cd \$ABI_TMP
echo "SMP-RUN: smp"
/smp/smp
echo "SMP-RUN: stress"
SMP_STRESS_SECONDS=$secs /smp/smp_stress
cat /proc/interrupts
if [ -r /proc/lockdep ]; then echo LOCKDEP-BEGIN; cat /proc/lockdep; echo LOCKDEP-END; fi
echo "SMP-DONE"
EOF
chmod +x "$stage/smp/init.sh"
cat > "$stage/smp/harts.sh" <<'EOF'
#!/bin/sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
echo "HARTS $(nproc) $(grep -c ^processor /proc/cpuinfo) $(grep -c '^cpu[0-9]' /proc/stat)"
EOF
chmod +x "$stage/smp/harts.sh"

if [ "$ld" = 1 ]; then set -- LOCKDEP=1; else set --; fi
if ! make -s -C "$top" BUILD="$kb" KERNEL_OUT="$kb/kernel-rv" EXTRA="$stage" "$@" all > "$kb/make.log" 2>&1; then
  echo "FAIL: $tag/kernel-build (make failed)"
  tail -30 "$kb/make.log"
  exit 1
fi

out=$b/console-$tag.out
start=$(date +%s)
KERNEL="$kb/kernel-rv" "$top/scripts/qemu-boot.sh" $((secs + 400)) "$out" SMP="$harts" \
  APPEND="init=/smp/init.sh lockdep_selftest"
st=$?
took=$(($(date +%s) - start))
tr -d '\r' < "$out" > "$out.txt"
fail=0
sed -n "s/^\(PASS\|FAIL\|SKIP\): smp\//\1: $tag\//p" "$out.txt"
grep -q '^FAIL: ' "$out.txt" && fail=1
grep '^# smp-stress:' "$out.txt"
if grep -q '^SMP-DONE' "$out.txt"; then
  echo "PASS: $tag/run-completed ($took s)"
else
  last=$(grep '^SMP-RUN: ' "$out.txt" | tail -1 | sed 's/^SMP-RUN: //')
  echo "FAIL: $tag/run-completed (QEMU status $st after $took s; running: ${last:-nothing yet})"
  grep -v -E '^(PASS|SKIP):' "$out.txt" | tail -25 | sed 's/^/    /'
  fail=1
fi
# Other hart counts: boot, count, power off.
for n in 2 3 8; do
  KERNEL="$kb/kernel-rv" "$top/scripts/qemu-boot.sh" 120 "$b/harts-$n.out" SMP="$n" APPEND="init=/smp/harts.sh"
  got=$(tr -d '\r' < "$b/harts-$n.out" | grep '^HARTS ' | head -1)
  if [ "$got" = "HARTS $n $n $n" ]; then
    echo "PASS: $tag/boots-on-$n-harts"
  else
    echo "FAIL: $tag/boots-on-$n-harts (got \"$got\"; nproc, /proc/cpuinfo, /proc/stat)"
    tr -d '\r' < "$b/harts-$n.out" | tail -5 | sed 's/^/    /'
    fail=1
  fi
done
if [ "$ld" = 1 ]; then
  sed -n '/^LOCKDEP-BEGIN/,/^LOCKDEP-END/p' "$out.txt" | grep ' -> ' | sort > "$b/lock-order.txt"
  if grep -q 'lockdep: self-test passed' "$out.txt"; then
    echo "PASS: $tag/lockdep-self-test (a planted cycle is reported with both stacks)"
  else
    echo "FAIL: $tag/lockdep-self-test (no report of the planted cycle)"
    fail=1
  fi
  if grep -q '^cycles 0$' "$out.txt"; then
    echo "PASS: $tag/lockdep-no-cycles ($(wc -l < "$b/lock-order.txt") lock-order edges seen)"
  else
    echo "FAIL: $tag/lockdep-no-cycles (see the report; addresses resolved below)"
    grep -A40 'lock-order cycle' "$out.txt" | grep -v 'selftest-' | head -60 |
      while read -r line; do
        a=$(echo "$line" | grep -oE 'ffffffc0[0-9a-f]{8}')
        if [ -n "$a" ]; then
          echo "    $line $(riscv64-linux-gnu-addr2line -f -s -e "$kb/kernel-rv" "0x$a" | tr '\n' ' ')"
        else
          echo "    $line"
        fi
      done
    fail=1
  fi
fi
exit $fail
