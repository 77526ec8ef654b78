#!/bin/sh
# run-in-guest.sh — run LTP tests inside the guest (Kite or the reference
# Linux) and print one result line per test. The same script runs on both;
# testsuite/ltp/ltp.py builds the disk and boots them.
#
# Environment:
#   LTPROOT     the LTP install (testcases/bin, runtest/); default /mnt/ltp/ltp
#   LTP_LIST    the runtest file; default $LTPROOT/runtest/syscalls
#   LTP_AFTER   skip every test up to and including this one (resuming after
#               a kernel crash or hang)
#   LTP_ONLY    "name name ...": run just these
#   LTP_KILL    seconds before a test is killed (default 300)
# Output, per test:
#   LTP-START <name>
#   (its TFAIL/TBROK/TWARN lines before the last 40, marked "(earlier)",
#   then the last 40 lines of its output)
#   LTP-RESULT <name> <exit status> <seconds>
# then LTP-DONE. Exit status 0 is a pass, 32 only TCONF (skipped); LTP's
# own timeout ends a test first (LTP_TIMEOUT_MUL scales it).
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
LTPROOT=${LTPROOT:-/mnt/ltp/ltp}
export LTPROOT
export PATH="$LTPROOT/testcases/bin:$PATH"
export TMPDIR=/tmp/ltp
export LTP_TIMEOUT_MUL=${LTP_TIMEOUT_MUL:-4}
export LTP_RUNTIME_MUL=${LTP_RUNTIME_MUL:-0.25}
list=${LTP_LIST:-$LTPROOT/runtest/syscalls}
kill_after=${LTP_KILL:-300}
skipping=
[ -n "${LTP_AFTER:-}" ] && skipping=1
echo "LTP-BEGIN $(uname -r)"
while read -r name cmd; do
  case "$name" in ''|'#'*) continue ;; esac
  if [ -n "$skipping" ]; then
    [ "$name" = "$LTP_AFTER" ] && skipping=
    continue
  fi
  if [ -n "${LTP_ONLY:-}" ]; then
    case " $LTP_ONLY " in *" $name "*) ;; *) continue ;; esac
  fi
  rm -rf "$TMPDIR"
  mkdir -p "$TMPDIR"
  echo "LTP-START $name"
  start=$(date +%s)
  (cd "$TMPDIR" && exec timeout -s KILL "$kill_after" sh -c "$cmd") > /tmp/ltp-test.out 2>&1 < /dev/null
  st=$?
  # the failures the last 40 lines would lose, then those lines
  n=$(wc -l < /tmp/ltp-test.out)
  [ "$n" -gt 40 ] && head -n $((n - 40)) /tmp/ltp-test.out | grep -E 'TFAIL|TBROK|TWARN' | sed 's/^/(earlier) /'
  tail -n 40 /tmp/ltp-test.out
  echo "LTP-RESULT $name $st $(($(date +%s) - start))"
done < "$list"
echo "LTP-DONE"
