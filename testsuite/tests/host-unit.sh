#!/bin/sh
# host-unit.sh — build and run the host unit tests (testsuite/host/): kernel
# logic that needs no hardware, compiled for the host.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
b=$build/host
mkdir -p "$b"
cc="gcc -O1 -g -Wall -I$top -I$top/testsuite/host -fsanitize=address,undefined"
fail=0
build() { # name sources...
  name=$1; shift
  $cc -o "$b/$name" "$@" 2>"$b/$name.log" || { echo "FAIL: host/$name: does not compile"; cat "$b/$name.log"; fail=1; return 1; }
}
build test_buddy "$top/testsuite/host/test_buddy.c" "$top/kern/buddy.c" && "$b/test_buddy" || fail=1
build test_pathname "$top/testsuite/host/test_pathname.c" "$top/fs/pathname.c" && "$b/test_pathname" || fail=1
# cpio: an archive made by GNU cpio itself
d=$(mktemp -d); mkdir "$d/dir"; printf 'hello\n' > "$d/dir/file"; ln -s dir/file "$d/link"; ln "$d/dir/file" "$d/dir/hard"
(cd "$d" && find . | LC_ALL=C sort | cpio -o -H newc --quiet > "$b/test.cpio"); rm -rf "$d"
build test_cpio "$top/testsuite/host/test_cpio.c" "$top/kern/cpio.c" && "$b/test_cpio" "$b/test.cpio" || fail=1
build test_elf "$top/testsuite/host/test_elf.c" "$top/kern/elf.c" &&
  "$b/test_elf" "$build/smoke/hello" "$build/smoke/hello_dynamic" || fail=1
# partition tables: built in memory, plus file systems that have none
rm -f "$b/vfat.img" "$b/ext4.img"
truncate -s 64M "$b/vfat.img" && mkfs.vfat -F 32 "$b/vfat.img" >/dev/null 2>&1
truncate -s 64M "$b/ext4.img" && mkfs.ext4 -q -F "$b/ext4.img" >/dev/null 2>&1
build test_parttab "$top/testsuite/host/test_parttab.c" "$top/drivers/parttab.c" &&
  "$b/test_parttab" "$b/vfat.img" "$b/ext4.img" || fail=1
rm -f "$b/vfat.img" "$b/ext4.img"
exit $fail
