#!/bin/sh
# kite-test: smp
# runner.sh — the OSComp runner's watchdog and bookkeeping (docs/runner.md):
# a test disk whose first group hangs (a shell loop, plus a background
# sleeper it leaves behind) and whose second group reports what it sees,
# booted under the judge's command line with OSCOMP_GROUP_TIMEOUT=5 on the
# kernel command line (passed to init's environment). Checks: the hung group
# is cut after its limit and the next group runs; nothing of the hung group
# is left running; the kernel log (not the console) has each group's wall time
# and the kill; the groups' stdin is the console (not /dev/null);
# the machine powers off by itself.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
kernel=${KERNEL:-$top/kernel-rv}
b=$build/runner-test
rm -rf "$b"
mkdir -p "$b/disk/musl"
fail=0
pass() { echo "PASS: runner/$1"; }
failed() { echo "FAIL: runner/$1"; fail=1; }
busybox=$(sed -n 's/^BUSYBOX_BIN := //p' "$build/third-party.mk")
cp "$busybox" "$b/disk/musl/busybox"
cat > "$b/disk/musl/a_testcode.sh" <<'EOF'
#!./busybox sh
echo "#### OS COMP TEST GROUP START a-musl ####"
./busybox sleep 1000 &
[ -t 0 ] && echo "A stdin is the console"
while :; do :; done
EOF
cat > "$b/disk/musl/b_testcode.sh" <<'EOF'
#!./busybox sh
echo "#### OS COMP TEST GROUP START b-musl ####"
echo "B sleepers $(./busybox ps | ./busybox grep -c '[s]leep 1000')"
./busybox dmesg | ./busybox grep 'oscomp-run:' | ./busybox sed 's/^\[[ 0-9.]*\] /B log /'
echo "#### OS COMP TEST GROUP END b-musl ####"
EOF
chmod 755 "$b/disk/musl"/*.sh
truncate -s 64M "$b/disk.img" && mkfs.vfat -F 32 -s 1 "$b/disk.img" > /dev/null &&
  MTOOLS_SKIP_CHECK=1 mcopy -s -i "$b/disk.img" "$b/disk/musl" ::/ || { failed "image"; exit 1; }
start=$(date +%s)
printf '\n' | /usr/bin/timeout -k 5 120 qemu-system-riscv64 -machine virt -kernel "$kernel" -m 1G -nographic -smp "${SMP:-1}" \
  -bios default -drive file="$b/disk.img",if=none,format=raw,id=x0 \
  -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0 -no-reboot -device virtio-net-device,netdev=net \
  -netdev user,id=net,restrict=on -rtc base=utc -append OSCOMP_GROUP_TIMEOUT=5 2>&1 | tr -d '\r' > "$b/console.txt"
st=$?
secs=$(($(date +%s) - start))
out=$b/console.txt
[ $st = 0 ] && grep -q '^#### OS COMP TEST GROUP END b-musl' "$out" && pass "powers-off-after-the-groups ($secs s)" ||
  failed "powers-off-after-the-groups (status $st after $secs s)"
grep -q '^#### OS COMP TEST GROUP START b-musl' "$out" && pass "next-group-runs-after-a-hang" || failed "next-group-runs-after-a-hang"
grep -q '^A stdin is the console$' "$out" && pass "groups-get-the-console-as-stdin" || failed "groups-get-the-console-as-stdin"
grep -q '^B sleepers 0$' "$out" && pass "hung-group-left-nothing-running" || failed "hung-group-left-nothing-running ($(grep '^B sleepers' "$out"))"
grep -q '^B log oscomp-run: a-musl: killed' "$out" && pass "kill-in-kernel-log" || failed "kill-in-kernel-log"
grep -Eq '^B log oscomp-run: a-musl: [5-9]\.[0-9] s \(exit status 137\)$' "$out" && pass "group-time-in-kernel-log" ||
  failed "group-time-in-kernel-log ($(grep 'a-musl: [0-9]' "$out"))"
if grep -v '^B log' "$out" | grep -q 'oscomp-run:'; then failed "runner-quiet-on-console"; else pass "runner-quiet-on-console"; fi
[ $fail = 0 ] || { echo "--- console (last 15 lines):"; tail -15 "$out" | sed 's/^/    /'; }
exit $fail
