#!/bin/sh
# kite-test: smp
# ext4-qemu.sh — ext4 in the running kernel: boot Kite with a FAT32 runner
# disk (musl/ext4_testcode.sh, which /init hands to the OSComp runner) and
# an ext4 disk made by Debian's mkfs.ext4 -d with default features (1 KiB
# blocks at 128 MiB, as for the judge's small disks), its big directory
# indexed by e2fsck -D. The script mounts it (typed and untyped), reads
# everything back by md5, runs a program from it, then writes: files,
# directories, renames, links, symlinks, attributes with nanosecond times,
# sparse files, a file unlinked while open, 1000 files, a full disk; it
# unmounts and mounts again (typed, untyped, read-only). Afterwards the host checks the image with
# e2fsck -fn and reads it back with debugfs.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
kernel=${KERNEL:-$top/kernel-rv}
b=$build/ext4-qemu
rm -rf "$b"
mkdir -p "$b/run/musl" "$b/run/glibc" "$b/src/dir/sub" "$b/src/many"
export MTOOLS_SKIP_CHECK=1
PATH=$PATH:/usr/sbin:/sbin
if ! ${CROSS:-riscv64-linux-gnu-}nm "$kernel" 2>/dev/null | grep -q ' T ext4_init$'; then
  echo "FAIL: ext4-qemu: $kernel has no ext4 (was it built with WITH_EXT4=0?)"
  exit 1
fi
fail=0
pass() { echo "PASS: ext4-qemu: $1"; }
failed() { echo "FAIL: ext4-qemu: $1"; fail=1; }

# ---- the disk under test ----
s=$b/src
busybox=$(sed -n 's/^BUSYBOX_BIN *:= *//p' "$build/third-party.mk")
cp "$busybox" "$s/busybox"
printf 'hello from the host\n' > "$s/hello.txt"
head -c 300000 /dev/urandom > "$s/dir/rand.bin"
head -c 5000 /dev/urandom > "$s/dir/sub/small.bin"
: > "$s/empty"
ln -s hello.txt "$s/fast"
ln -s "dir/sub/../sub/../../hello.txt-$(printf 'x%.0s' $(seq 1 80))" "$s/slow"
ln "$s/dir/rand.bin" "$s/hard"
i=0; while [ $i -lt 3000 ]; do echo $i > "$s/many/entry-with-a-long-name-$i"; i=$((i + 1)); done
truncate -s 20M "$s/sparse" && echo end >> "$s/sparse"
printf 'echo script on ext4: $#\n' > "$s/test.sh"
(cd "$s" && find . -type f ! -path './many/*' | sort | xargs md5sum) > "$b/md5.host"
t=$b/t.img
truncate -s 128M "$t" && mkfs.ext4 -q -F -d "$s" "$t" && e2fsck -fyD "$t" > /dev/null 2>&1
cp "$b/md5.host" "$b/run/musl/md5.host"

cat > "$b/run/musl/ext4_testcode.sh" <<'EOF'
#!/bin/sh
say() { echo "E4Q $*"; }
here=$(pwd)
umount /mnt/vdb 2>/dev/null  # /init mounted every disk; this test mounts its own
mkdir -p /mnt/e
grep -q '^.ext4$' /proc/filesystems && say filesystems lists ext4
mount -t ext4 /dev/vdb /mnt/e && say mount ok
grep ' /mnt/e ext4 ' /proc/mounts > /dev/null && say proc mounts
mkdir -p /mnt/x && mount -t ext4 /dev/vdb /mnt/x && [ "$(cat /mnt/x/hello.txt)" = "hello from the host" ] &&
  umount /mnt/x && say second mount shares the files
cd /mnt/e || exit 1
md5sum -c "$here/md5.host" > /tmp/md5.out 2>&1 && say md5 all $(grep -c OK /tmp/md5.out)
say many $(ls many | wc -l) $(cat many/entry-with-a-long-name-2999)
say fast $(readlink fast) slow $(readlink slow | wc -c)
say hard $(stat -c %h hard) $(stat -c %i hard) $(stat -c %i dir/rand.bin)
say run $(./busybox echo from-ext4)
say script $(sh ./test.sh a b)
say sparse $(stat -c %s sparse) $(tail -c 4 sparse)
# writing
echo "written by kite" > new.txt && say write ok
mkdir -p "d1/d2/d3" && say mkdir ok
dd if=/dev/urandom of=d1/rand8m bs=64k count=128 2>/dev/null
say md5 rand8m $(md5sum d1/rand8m | cut -d' ' -f1)
cp busybox d1/d2/bb && say cp ok
mv new.txt d1/d2/moved.txt && say mv ok
mv d1/d2 d2moved && say mvdir ok
ln d1/rand8m d1/hardlink && say link ok $(stat -c %h d1/rand8m)
ln -s d2moved/moved.txt sym && say symlink $(cat sym)
chmod 640 hello.txt && say chmod $(stat -c %a hello.txt)
chown 1000:100 hello.txt && say chown $(stat -c %u:%g hello.txt)
touch -d '2001-02-03 04:05:06' hello.txt && say touch $(stat -c %y hello.txt | cut -c1-19)
truncate -s 100000 small && echo tail >> small && say truncate $(stat -c %s small)
dd if=/dev/zero of=hole bs=1 count=1 seek=5000000 2>/dev/null && say hole $(stat -c %s hole)
mkfifo fifo && say fifo $(stat -c %F fifo | tr ' ' _)
setfattr -n user.kite -v attribute-value hello.txt && say setfattr ok
echo end | dd of=past4g bs=1 seek=5368709120 2>/dev/null && say past4g $(stat -c %s past4g) $(tail -c 4 past4g)
rm -r d1/d3 2>/dev/null; rmdir d1/d3 2>/dev/null; rmdir d1 2>&1 | grep -q "not empty" && say rmdir ENOTEMPTY
echo "still here" > open.txt; exec 3< open.txt; rm open.txt; say open-unlinked $(cat <&3); exec 3<&-
mkdir many2; i=0; while [ $i -lt 1000 ]; do : > many2/f$i; i=$((i+1)); done
say many2 $(ls many2 | wc -l)
rm many2/f1*; say many2-after-rm $(ls many2 | wc -l)
rm -r many && say rm-r ok
sync; df -k /mnt/e | tail -1 | { read fs blocks used avail rest; say df-before $avail; }
dd if=/dev/zero of=fill bs=64k 2>/tmp/dd.err; grep -q "No space left" /tmp/dd.err && say fill ENOSPC
rm fill
sync; df -k /mnt/e | tail -1 | { read fs blocks used avail rest; say df-after $avail; }
sync
cd /
umount /mnt/e && say umount ok
mount /dev/vdb /mnt/e && say untyped mount ok
grep ' /mnt/e ext4 ' /proc/mounts > /dev/null && say untyped is ext4
say md5 rand8m-again $(md5sum /mnt/e/d1/rand8m | cut -d' ' -f1)
say moved $(cat /mnt/e/d2moved/moved.txt)
say time-again $(stat -c %y /mnt/e/hello.txt | cut -c1-19)
umount /mnt/e && say umount2 ok
mount -o ro -t ext4 /dev/vdb /mnt/e && touch /mnt/e/x 2>&1 | grep -q "Read-only" && say read-only mount EROFS
umount /mnt/e
say done
EOF
echo 'true' > "$b/run/glibc/ext4_testcode.sh"
r=$b/run.img
truncate -s 40M "$r" && mkfs.vfat -F 32 -s 1 "$r" >/dev/null && mcopy -s -i "$r" "$b/run/musl" "$b/run/glibc" ::/

"$top/scripts/qemu-boot.sh" 300 "$b/out.txt" KERNEL="$kernel" DISK="$r" DISK2="$t"
st=$?
out=$b/out.clean
tr -d '\r' < "$b/out.txt" > "$out"
has() { grep -q "^E4Q $1" "$out"; }
check() { if has "$1"; then pass "$2"; else failed "$2"; fi; }
nfiles=$(wc -l < "$b/md5.host")
[ $st = 0 ] && pass "boots, runs the disk's script, powers off" || failed "QEMU exit status $st"
check "filesystems lists ext4" "/proc/filesystems lists ext4"
check "mount ok" "mount -t ext4 /dev/vdb"
check "proc mounts" "/proc/mounts shows it as ext4"
check "second mount shares the files" "a second mount of the same disk shows the same files"
check "md5 all $nfiles" "all $nfiles files mkfs.ext4 -d wrote read back (md5)"
check "many 3000 2999" "a 3000-entry indexed directory lists and looks up"
check "fast hello.txt slow 112" "fast and slow symlinks"
hi=$(sed -n 's/^E4Q hard //p' "$out")
set -- $hi
[ "${1:-}" = 2 ] && [ "${2:-x}" = "${3:-y}" ] && pass "a hard link: 2 links, one inode" || failed "hard link: $hi"
check "run from-ext4" "a program on ext4 runs"
check "script script on ext4: 2" "a script on ext4 runs"
check "sparse 20971524 end" "a sparse file"
check "write ok" "write a new file"
check "mkdir ok" "mkdir -p"
check "cp ok" "cp"
check "mv ok" "rename across directories"
check "mvdir ok" "rename a directory"
check "link ok 2" "hard link"
check "symlink written by kite" "symlink to the moved file"
check "chmod 640" "chmod"
check "chown 1000:100" "chown"
check "touch 2001-02-03 04:05:06" "utimensat"
check "truncate 100005" "truncate up, then append"
check "hole 5000001" "a write past the end"
check "fifo fifo" "mkfifo"
check "setfattr ok" "setfattr (an extended attribute)"
check "past4g 5368709124 end" "a file past 4 GiB"
check "rmdir ENOTEMPTY" "rmdir of a non-empty directory"
check "open-unlinked still here" "a file unlinked while open still reads"
check "many2 1000" "1000 files in one directory"
check "many2-after-rm 889" "rm of 111 of them"
check "rm-r ok" "rm -r of the 3000-entry directory"
check "fill ENOSPC" "filling the disk ends in ENOSPC"
before=$(sed -n 's/^E4Q df-before //p' "$out"); after=$(sed -n 's/^E4Q df-after //p' "$out")
[ -n "$before" ] && [ "$before" = "$after" ] && pass "freeing gives the space back ($after KiB)" || failed "df before $before, after $after"
check "umount ok" "umount"
check "untyped mount ok" "mount without a type"
check "untyped is ext4" "finds ext4 by probing"
rand=$(sed -n 's/^E4Q md5 rand8m //p' "$out"); rand2=$(sed -n 's/^E4Q md5 rand8m-again //p' "$out")
[ -n "$rand" ] && [ "$rand" = "$rand2" ] && pass "8 MiB of random data survive a remount" || failed "rand8m $rand then $rand2"
check "moved written by kite" "a moved file keeps its contents"
check "time-again 2001-02-03 04:05:06" "times survive a remount"
check "umount2 ok" "umount again"
check "read-only mount EROFS" "a read-only mount refuses writes"
check "done" "the script ran to the end"

# The host's view of the disk.
if e2fsck -fn "$t" > "$b/fsck.txt" 2>&1; then pass "e2fsck -fn finds no errors"; else failed "e2fsck: $(grep -v -e '^Pass' -e '^e2fsck' "$b/fsck.txt" | head -5 | tr '\n' '|')"; fi
[ "$(debugfs -R 'cat /d1/rand8m' "$t" 2>/dev/null | md5sum | cut -d' ' -f1)" = "$rand" ] &&
  pass "debugfs reads the 8 MiB Kite wrote" || failed "rand8m differs under debugfs"
[ "$(debugfs -R 'cat /d2moved/moved.txt' "$t" 2>/dev/null)" = "written by kite" ] && pass "debugfs finds the moved file" ||
  failed "moved.txt under debugfs"
[ "$(debugfs -R 'cat /d2moved/bb' "$t" 2>/dev/null | md5sum | cut -c1-32)" = "$(md5sum < "$busybox" | cut -c1-32)" ] &&
  pass "debugfs reads the copied busybox" || failed "the copied busybox differs"
st=$(debugfs -R 'stat /hello.txt' "$t" 2>/dev/null)
echo "$st" | grep -q "Mode:  0640" && echo "$st" | grep -q "User:  1000" && echo "$st" | grep -q "Group:   100" &&
  pass "debugfs shows the mode and owner" || failed "hello.txt: $(echo "$st" | head -3 | tr '\n' '|')"
n2=$(debugfs -R 'ls -l /many2' "$t" 2>/dev/null | awk '$1 != 0 && $NF ~ /^f[0-9]/' | wc -l)
[ "$n2" = 889 ] && pass "debugfs lists the 889 files" || failed "debugfs lists $n2 files in many2"
debugfs -R 'ea_list /hello.txt' "$t" 2>/dev/null | grep -q 'user.kite (15) = "attribute-value"' &&
  pass "debugfs reads the attribute" || failed "ea_list: $(debugfs -R 'ea_list /hello.txt' "$t" 2>/dev/null | tr '\n' '|')"
debugfs -R 'stat /past4g' "$t" 2>/dev/null | grep -q 'Size: 5368709124' && pass "debugfs sees the 64-bit size" ||
  failed "past4g: $(debugfs -R 'stat /past4g' "$t" 2>/dev/null | grep Size)"
[ "$(debugfs -R 'cat /hole' "$t" 2>/dev/null | tr -d '\0' | wc -c)" = 0 ] && pass "the hole reads as zeros" ||
  failed "hole is not zeros"
dumpe2fs -h "$t" 2>/dev/null | grep -q "needs_recovery" && failed "needs_recovery is still set" ||
  pass "the journal was left clean"
[ $fail = 0 ] || { echo "--- console (last 40 lines):"; tail -40 "$out"; }
exit $fail
