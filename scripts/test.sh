#!/bin/bash
# test.sh — `make test`: run every test and summarise.
#
# Every executable *.sh or *.py in testsuite/tests/ is a test. It prints one
# line per check, starting with "PASS:" or "FAIL:", and exits non-zero if a
# check failed. Tests run two at a time (these machines have 2 cores),
# except those containing the line "# kite-test: serial", which run alone at
# the end (they rebuild the kernel, or need the whole machine).
# A test containing the line "# kite-test: smp" (the kernel-facing ones)
# runs a second time right after the first, on 4 harts (SMP=4, which
# scripts/run-qemu.sh passes to QEMU's -smp), as "<name>@smp4"; its lines
# read "PASS: smp4: ...". SMP_TESTS=0 skips those second runs.
# Just before it, the failing tests are named again (with their first
# FAIL lines), so that a log cut to its last lines still says what failed.
# The last line is "N passed, M failed"; the exit status is non-zero if
# anything failed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${KITE_BUILD:-$top/build}
res=$build/test-results
rm -rf "$res"; mkdir -p "$res"
jobs=${TEST_JOBS:-2}
only=${TESTS:-}   # e.g. TESTS="smoke boot" runs just those

run() { # name command... -> $res/name.{out,status,time}
  local name=$1; shift
  local start=$(date +%s)
  "$@" > "$res/$name.out" 2>&1
  echo $? > "$res/$name.status"
  echo $(( $(date +%s) - start )) > "$res/$name.time"
  echo "  finished $name ($(cat "$res/$name.time") s)"
}

# run_test FILE: the test, then (kite-test: smp) again on 4 harts, in the
# same job: the two runs share the test's build directories.
run_test() {
  local f=$1 name
  name=$(basename "$f"); name=${name%.*}
  run "$name" "$f"
  if [ "${SMP_TESTS:-1}" != 0 ] && grep -q '^# kite-test: smp' "$f"; then
    run "$name@smp4" env SMP=4 "$f"
    sed -i -E 's/^(PASS|FAIL|SKIP): /\1: smp4: /' "$res/$name@smp4.out"
  fi
}

parallel=(); serial=()
for f in "$top"/testsuite/tests/*.sh "$top"/testsuite/tests/*.py; do
  [ -x "$f" ] || continue
  name=$(basename "$f"); name=${name%.*}
  if [ -n "$only" ] && ! echo " $only " | grep -q " $name "; then continue; fi
  if grep -q '^# kite-test: serial' "$f"; then serial+=("$f"); else parallel+=("$f"); fi
done

echo "== ${#parallel[@]} tests, $jobs at a time"
for f in "${parallel[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
  run_test "$f" &
done
wait
echo "== ${#serial[@]} serial tests"
for f in "${serial[@]}"; do
  run_test "$f"
done

passed=0; failed=0; failures=()
for f in "$res"/*.out; do
  name=$(basename "$f" .out)
  grep -E '^(PASS|FAIL):' "$f"
  p=$(grep -c '^PASS:' "$f"); q=$(grep -c '^FAIL:' "$f")
  st=$(cat "$res/$name.status")
  if [ "$st" != 0 ] && [ "$q" = 0 ]; then
    echo "FAIL: $name exited with status $st"; q=1
  fi
  if [ "$q" != 0 ]; then
    echo "--- $name: other output (last 40 lines) ---"
    grep -v -E '^(PASS|FAIL):' "$f" | tail -40
    lines=$(grep -m 3 '^FAIL:' "$f" | tr '\n' ' ')
    failures+=("$name: ${lines:-exited with status $st}")
  fi
  passed=$((passed + p)); failed=$((failed + q))
done
# The failures again, last: a log cut to its tail still names them.
if [ ${#failures[@]} != 0 ]; then
  echo "== failed tests"
  printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
