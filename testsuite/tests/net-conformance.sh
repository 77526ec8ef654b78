#!/bin/sh
# kite-test: smp
# kite-test: serial
# net-conformance.sh — the socket conformance suite (testsuite/net): TCP,
# UDP, readiness under ppoll/pselect6/epoll, AF_UNIX, ICMP, volume and hostile
# cases, AF_NETLINK (links, addresses, routes). Each program runs first on
# Linux (qemu-riscv64 in a private network namespace: only loopback, nothing
# leaves the machine), then on Kite, booted with the programs in its
# initramfs. Serial: it links its own kernel in the shared build directory.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
kernel=${KERNEL:-$top/kernel-rv}
b=$build/net-test
rm -rf "$b"
mkdir -p "$b/extra/net"
fail=0
progs="tcp udp readiness unix icmp stress netlink"

if ! "$top/testsuite/net/build.sh" "$b/extra/net" > "$b/build.log" 2>&1; then
  echo "FAIL: net/build: $(tail -5 "$b/build.log")"
  exit 1
fi

# 1. Linux, the reference.
if unshare -n true 2>/dev/null; then
  wrap() { unshare -n sh -c 'ip link set lo up 2>/dev/null; exec "$@"' sh "$@"; }
else
  echo "net-conformance: unshare -n not permitted: running on the host's loopback"
  wrap() { "$@"; }
fi
for p in $progs; do
  [ -x "$b/extra/net/$p" ] || continue
  (cd "$b" && wrap /usr/bin/timeout 300 qemu-riscv64 "$b/extra/net/$p") > "$b/linux-$p.out" 2>&1
  st=$?
  sed -n 's/^\(PASS\|FAIL\): /\1: linux\//p' "$b/linux-$p.out"
  grep '^#' "$b/linux-$p.out" | sed 's/^/linux: /'
  if [ $st -ne 0 ] && ! grep -q '^FAIL' "$b/linux-$p.out"; then
    echo "FAIL: linux/$p exited with status $st"; tail -5 "$b/linux-$p.out"
  fi
  grep -q '^FAIL' "$b/linux-$p.out" && fail=1
done

# 2. Kite.
if ! riscv64-linux-gnu-nm "$kernel" 2>/dev/null | grep -q ' T net_init$'; then
  echo "FAIL: net-conformance/kernel-has-network ($kernel was built without net/: WITH_NET is empty)"
  exit 1
fi
cat > "$b/extra/net/run.sh" <<SH
#!/bin/sh
cd /net
for p in $progs; do
  [ -x ./\$p ] || continue
  echo "== \$p"
  ./\$p
  echo "== \$p exit \$?"
done
echo "NET-TESTS done"
SH
chmod +x "$b/extra/net/run.sh"
if ! make -s -C "$top" BUILD="$build" KERNEL_OUT="$b/kernel-rv" EXTRA="$b/extra" WITH_NET=1 \
     "$b/kernel-rv" > "$b/kernel-build.log" 2>&1; then
  echo "FAIL: kite/kernel with the test programs: $(tail -5 "$b/kernel-build.log")"
  exit 1
fi
"$top/scripts/qemu-boot.sh" 600 "$b/kite.out" APPEND="init=/net/run.sh" KERNEL="$b/kernel-rv"
st=$?
tr -d '\r' < "$b/kite.out" > "$b/kite.txt"
sed -n 's/^\(PASS\|FAIL\): /\1: kite\//p' "$b/kite.txt"
grep '^#' "$b/kite.txt" | sed 's/^/kite: /'
grep -q '^FAIL' "$b/kite.txt" && fail=1
for p in $progs; do
  [ -x "$b/extra/net/$p" ] || continue
  if ! grep -q "^== $p exit" "$b/kite.txt"; then
    echo "FAIL: kite/$p did not finish"; fail=1
  fi
done
if [ $st -ne 0 ] || ! grep -q "^NET-TESTS done" "$b/kite.txt"; then
  echo "FAIL: kite: QEMU status $st"; tail -20 "$b/kite.txt"; fail=1
fi
exit $fail
