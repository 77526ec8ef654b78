#!/bin/sh
# qemu-user.sh — run our test programs under qemu-riscv64 (Linux's ABI on
# this host): a test that passes on Kite but not here is testing Kite's bugs.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
musl=$(sed -n "s/^MUSL_DIR := //p" "$build/third-party.mk")
s=$build/smoke
fail=0
check() { # name expected command...
  name=$1; expect=$2; shift 2
  out=$("$@" 2>&1)
  if [ "$out" = "$expect" ]; then echo "PASS: linux/$name"; else echo "FAIL: linux/$name: got [$out]"; fail=1; fi
}
check hello_static "hello, world" qemu-riscv64 "$s/hello"
check hello_dynamic "hello, world" qemu-riscv64 -L "$musl" "$s/hello_dynamic"
check efault "efault: ok" qemu-riscv64 "$s/efault"
check pipe "pipe: ok 1048576" sh -c "qemu-riscv64 '$s/pipe_writer' | qemu-riscv64 '$s/pipe_reader'"
exit $fail
