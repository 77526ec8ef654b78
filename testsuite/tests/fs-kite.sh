#!/bin/sh
# kite-test: smp
# fs-kite.sh — the file-system call tests (testsuite/fs) on Kite, on /tmp
# (tmpfs), on a FAT32 disk and on an ext4 disk: the same programs and the
# same run.sh that fs-linux.sh runs under qemu-riscv64.
#
# No kernel rebuild: the normal $KERNEL boots with three disks. The first
# (mkfs.vfat and mtools) holds musl/fs_testcode.sh and the programs; Kite's
# /init hands it to the OSComp runner (docs/runner.md), which runs the
# script from the disk. The script runs the programs on /tmp, then mounts
# the second disk (FAT32) and the third (ext4, mkfs.ext4 defaults) and runs
# them there. Lines become "PASS: kite/fs/...". Afterwards the host checks
# the disks with fsck.fat -n and e2fsck -fn: all that creating, renaming and
# truncating must leave clean file systems.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
kernel=${KERNEL:-$top/kernel-rv}
b=$build/fs-kite
rm -rf "$b"
mkdir -p "$b/run/musl"
export MTOOLS_SKIP_CHECK=1
fail=0

if ! "$top/testsuite/fs/build.sh" "$build/fs-tests" > "$b/build.log" 2>&1; then
  echo "FAIL: kite/fs-build (testsuite/fs/build.sh failed)"
  tail -30 "$b/build.log"
  exit 1
fi
if ! ${CROSS:-riscv64-linux-gnu-}nm "$kernel" 2>/dev/null | grep -q ' T fat_init$'; then
  echo "FAIL: kite/fs-kernel ($kernel has no FAT32)"
  exit 1
fi

# ---- the runner disk: musl/fs_testcode.sh and musl/fs/<programs> ----
mkdir -p "$b/run/musl/fs"
for f in fs_open fs_io fs_dir fs_attr run.sh; do cp "$build/fs-tests/$f" "$b/run/musl/fs/"; done
cat > "$b/run/musl/fs_testcode.sh" <<'SCRIPT'
#!/bin/sh
# Run by Kite's OSComp runner (fs-kite.sh made this disk).
echo "FS-KITE start"
here=$(pwd)
mkdir -p /tmp/fs-work
FS_ROOT=/tmp sh ./fs/run.sh ./fs /tmp/fs-work tmpfs
umount /mnt/vdb 2>/dev/null  # /init mounted it; a remount must read the disk
mkdir -p /mnt/fs
if mount -t vfat /dev/vdb /mnt/fs; then
  mkdir -p /mnt/fs/work
  FS_ROOT=/mnt/fs sh ./fs/run.sh ./fs /mnt/fs/work vfat
  cd / && umount /mnt/fs && echo "FS-KITE umount ok"
else
  echo "FAIL: fs/vfat/mount (mount -t vfat /dev/vdb failed)"
fi
mkdir -p /mnt/e4
if mount -t ext4 /dev/vdc /mnt/e4; then
  mkdir -p /mnt/e4/work
  FS_ROOT=/mnt/e4 sh "$here/fs/run.sh" "$here/fs" /mnt/e4/work ext4
  cd / && umount /mnt/e4 && echo "FS-KITE ext4 umount ok"
else
  echo "FAIL: fs/ext4/mount (mount -t ext4 /dev/vdc failed)"
fi
echo "FS-KITE done"
SCRIPT
r=$b/run.img
truncate -s 40M "$r" && mkfs.vfat -F 32 -s 1 "$r" > /dev/null && mcopy -s -i "$r" "$b/run/musl" ::/
# ---- the disks under test: 512 MiB (sparse), 4 KiB clusters; ext4 defaults ----
t=$b/t.img
truncate -s 512M "$t" && mkfs.vfat -F 32 -s 8 -n FSTEST "$t" > /dev/null
e=$b/e.img
truncate -s 512M "$e" && /sbin/mkfs.ext4 -q -F "$e"

# ---- boot ----
start=$(date +%s)
e4drive="-drive file=$e,if=none,format=raw,id=x2 -device virtio-blk-device,drive=x2,bus=virtio-mmio-bus.2"
"$top/scripts/qemu-boot.sh" 900 "$b/out.txt" KERNEL="$kernel" DISK="$r" DISK2="$t" QEMU_EXTRA="$e4drive"
st=$?
secs=$(($(date +%s) - start))
out=$b/out.clean
tr -d '\r' < "$b/out.txt" > "$out"

# ---- results ----
sed -n 's/^\(PASS\|FAIL\): /\1: kite\//p; /^SKIP: /p' "$out"
grep -q '^FAIL: ' "$out" && fail=1
if grep -q '^FS-KITE done' "$out" && [ $st = 0 ] && [ "$(grep -c '^PASS: fs/ext4/' "$out")" -gt 300 ]; then
  echo "PASS: kite/fs/run-completed ($secs s, $(grep -c '^PASS: fs/tmpfs/' "$out") checks on tmpfs, $(grep -c '^PASS: fs/vfat/' "$out") on vfat, $(grep -c '^PASS: fs/ext4/' "$out") on ext4)"
else
  last=$(grep '^FS-RUN: ' "$out" | tail -1 | sed 's/^FS-RUN: //')
  echo "FAIL: kite/fs/run-completed (QEMU status $st after $secs s; running: ${last:-nothing yet})"
  fail=1
fi
grep -q '^FS-KITE umount ok' "$out" && echo "PASS: kite/fs/vfat/umount" || { echo "FAIL: kite/fs/vfat/umount"; fail=1; }
grep -q '^FS-KITE ext4 umount ok' "$out" && echo "PASS: kite/fs/ext4/umount" || { echo "FAIL: kite/fs/ext4/umount"; fail=1; }
if /sbin/e2fsck -fn "$e" > "$b/e2fsck.txt" 2>&1; then
  echo "PASS: kite/fs/ext4/e2fsck-clean-afterwards"
else
  echo "FAIL: kite/fs/ext4/e2fsck-clean-afterwards ($(grep -v -e '^e2fsck' -e '^Pass' "$b/e2fsck.txt" | head -5 | tr '\n' '|'))"
  fail=1
fi
if fsck.fat -n "$t" > "$b/fsck.txt" 2>&1; then
  echo "PASS: kite/fs/vfat/fsck-clean-afterwards"
else
  echo "FAIL: kite/fs/vfat/fsck-clean-afterwards ($(grep -v '^fsck.fat' "$b/fsck.txt" | head -5 | tr '\n' '|'))"
  fail=1
fi
if [ $fail != 0 ]; then
  echo "--- other console lines (last 30) ---"
  grep -v -E '^(PASS|SKIP|FS-RUN):' "$out" | tail -30 | sed 's/^/    /'
fi
exit $fail
