#!/bin/sh
# debug.sh — `make debug` waits for gdb, and gdb-multiarch can stop in kmain
# with symbols (README, "Debugging with gdb").
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
kernel=${KERNEL:-$top/kernel-rv}
out=$build/debug-test.out
port=$((20000 + $$ % 10000))
QEMU_EXTRA="-S -gdb tcp:127.0.0.1:$port" KERNEL="$kernel" /usr/bin/timeout 60 "$top/scripts/run-qemu.sh" \
  > /dev/null 2>&1 < /dev/null &
qpid=$!
sleep 1
/usr/bin/timeout 50 gdb-multiarch -q -batch "$build/kernel.elf" \
  -ex "target remote 127.0.0.1:$port" -ex "break kmain" -ex "continue" -ex "bt 1" \
  -ex "print boot_info.ram_size" -ex "kill" > "$out" 2>&1
kill $qpid 2>/dev/null; wait $qpid 2>/dev/null
if grep -q "kmain (hartid=" "$out"; then
  echo "PASS: debug/gdb stops in kmain with symbols"
else
  echo "FAIL: debug/gdb did not stop in kmain"; tail -20 "$out"; exit 1
fi
