#!/bin/sh
# kite-test: smp
# kite-test: serial
# net-apps.sh — real programs on Kite's network stack (testsuite/net/apps.sh):
# iperf3 (Debian trixie's riscv64 binary package, glibc), redis-server,
# redis-cli and redis-benchmark (Debian's redis source, musl), busybox httpd,
# telnetd, dnsd and nslookup. Boots a kernel whose initramfs holds them.
# Serial: it links its own kernel in the shared build directory. Fails
# when the kernel was built without the network stack (WITH_NET=1).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
kernel=${KERNEL:-$top/kernel-rv}
b=$build/net-apps
if ! riscv64-linux-gnu-nm "$kernel" 2>/dev/null | grep -q ' T net_init$'; then
  echo "FAIL: net-apps/kernel-has-network ($kernel was built without net/: WITH_NET is empty)"
  exit 1
fi
rm -rf "$b"
x=$b/extra
mkdir -p "$x/www" "$x/etc"
# iperf3 with glibc's loader and its libraries, redis-server, redis-cli, redis-benchmark
if ! "$top/testsuite/net/stage-programs.sh" "$x" > "$b/stage.log" 2>&1; then
  echo "FAIL: apps/stage-programs: $(tail -3 "$b/stage.log" | tr '\n' ' ')"
  exit 1
fi
echo "hello from kite httpd" > "$x/www/index.html"
echo "kite.test 10.0.2.15" > "$x/etc/dnsd.conf"
cp "$top/testsuite/net/apps.sh" "$x/apps.sh"
if ! make -s -C "$top" BUILD="$build" KERNEL_OUT="$b/kernel-rv" EXTRA="$x" WITH_NET=1 \
     "$b/kernel-rv" > "$b/kernel-build.log" 2>&1; then
  echo "FAIL: apps/kernel with the programs: $(tail -5 "$b/kernel-build.log")"
  exit 1
fi
"$top/scripts/qemu-boot.sh" 600 "$b/kite.out" APPEND="init=/apps.sh" NET=1 KERNEL="$b/kernel-rv"
st=$?
tr -d '\r' < "$b/kite.out" > "$b/kite.txt"
grep -E '^(PASS|FAIL): ' "$b/kite.txt"
grep '^#' "$b/kite.txt"
fail=0
grep -q '^FAIL' "$b/kite.txt" && fail=1
if [ $st -ne 0 ] || ! grep -q "^APPS done" "$b/kite.txt"; then
  echo "FAIL: apps: QEMU status $st, runner did not finish"; tail -20 "$b/kite.txt"; fail=1
fi
exit $fail
