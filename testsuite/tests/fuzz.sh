#!/bin/sh
# kite-test: smp
# kite-test: serial
# fuzz.sh — the system-call fuzzer (testsuite/fuzz) on Kite for
# FUZZ_SECONDS (default 60; `make fuzz FUZZ_TIME=3600` runs longer), with
# FUZZ_SEED to replay a run. Kite must come through with no panic and no
# hang, every process gone but init (no zombie), the shell still working,
# and its free memory and open-file count back where they were
# (docs/hostile.md).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
f=$build/fuzz
secs=${FUZZ_SECONDS:-60}
mkdir -p "$f/stage/fuzz"
musl=$(sed -n 's/^MUSL_DIR := //p' "$build/third-party.mk")
awk -f "$top/testsuite/fuzz/gen-table.awk" "$top/kern/syscall.tbl" > "$f/fuzz_table.h"
if ! "$musl/bin/musl-gcc" -static -O2 -Wall -Wno-unused-result -I"$f" -o "$f/stage/fuzz/fuzz" \
  "$top/testsuite/fuzz/fuzz.c" > "$f/build.log" 2>&1; then
  echo "FAIL: fuzz/build"; tail -20 "$f/build.log"; exit 1
fi
cp "$top/testsuite/fuzz/run.sh" "$f/stage/fuzz/run.sh"
kb=$f/kernel
if ! make -s -C "$top" BUILD="$kb" KERNEL_OUT="$kb/kernel-rv" EXTRA="$f/stage" all > "$f/make.log" 2>&1; then
  echo "FAIL: fuzz/kernel-build"; tail -20 "$f/make.log"; exit 1
fi
out=$f/console.out
start=$(date +%s)
KERNEL="$kb/kernel-rv" "$top/scripts/qemu-boot.sh" $((secs + 240)) "$out" \
  APPEND="init=/fuzz/run.sh FUZZ_SECONDS=$secs ${FUZZ_SEED:+FUZZ_SEED=$FUZZ_SEED} ${FUZZ_WORKERS:+FUZZ_WORKERS=$FUZZ_WORKERS}"
st=$?
# (workers may write anything to the console: keep the printable text)
tr -cd '\11\12\40-\176' < "$out" > "$out.txt"
t=$out.txt
seed=$(sed -n 's/^FUZZ-SEED \([0-9]*\).*/\1/p' "$t")
rounds=$(sed -n 's/^FUZZ-DONE \([0-9]*\) rounds, \([0-9]*\) workers/\1 rounds, \2 workers/p' "$t")
calls=$(sed -n 's/^FUZZ-CALLS \([0-9]*\).*/\1/p' "$t")
fail=0
pass() { echo "PASS: fuzz/$1"; }
failed() { echo "FAIL: fuzz/$1"; fail=1; }
b=$(grep '^FUZZ-BEFORE' "$t"); a=$(grep '^FUZZ-AFTER' "$t")
get() { echo "$1" | sed -n "s/.* $2=\([0-9?]*\).*/\1/p"; }
fka=$(get "$a" forks); fkb=$(get "$b" forks)
made=$(( ${fka:-0} - ${fkb:-0} ))
if grep -q '^FUZZ-DONE' "$t"; then pass "ran-$secs-s ($rounds, ${calls:-?} calls, $made processes and threads, seed $seed)"; else
  failed "ran-$secs-s (QEMU status $st after $(($(date +%s) - start)) s, seed $seed; last workers: $(grep '^FUZZ-WORKER' "$t" | tail -6 | cut -d' ' -f2- | tr '\n' ' '))"; fi
if grep -qiE 'panic|kernel trap|BUG' "$t"; then failed "no-panic ($(grep -iE 'panic|kernel trap|BUG' "$t" | head -2 | tr '\n' '|'))"; else pass "no-panic"; fi
if grep -q '^FUZZ-ALIVE' "$t"; then pass "shell-works-afterwards"; else failed "shell-works-afterwards"; fi
mb=$(get "$b" mem); ma=$(get "$a" mem)
if [ -n "$mb" ] && [ -n "$ma" ] && [ "$ma" -ge $((mb - ${FUZZ_SLACK_KB:-1024})) ]; then
  pass "memory-back (MemFree $mb kB before, $ma kB after)"
else failed "memory-back (before: ${b#FUZZ-BEFORE }; after: ${a#FUZZ-AFTER })"; fi
fb=$(get "$b" files); fa=$(get "$a" files)
if [ -n "$fb" ] && [ "$fb" = "$fa" ]; then pass "files-back ($fb open files)"; else failed "files-back (before $fb, after $fa)"; fi
za=$(get "$a" zombies)
if [ "$za" = 0 ]; then pass "no-zombies"; else failed "no-zombies (${za:-?} left: $(grep '^FUZZ-AFTER-PS' "$t"))"; fi
# (a count of all processes would include the counting pipeline's own,
# which on several harts may or may not have started: count the others)
la=$(get "$a" left)
if [ "$la" = 0 ]; then pass "no-processes-left"; else failed "no-processes-left (${la:-?} outside init's session: $(grep '^FUZZ-AFTER-PS' "$t"))"; fi
[ $fail -eq 0 ] || { echo "--- replay: make fuzz FUZZ_TIME=$secs FUZZ_SEED=$seed, or one worker: fuzz -r <seed> -v ---"; grep -v '^FUZZ-WORKER' "$t" | tail -30; }
exit $fail
