#!/bin/sh
# test.sh — `make test`: run every test and summarise.
#
# Each test script in testsuite/tests/ prints one line per check, starting
# with "PASS:" or "FAIL:". QEMU tests that are independent run two at a
# time (the machines here have 2 cores). The last line is
# "N passed, M failed"; the exit status is non-zero if anything failed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
res=$top/build/test-results
rm -rf "$res"; mkdir -p "$res"
t=$top/testsuite/tests

run() { # name command... (output to $res/name.out, status to $res/name.status)
  name=$1; shift
  start=$(date +%s)
  "$@" > "$res/$name.out" 2>&1
  echo $? > "$res/$name.status"
  echo "  ($name: $(( $(date +%s) - start )) s)" >> "$res/$name.time"
}

echo "== host unit tests, Linux (qemu-user) runs, docs"
run host-unit "$t/host-unit.sh"
run qemu-user "$t/qemu-user.sh"
run docs "$t/docs.sh"
echo "== QEMU: smoke, boot variants, interactive shell"
run smoke "$top/scripts/smoke.sh" &
run boot "$t/boot.sh" &
wait
run shell python3 "$t/shell.py"
echo "== make run APPEND=... EXTRA=..."
run append-extra "$t/append-extra.sh"

passed=0; failed=0
for f in "$res"/*.out; do
  name=$(basename "$f" .out)
  cat "$f" | grep -E '^(PASS|FAIL):' 
  p=$(grep -c '^PASS:' "$f"); q=$(grep -c '^FAIL:' "$f")
  st=$(cat "$res/$name.status")
  if [ "$st" != 0 ] && [ "$q" = 0 ]; then
    echo "FAIL: $name exited with status $st"; q=1
    tail -20 "$f"
  fi
  if [ "$q" != 0 ]; then
    grep -v -E '^(PASS|FAIL):' "$f" | tail -40
  fi
  passed=$((passed + p)); failed=$((failed + q))
  cat "$res/$name.time"
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
