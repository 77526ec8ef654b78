#!/bin/sh
# mk-oscomp-image.sh OUT.img — an OSComp-shaped FAT32 test disk made from
# Kite's own test programs (see docs/judge.md and docs/runner.md).
#
# The image holds /musl and /glibc, each with:
#   busybox                 the static musl busybox Kite's initramfs uses
#   lib/                    the loader dynamic programs ask for: musl's
#                           libc.so (/lib/ld-musl-riscv64.so.1), or glibc's
#                           ld-linux-riscv64-lp64d.so.1, libc.so.6, libm.so.6
#   test programs           testsuite/smoke's hello (static and dynamic),
#                           pipe_writer | pipe_reader, efault (musl), and the
#                           file-system checks of testsuite/fs (static for
#                           musl, dynamic for glibc)
#   basic_testcode.sh       "#### OS COMP TEST GROUP START basic-<libc> ####",
#                           then one "========== START test_x ==========" ...
#                           "========== END test_x ==========" block per
#                           program, each ending with "test_x: exit N"
#   busybox_testcode.sh     runs each line of busybox_cmd.txt as
#                           `./busybox <line>` and prints
#                           "testcase busybox <line> success|fail"
# Both scripts start with `#!./busybox sh`, as the judge's do. Progress on
# stderr; the programs are built in $KITE_BUILD/oscomp-image.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
stage=$1
w=$build/oscomp-image
rm -rf "$w"
mkdir -p "$w/bin" "$w/disk/musl/lib" "$w/disk/glibc/lib"

musl=
[ -f "$build/third-party.mk" ] && musl=$(sed -n 's/^MUSL_DIR := //p' "$build/third-party.mk")
[ -n "$musl" ] && [ -x "$musl/bin/musl-gcc" ] || musl=$("$top/scripts/build-musl.sh")
busybox=
[ -f "$build/third-party.mk" ] && busybox=$(sed -n 's/^BUSYBOX_BIN := //p' "$build/third-party.mk")
[ -n "$busybox" ] && [ -x "$busybox" ] || busybox=$("$top/scripts/build-busybox.sh")
MUSLCC="$musl/bin/musl-gcc"
GLIBCC=riscv64-linux-gnu-gcc
GLIBC_LIB=/usr/riscv64-linux-gnu/lib
CFLAGS="-O2 -Wall -Wno-unused-result -Wno-format-truncation -I$top/testsuite/abi -I$top/testsuite/fs"
smoke=$top/testsuite/smoke
fs=$top/testsuite/fs

# ---- programs ----
echo "mk-oscomp-image: building the programs" >&2
m=$w/disk/musl
g=$w/disk/glibc
$MUSLCC -static $CFLAGS -o "$m/hello" "$smoke/hello.c"
$MUSLCC $CFLAGS -o "$m/hello_dynamic" "$smoke/hello.c"
$GLIBCC -static $CFLAGS -o "$g/hello" "$smoke/hello.c"
$GLIBCC $CFLAGS -o "$g/hello_dynamic" "$smoke/hello.c"
for p in pipe_writer pipe_reader; do
  $MUSLCC -static $CFLAGS -o "$m/$p" "$smoke/$p.c"
  $GLIBCC $CFLAGS -o "$g/$p" "$smoke/$p.c"
done
# efault (bad pointers on purpose: no warnings for that) is static musl
# only: it unmaps the page after a fresh mmap, which in a dynamic program
# is the C library's first page.
$MUSLCC -static $CFLAGS -Wno-stringop-overread -Wno-stringop-overflow -o "$m/efault" "$smoke/efault.c"
for p in fs_open fs_io fs_dir fs_attr; do
  $MUSLCC -static $CFLAGS -o "$m/$p" "$fs/$p.c"
  $GLIBCC $CFLAGS -o "$g/$p" "$fs/$p.c"
done

# ---- loaders, busybox ----
cp "$musl/lib/libc.so" "$m/lib/libc.so"
for f in ld-linux-riscv64-lp64d.so.1 libc.so.6 libm.so.6; do cp -L "$GLIBC_LIB/$f" "$g/lib/$f"; done
cp "$busybox" "$m/busybox"
cp "$busybox" "$g/busybox"

# ---- the scripts ----
# basic_script LIBC — basic_testcode.sh for one C library.
basic_script() {
  cat <<EOF
#!./busybox sh
# basic-$1: Kite's own test programs, one START/END block each.
echo "#### OS COMP TEST GROUP START basic-$1 ####"
run() { # name command...
  name=\$1
  shift
  echo "========== START test_\$name =========="
  "\$@"
  echo "test_\$name: exit \$?"
  echo "========== END test_\$name =========="
}
run hello ./hello
run hello_dynamic ./hello_dynamic
[ -x ./efault ] && run efault ./efault
run pipe ./busybox sh -c './pipe_writer | ./pipe_reader'
mkdir -p ./fs-work
for p in fs_open fs_io fs_dir fs_attr; do
  FS_ROOT=\$(cd .. && pwd) run \$p ./\$p ./fs-work
done
echo "#### OS COMP TEST GROUP END basic-$1 ####"
EOF
}
busybox_script() {
  cat <<EOF
#!./busybox sh
# busybox-$1: each line of busybox_cmd.txt as a busybox command.
echo "#### OS COMP TEST GROUP START busybox-$1 ####"
while read -r line; do
  eval "./busybox \$line" > ./busybox.out 2>&1
  st=\$?
  if [ \$st -ne 0 ] && [ "\$line" != false ]; then
    echo "testcase busybox \$line fail"
  else
    echo "testcase busybox \$line success"
  fi
done < ./busybox_cmd.txt
rm -f ./busybox.out
echo "#### OS COMP TEST GROUP END busybox-$1 ####"
EOF
}
cat > "$w/busybox_cmd.txt" <<'EOF'
echo hello
true
false
sh -c 'exit 0'
basename /one/two
dirname /one/two
expr 6 \* 7
uname -m
date
pwd
ls
df
free
uptime
ps
which ls
sleep 1
printf '%s\n' abc
touch kite-bb.txt
sh -c 'echo hello kite > kite-bb.txt'
cat kite-bb.txt
grep -q kite kite-bb.txt
wc -c kite-bb.txt
head -n 1 kite-bb.txt
tail -n 1 kite-bb.txt
md5sum kite-bb.txt
od -c kite-bb.txt
hexdump -C kite-bb.txt
cut -c 1-5 kite-bb.txt
sh -c 'printf "b\na\nb\n" | ./busybox sort | ./busybox uniq'
stat kite-bb.txt
cp kite-bb.txt kite-bb.bak
cmp kite-bb.txt kite-bb.bak
mv kite-bb.bak kite-bb.old
rm kite-bb.old kite-bb.txt
mkdir kite-bb-dir
rmdir kite-bb-dir
find . -name busybox_cmd.txt
du -s .
EOF
for libc in musl glibc; do
  basic_script $libc > "$w/disk/$libc/basic_testcode.sh"
  busybox_script $libc > "$w/disk/$libc/busybox_testcode.sh"
  cp "$w/busybox_cmd.txt" "$w/disk/$libc/"
  chmod 755 "$w/disk/$libc"/*.sh
done

# ---- into the staging directory ----
mkdir -p "$stage"
cp -a "$w/disk/musl" "$w/disk/glibc" "$stage/"
