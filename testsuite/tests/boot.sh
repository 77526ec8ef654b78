#!/bin/sh
# kite-test: smp
# boot.sh — kernel-rv boots the way the OSComp judge starts it, and under
# both Debian OpenSBI firmwares, and with different amounts of RAM.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
kernel=${KERNEL:-$top/kernel-rv}
b=$build/boot-test
mkdir -p "$b"
fail=0
pass() { echo "PASS: boot/$1"; }
failed() { echo "FAIL: boot/$1"; fail=1; }
fw=/usr/lib/riscv64-linux-gnu/opensbi/generic

# 1. The judge's exact command line (plus restrict=on): no -append, a disk
#    in slot 0, a network card. The judge sends "\n"; QEMU does not pass
#    the EOF after it on to the guest, so we type a command and power off.
[ -f "$b/sdcard-rv.img" ] || { dd if=/dev/zero of="$b/sdcard-rv.img" bs=1M count=8 status=none && mkfs.vfat -F 32 "$b/sdcard-rv.img" >/dev/null 2>&1; }
printf '\necho judge-$((6*7))\npoweroff -f\n' > "$b/judge.in"
/usr/bin/timeout -k 5 60 qemu-system-riscv64 -machine virt -kernel "$kernel" -m 1G -nographic -smp "${SMP:-1}" \
  -bios default -drive file="$b/sdcard-rv.img",if=none,format=raw,id=x0 \
  -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0 -no-reboot \
  -device virtio-net-device,netdev=net -netdev user,id=net,restrict=on -rtc base=utc \
  < "$b/judge.in" > "$b/judge.out" 2>&1
st=$?
if [ $st -eq 0 ] && grep -q "judge-42" "$b/judge.out"; then
  pass "judge command line: boots to the shell, powers off (status 0)"
else
  failed "judge command line: QEMU status $st"; tail -20 "$b/judge.out"
fi

# 2. Both firmwares from Debian's opensbi package, and several RAM sizes.
boot_smoke() { # name, run-qemu.sh environment...
  name=$1; shift
  "$top/scripts/qemu-boot.sh" 120 "$b/$name.out" APPEND=init=/smoke/run.sh "$@"
  st=$?
  if [ $st -eq 0 ] && grep -q "^SMOKE done" "$b/$name.out" && ! grep -q "FAIL" "$b/$name.out"; then
    pass "$name"
  else
    failed "$name: QEMU status $st"; tail -20 "$b/$name.out"
  fi
}
boot_smoke "fw_dynamic.bin" BIOS=$fw/fw_dynamic.bin
boot_smoke "fw_jump.bin" BIOS=$fw/fw_jump.bin
boot_smoke "fw_jump.elf" BIOS=$fw/fw_jump.elf
boot_smoke "128 MiB of RAM" MEM=128M
boot_smoke "3 GiB of RAM" MEM=3G
# The kernel reads RAM size from the device tree: check what it reported.
if grep -q "mem: 3072 MiB RAM" "$b/3 GiB of RAM.out" && grep -q "mem: 128 MiB RAM" "$b/128 MiB of RAM.out"; then
  pass "RAM size comes from the device tree"
else
  failed "RAM size not taken from the device tree"
fi
exit $fail
