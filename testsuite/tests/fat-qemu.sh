#!/bin/sh
# kite-test: smp
# fat-qemu.sh — FAT32 in the running kernel: boot Kite with two FAT32 disks
# made by mkfs.vfat and mtools. The first holds an OSComp-style
# musl/fat_testcode.sh, which /init hands to the runner; it mounts the second
# disk, runs programs from it, writes, renames, removes, truncates, fills it
# to ENOSPC, unmounts and mounts it again. Then the host checks the second
# image with fsck.fat -n and mtools.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
kernel=${KERNEL:-$top/kernel-rv}
b=$build/fat-qemu
rm -rf "$b"
mkdir -p "$b/run/musl" "$b/run/glibc" "$b/files"
export MTOOLS_SKIP_CHECK=1
if ! ${CROSS:-riscv64-linux-gnu-}nm "$kernel" 2>/dev/null | grep -q ' T fat_init$'; then
  echo "FAIL: fat-qemu: $kernel has no FAT32 (was it built with WITH_FAT=0?)"
  exit 1
fi
fail=0
pass() { echo "PASS: fat-qemu: $1"; }
failed() { echo "FAIL: fat-qemu: $1"; fail=1; }

# The disk under test: 40 MiB, 512-byte clusters (mtools wants >= 65525
# clusters), with files mtools wrote: lower-case 8.3 names carry case flags.
t=$b/t.img
truncate -s 40M "$t" && mkfs.vfat -F 32 -s 1 -n KITETEST "$t" >/dev/null
busybox=$(sed -n 's/^BUSYBOX_BIN *:= *//p' "$build/third-party.mk")
cp "$busybox" "$b/files/busybox"
printf 'hello from the host\n' > "$b/files/hello.txt"
printf 'echo script on fat: $#\n' > "$b/files/test.sh"
head -c 300000 /dev/urandom > "$b/files/A Long Name.bin"
(cd "$b/files" && mcopy -i "$t" busybox hello.txt test.sh "A Long Name.bin" ::/ && mmd -i "$t" ::/sub)

cat > "$b/run/musl/fat_testcode.sh" <<'EOF'
#!/bin/sh
say() { echo "FATQ $*"; }
ms() { read up _ < /proc/uptime; s=${up%.*}; f=${up#*.}; echo $((s * 1000 + 1$f * 10 - 1000)); }  # uptime in ms
for m in /mnt/vdb /mnt/t; do umount $m 2>/dev/null; done
mkdir -p /mnt/t
mount -t vfat /dev/vdb /mnt/t && say mount ok
mount -t vfat /dev/vdb /mnt/t2 2>/dev/null || say second mount refused
cd /mnt/t || exit 1
say ls $(ls | tr '\n' '/')
say mode $(stat -c %a busybox) $(stat -c %a sub)
say run $(./busybox echo from-fat)
say script $(sh ./test.sh a b)
say md5 long $(md5sum "A Long Name.bin" | cut -d' ' -f1)
say case $(cat HELLO.TXT)
echo "written by kite" > new.txt
mkdir -p "dir one/dir two" && say mkdir ok
dd if=/dev/urandom of=rand.bin bs=4k count=2000 2>/dev/null
say md5 rand $(md5sum rand.bin | cut -d' ' -f1)
cp busybox "dir one/dir two/busybox copy"
mv new.txt "dir one/moved.txt" && say mv ok
mv "dir one/dir two" "two moved" && say mvdir ok
ln busybox hard 2>&1 | grep -q "not permitted" && say link EPERM
ln -s busybox soft 2>&1 | grep -q "not permitted" && say symlink EPERM
touch 'a*b' 2>&1 | grep -q "Invalid argument" && say badname EINVAL
chown 1000 hello.txt 2>&1 | grep -q "not permitted" && say chown EPERM
chmod 644 hello.txt; say chmod644 $(stat -c %a hello.txt)
chmod 555 hello.txt; say chmod555 $(stat -c %a hello.txt)
chmod 755 hello.txt
touch -d '2001-02-03 04:05:06' hello.txt && say touch ok
truncate -s 10000 sparse.bin && echo tail >> sparse.bin && say sparse $(stat -c %s sparse.bin)
dd if=/dev/zero of=hole.bin bs=1 count=1 seek=1000000 2>/dev/null && say hole $(stat -c %s hole.bin)
rm "dir one/dir two/busybox copy" 2>/dev/null; rm "two moved/busybox copy" && say rm ok
# two files growing by turns (the write-behind window switches files), checked after a sync
i=0; while [ $i -lt 40 ]; do
  head -c 5000 /dev/urandom > /tmp/chunk; cat /tmp/chunk >> /tmp/a; cat /tmp/chunk >> turn-a
  head -c 7001 /dev/urandom > /tmp/chunk; cat /tmp/chunk >> /tmp/b; cat /tmp/chunk >> turn-b
  i=$((i + 1))
done
sync
cmp -s /tmp/a turn-a && cmp -s /tmp/b turn-b && say turns ok $(md5sum < /tmp/a | cut -c1-32) $(md5sum < /tmp/b | cut -c1-32)
mkdir many
t0=$(ms)
i=0; while [ $i -lt 1000 ]; do : > many/f$i; i=$((i+1)); done
t1=$(ms)
say many $(ls many | wc -l) files in $((t1 - t0)) ms
mkdir /tmp/many; t0=$(ms)
i=0; while [ $i -lt 1000 ]; do : > /tmp/many/f$i; i=$((i+1)); done
t1=$(ms); say many-tmpfs 1000 files in $((t1 - t0)) ms
rm many/f1*; say many-after-rm $(ls many | wc -l)
df -k /mnt/t | tail -1 | { read fs blocks used avail rest; say df-before $avail; }
dd if=/dev/zero of=fill bs=64k 2>/tmp/dd.err; grep -q "No space left" /tmp/dd.err && say fill ENOSPC
df -k /mnt/t | tail -1 | { read fs blocks used avail rest; say df-full $avail; }
rm fill
df -k /mnt/t | tail -1 | { read fs blocks used avail rest; say df-after $avail; }
cd /
umount /mnt/t && say umount ok
mount -t vfat /dev/vdb /mnt/t && say remount ok
say md5 rand2 $(md5sum /mnt/t/rand.bin | cut -d' ' -f1)
say moved $(cat "/mnt/t/dir one/moved.txt")
say ls2 $(ls /mnt/t | tr '\n' '/')
umount /mnt/t && say umount2 ok
say done
EOF
echo 'true' > "$b/run/glibc/fat_testcode.sh"
r=$b/run.img
truncate -s 40M "$r" && mkfs.vfat -F 32 -s 1 "$r" >/dev/null && mcopy -s -i "$r" "$b/run/musl" "$b/run/glibc" ::/

"$top/scripts/qemu-boot.sh" 240 "$b/out.txt" KERNEL="$kernel" DISK="$r" DISK2="$t"
st=$?
out=$b/out.clean
tr -d '\r' < "$b/out.txt" > "$out"
has() { grep -q "^FATQ $1" "$out"; }
check() { if has "$1"; then pass "$2"; else failed "$2"; fi; }
[ $st = 0 ] && pass "boots, runs the disk's script, powers off" || failed "QEMU exit status $st"
check "mount ok" "mount -t vfat /dev/vdb"
check "second mount refused" "a second mount of the same disk is refused"
check "ls A Long Name.bin/busybox/hello.txt/sub/test.sh/" "readdir shows long and lower-case names"
check "mode 755 755" "files and directories are 0755"
check "run from-fat" "a program on FAT runs (mtools' lower-case 8.3 name)"
check "script script on fat: 2" "a script on FAT runs"
check "md5 long $(md5sum < "$b/files/A Long Name.bin" | cut -d' ' -f1)" "a file mtools wrote reads back"
check "case hello from the host" "lookups ignore case"
check "mkdir ok" "mkdir -p"
check "mv ok" "rename across directories"
check "mvdir ok" "rename a directory to another parent"
check "link EPERM" "link is EPERM"
check "symlink EPERM" "symlink is EPERM"
check "badname EINVAL" "a name with * is EINVAL"
check "chown EPERM" "chown to another user is EPERM"
check "chmod644 755" "chmod 644 is ignored (as Linux vfat)"
check "chmod555 555" "chmod 555 makes a file read-only"
check "sparse 10005" "truncate up, then append"
check "hole 1000001" "a write past the end"
check "rm ok" "rm"
check "turns ok" "two files written by turns read back"
check "many 1000 files" "1000 files in one directory"
check "many-after-rm 889" "rm of 111 of them"
check "fill ENOSPC" "filling the disk ends in ENOSPC"
check "df-full 0" "a full disk shows 0 available"
before=$(sed -n 's/^FATQ df-before //p' "$out"); after=$(sed -n 's/^FATQ df-after //p' "$out")
[ -n "$before" ] && [ "$before" = "$after" ] && pass "freeing gives the space back ($after KiB)" || failed "df before $before, after $after"
check "umount ok" "umount"
check "remount ok" "mount again"
rand=$(sed -n 's/^FATQ md5 rand //p' "$out"); rand2=$(sed -n 's/^FATQ md5 rand2 //p' "$out")
[ -n "$rand" ] && [ "$rand" = "$rand2" ] && pass "8 MiB of random data survive a remount" || failed "rand.bin $rand then $rand2"
check "moved written by kite" "a moved file keeps its contents"
check "umount2 ok" "umount again"
check "done" "the script ran to the end"
grep "^FATQ many" "$out" | sed 's/^FATQ /  (/; s/$/)/'

# The host's view of the disk under test.
if fsck.fat -n "$t" > "$b/fsck.txt" 2>&1; then pass "fsck.fat -n finds no errors"; else failed "fsck.fat: $(cat "$b/fsck.txt")"; fi
[ "$(mtype -i "$t" ::/rand.bin | md5sum | cut -d' ' -f1)" = "$rand" ] && pass "mtools reads the data Kite wrote" || failed "rand.bin differs under mtools"
[ "$(mtype -i "$t" "::/dir one/moved.txt")" = "written by kite" ] && pass "mtools finds the moved file" || failed "moved.txt under mtools"
turns=$(sed -n 's/^FATQ turns ok //p' "$out")
[ -n "$turns" ] && [ "$(mtype -i "$t" ::/turn-a | md5sum | cut -c1-32) $(mtype -i "$t" ::/turn-b | md5sum | cut -c1-32)" = "$turns" ] &&
  pass "mtools reads the two files written by turns" || failed "turn-a/turn-b differ under mtools"
mdir -i "$t" ::/hello.txt 2>/dev/null | grep -q "2001-02-03" && pass "the time set by touch -d is on disk" || failed "hello.txt mtime: $(mdir -i "$t" ::/hello.txt 2>&1 | grep -i hello)"
[ "$(mdir -/ -b -i "$t" ::/many | grep -c .)" = 889 ] && pass "mtools lists the 889 files" || failed "mtools lists $(mdir -/ -b -i "$t" ::/many | grep -c .) files in many/"
[ "$(mtype -i "$t" ::/hole.bin | wc -c)" = 1000001 ] && [ "$(mtype -i "$t" ::/hole.bin | tr -d '\0' | wc -c)" = 0 ] &&
  pass "the hole reads as zeros" || failed "hole.bin is not 1000001 zeros"
[ $fail = 0 ] || { echo "--- console (last 40 lines):"; tail -40 "$out"; }
exit $fail
