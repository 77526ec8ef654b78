#!/bin/sh
# ext4-host.sh — the ext4 core (fs/ext4/) on the host: built with
# testsuite/host/ext4_env_host.c (an image file as the disk) and run by
# testsuite/host/test_ext4.c and test_ext4_more.c on images made by mke2fs;
# after every scenario that writes, e2fsck -fn must be clean and debugfs
# must dump exactly what the test's model says. Under AddressSanitizer.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
b=$build/ext4-host
rm -rf "$b"
mkdir -p "$b/work"
PATH=$PATH:/usr/sbin:/sbin
for tool in mkfs.ext4 mke2fs e2fsck debugfs dumpe2fs mkfs.vfat; do
  command -v "$tool" >/dev/null 2>&1 || { echo "FAIL: ext4-host: $tool is missing (e2fsprogs, dosfstools)"; exit 1; }
done
core=$(ls "$top"/fs/ext4/ext4_*.c | grep -v -e _env_kernel.c -e _vfs)
cc="gcc -O1 -g -Wall -Wextra -Wno-unused-parameter -DKITE_HOST -I$top -I$top/testsuite/host -fsanitize=address,undefined"
# shellcheck disable=SC2086
if ! $cc -o "$b/test_ext4" "$top/testsuite/host/test_ext4.c" "$top/testsuite/host/test_ext4_more.c" \
    "$top/testsuite/host/ext4_test_util.c" "$top/testsuite/host/ext4_env_host.c" $core 2>"$b/cc.log"; then
  echo "FAIL: ext4-host: does not compile"
  cat "$b/cc.log"
  exit 1
fi
[ -s "$b/cc.log" ] && { echo "FAIL: ext4-host: compiler warnings"; cat "$b/cc.log"; exit 1; }
"$b/test_ext4" "$b/work" "$@"
st=$?
rm -rf "$b/work"
exit $st
