#!/bin/sh
# fat-host.sh — the FAT32 core (fs/fat/ but fat_vfs.c) on the host: built
# with testsuite/host/fat_env_host.c (an image file as the disk) and run by
# testsuite/host/test_fat32.c on images made by mkfs.vfat; every scenario is
# checked with fsck.fat -n and mtools (mdir, mcopy). Includes a 1 GiB file.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
b=$build/fat-host
rm -rf "$b"
mkdir -p "$b/work"
for tool in mkfs.vfat fsck.fat mdir mcopy; do
  command -v "$tool" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin
  command -v "$tool" >/dev/null 2>&1 || { echo "FAIL: fat-host: $tool is missing (dosfstools, mtools)"; exit 1; }
done
cc="gcc -O1 -g -Wall -Wextra -Wno-unused-parameter -DKITE_HOST -I$top -I$top/testsuite/host -fsanitize=address,undefined"
if ! $cc -o "$b/test_fat32" "$top/testsuite/host/test_fat32.c" "$top/testsuite/host/fat_env_host.c" \
    "$top/fs/fat/fat32.c" "$top/fs/fat/fat_table.c" "$top/fs/fat/fat_file.c" "$top/fs/fat/fat_time.c" \
    "$top/fs/fat/fat_name.c" "$top/fs/fat/fat_slots.c" \
    "$top/fs/fat/fat_dindex.c" "$top/fs/fat/fat_dir.c" "$top/fs/fat/fat_rename.c" 2>"$b/cc.log"; then
  echo "FAIL: fat-host: does not compile"
  cat "$b/cc.log"
  exit 1
fi
[ -s "$b/cc.log" ] && { echo "FAIL: fat-host: compiler warnings"; cat "$b/cc.log"; exit 1; }
"$b/test_fat32" "$b/work" all
st=$?
rm -rf "$b/work"
exit $st
