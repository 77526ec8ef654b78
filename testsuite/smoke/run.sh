#!/bin/sh
# run.sh — the smoke runner, started as init (APPEND='init=/smoke/run.sh').
# Prints "SMOKE <name> ok" or "SMOKE <name> FAIL: ..." for each check; the
# host (scripts/smoke.sh) reads these lines.
cd /smoke || exit 1
check() {
  name=$1; expect=$2; shift 2
  out=$("$@" 2>&1)
  if [ "$out" = "$expect" ]; then
    echo "SMOKE $name ok"
  else
    echo "SMOKE $name FAIL: got [$out]"
  fi
}
check hello_static "hello, world" ./hello
check hello_dynamic "hello, world" ./hello_dynamic
check script "script: ok arg1" ./script.sh arg1
check pipe "pipe: ok 1048576" sh -c './pipe_writer | ./pipe_reader'
check efault "efault: ok" ./efault
echo "SMOKE done"
