#!/bin/sh
# root-handover.sh — the test disk becomes the root file system, as on the
# judge's Linux: an ext4 disk (and then a FAT32 one) holding
# musl/root_testcode.sh (and a second
# disk with a marker file) booted under the judge's QEMU command line on Kite
# (no -append), and the same disks on the reference Linux with Kite's
# initramfs (-initrd, rdinit=/init): the same /init and runner on both. The
# script reports, as the tests see it: the working directory, the type of /,
# what / holds, /bin/sh, the initramfs under /run/initramfs, the second disk
# at /mnt (and mounted a second time), getcwd into a 30-byte buffer inside /musl/basic/test_chdir, a file
# written to / (the host finds it on the image), and testsuite/root/pivot_root.c
# (pivot_root(2) and MS_MOVE in a chroot jail). Checks each fact on Kite and
# that Kite's report equals Linux's line for line.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
kernel=${KERNEL:-$top/kernel-rv}
b=$build/root-handover
rm -rf "$b"
mkdir -p "$b/disk/musl/basic/test_chdir" "$b/disk2"
fail=0
pass() { echo "PASS: root/$fs/$1"; }
failed() { echo "FAIL: root/$fs/$1"; fail=1; }
export MTOOLS_SKIP_CHECK=1

musl=$(sed -n 's/^MUSL_DIR := //p' "$build/third-party.mk")
busybox=$(sed -n 's/^BUSYBOX_BIN := //p' "$build/third-party.mk")
cc="$musl/bin/musl-gcc -static -O2 -Wall"
$cc -o "$b/disk/musl/pivot_root" "$top/testsuite/root/pivot_root.c" 2> "$b/cc.log" &&
  $cc -o "$b/disk/musl/cwd30" "$top/testsuite/root/cwd30.c" 2>> "$b/cc.log" ||
  { failed "build ($(head -3 "$b/cc.log" | tr '\n' '|'))"; exit 1; }
cp "$busybox" "$b/disk/musl/busybox"
cat > "$b/disk/musl/root_testcode.sh" <<'EOF'
#!./busybox sh
echo "#### OS COMP TEST GROUP START root-musl ####"
echo "ROOT pwd $(pwd)"
echo "ROOT fstype $(./busybox awk '$2 == "/" {print $3}' /proc/mounts)"
echo "ROOT statfs $(./busybox stat -f -c %t /)"
echo "ROOT ls $(./busybox ls / | ./busybox tr '\n' ' ')"
echo "ROOT sh $(/bin/sh -c 'echo works')"
[ -x /run/initramfs/init ] && echo "ROOT initramfs at /run/initramfs"
echo "ROOT second disk $(./busybox cat /mnt/*/marker.txt)"
d2=$(./busybox awk '$2 ~ /^\/mnt\// {print $1}' /proc/mounts)
./busybox mkdir -p /tmp/again && ./busybox mount "$d2" /tmp/again &&
  echo "ROOT mounted again $(./busybox cat /tmp/again/marker.txt)" && ./busybox umount /tmp/again
cd basic/test_chdir && echo "ROOT $(../../cwd30)" && cd ../..
echo "written on the root" > /on-root.txt && echo "ROOT wrote /on-root.txt"
./pivot_root /tmp
echo "#### OS COMP TEST GROUP END root-musl ####"
EOF
chmod 755 "$b/disk/musl/root_testcode.sh"
printf 'the second disk\n' > "$b/disk2/marker.txt"
mkimg() { # img dir size
  rm -f "$1"
  truncate -s "$3" "$1"
  if [ $fs = ext4 ]; then mkfs.ext4 -q -F -d "$2" "$1" > /dev/null
  else mkfs.vfat -F 32 -s 1 "$1" > /dev/null && mcopy -s -i "$1" "$2"/* ::/; fi
}

judge() { # kernel disk0 disk1 out [qemu args]
  k=$1; d0=$2; d1=$3; o=$4; shift 4
  printf '\n' | /usr/bin/timeout -k 5 300 qemu-system-riscv64 -machine virt -kernel "$k" -m 1G -nographic -smp 1 \
    -bios default -drive file="$d0",if=none,format=raw,id=x0 -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0 \
    -drive file="$d1",if=none,format=raw,id=x1 -device virtio-blk-device,drive=x1,bus=virtio-mmio-bus.1 \
    -no-reboot -device virtio-net-device,netdev=net -netdev user,id=net,restrict=on -rtc base=utc "$@" 2>&1 |
    tr -d '\r' > "$o"
}
check_fs() { # FS
  fs=$1
  magic=$([ $fs = ext4 ] && echo ef53 || echo 4d44)
  mkimg "$b/$fs-kite.img" "$b/disk" 96M && mkimg "$b/$fs-kite2.img" "$b/disk2" 40M &&
    cp "$b/$fs-kite.img" "$b/$fs-linux.img" && cp "$b/$fs-kite2.img" "$b/$fs-linux2.img" || { failed "images"; return; }
  judge "$kernel" "$b/$fs-kite.img" "$b/$fs-kite2.img" "$b/$fs-kite.out"
  grep -aq '#### OS COMP TEST GROUP END root-musl' "$b/$fs-kite.out" && pass "kite-ran-the-group" || failed "kite-ran-the-group"
  k() { grep -aq "^$1\$" "$b/$fs-kite.out"; }
  k 'ROOT pwd /musl' && pass "tests-run-in-/musl" || failed "tests-run-in-/musl ($(grep -a 'ROOT pwd' "$b/$fs-kite.out"))"
  k "ROOT fstype $fs" && pass "root-is-the-disk" || failed "root-is-the-disk ($(grep -a 'ROOT fstype' "$b/$fs-kite.out"))"
  k "ROOT statfs $magic" && pass "statfs-of-root-is-$fs" || failed "statfs-of-root-is-$fs"
  k 'ROOT sh works' && pass "bin-sh-reachable" || failed "bin-sh-reachable"
  k 'ROOT initramfs at /run/initramfs' && pass "initramfs-under-/run/initramfs" || failed "initramfs-under-/run/initramfs"
  k 'ROOT second disk the second disk' && pass "second-disk-mounted" || failed "second-disk-mounted"
  k 'ROOT mounted again the second disk' && pass "mounted-device-mounts-again" || failed "mounted-device-mounts-again"
  k 'ROOT cwd30: /musl/basic/test_chdir' && pass "getcwd-30-bytes" || failed "getcwd-30-bytes ($(grep -a cwd30 "$b/$fs-kite.out"))"
  if [ $fs = ext4 ]; then got=$(debugfs -R 'cat /on-root.txt' "$b/$fs-kite.img" 2>/dev/null)
  else got=$(mtype -i "$b/$fs-kite.img" ::/on-root.txt 2>&1); fi
  [ "$got" = "written on the root" ] && pass "file-written-to-/-is-on-the-disk" || failed "file-written-to-/-is-on-the-disk ($got)"
  if [ $fs = ext4 ]; then e2fsck -fn "$b/$fs-kite.img" > "$b/$fs-fsck.log" 2>&1
  else fsck.vfat -n "$b/$fs-kite.img" > "$b/$fs-fsck.log" 2>&1; fi && pass "fsck-clean" ||
    failed "fsck-clean ($(tail -2 "$b/$fs-fsck.log" | tr '\n' '|'))"
  n=$(grep -ac '^PASS: pivot/' "$b/$fs-kite.out")
  grep -a '^FAIL: pivot/' "$b/$fs-kite.out" | sed "s/^FAIL: /FAIL: root\/$fs\/kite\//"
  [ "$n" -ge 25 ] && ! grep -aq '^FAIL: pivot/' "$b/$fs-kite.out" && pass "pivot_root-and-move ($n checks)" || failed "pivot_root-and-move ($n checks passed)"

  linux=$("$top/scripts/build-linux-ref.sh" 2> "$b/$fs-linux-build.log") || linux=
  if [ -n "$linux" ] && [ -f "$linux" ]; then
    # Linux names slot 1 vda when there are two disks (docs/block.md): the
    # disks go the other way round so that both kernels call the test disk vda.
    judge "$linux" "$b/$fs-linux2.img" "$b/$fs-linux.img" "$b/$fs-linux.out" -initrd "$build/initramfs.cpio" \
      -append "console=ttyS0 quiet rdinit=/init"
    grep -aE '^(ROOT|PASS|FAIL)' "$b/$fs-kite.out" > "$b/$fs-kite.lines"
    grep -aE '^(ROOT|PASS|FAIL)' "$b/$fs-linux.out" > "$b/$fs-linux.lines"
    if [ -s "$b/$fs-linux.lines" ] && cmp -s "$b/$fs-kite.lines" "$b/$fs-linux.lines"; then
      pass "same-as-linux ($(wc -l < "$b/$fs-linux.lines") lines)"
    else
      failed "same-as-linux ($(diff "$b/$fs-kite.lines" "$b/$fs-linux.lines" | grep '^[<>]' | head -6 | tr '\n' '|'))"
    fi
  else
    failed "linux-reference (scripts/build-linux-ref.sh: $(tail -1 "$b/$fs-linux-build.log"))"
  fi
  [ $fail = 0 ] || { echo "--- kite console (last 20 lines):"; tail -20 "$b/$fs-kite.out" | sed 's/^/    /'; }
}
check_fs ext4
check_fs vfat
exit $fail
