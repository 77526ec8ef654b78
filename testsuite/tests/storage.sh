#!/bin/sh
# kite-test: smp
# storage.sh — the storage scenarios of issue 4, in QEMU, checked on the host
# with mtools and fsck.fat. No kernel rebuild: the normal $KERNEL boots with
# a runner disk (musl/<name>_testcode.sh, which Kite's /init hands to the
# OSComp runner, docs/runner.md) and a FAT32 data disk in slot 1.
#
# 1. Round trip: the host puts 64 MiB of random data on the data disk;
#    Kite reads it (md5), copies it to /tmp and back to the disk, writes
#    64 MiB of its own, unmounts and mounts again and reads both back. The
#    host then reads what Kite wrote with mtools: every checksum agrees.
# 2. Name space: testsuite/fs/tree.sh creates 2,000 files in 40 nested
#    directories, renames and deletes a good part of them, moves and
#    removes whole directories. The same script run on the host gives the
#    tree to expect; after Kite's runner has powered off, mcopy gets the
#    tree off the image and diff -r must find no difference, and
#    fsck.fat -n must find nothing to fix.
# 3. Power-off in the middle of writing: testsuite/fs/fsync_writer writes
#    and fsyncs a dozen files (file and directory), says so on the console,
#    then keeps writing, creating and renaming without syncing. The host
#    kills QEMU (SIGKILL: power gone, no chance to flush) a few seconds into
#    that; fsck.fat -n must accept the image, or fsck.fat -a must repair it
#    so that fsck.fat -n then accepts it; every file reported fsynced must
#    be there with exactly its contents (the host regenerates them with
#    `fsync_writer --expect K` under qemu-riscv64). Done twice, cutting the
#    power after 2 s of unsynced writing (before the kernel's 5-second
#    write-back has run) and after 8 s (while it writes the new files back).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
kernel=${KERNEL:-$top/kernel-rv}
b=$build/storage
rm -rf "$b"
mkdir -p "$b"
export MTOOLS_SKIP_CHECK=1
fail=0
pass() { echo "PASS: storage/$1"; }
failed() { echo "FAIL: storage/$1"; fail=1; }
check() { if [ "$1" = 0 ]; then pass "$2"; else failed "$2${3:+ ($3)}"; fi; }

if ! "$top/testsuite/fs/build.sh" "$build/fs-tests" > "$b/build.log" 2>&1; then
  failed "build (testsuite/fs/build.sh failed)"
  tail -30 "$b/build.log"
  exit 1
fi
bin=$build/fs-tests

# fsck_findings FILE — what fsck.fat -n reported, without its boilerplate and
# without the dirty bit (set while mounted, as Linux does: expected here).
fsck_findings() {
  grep -v -e '^fsck.fat' -e 'Leaving filesystem' -e '^ *$' -e 'differences between boot sector and its backup' \
    -e 'mostly harmless' -e '^  65:01/00' -e 'Not automatically fixing' -e 'Dirty bit is set' \
    -e 'Automatically removing dirty bit' -e ' files, [0-9]*/[0-9]* clusters$' "$1" | head -6 | tr '\n' '|'
}

# runner_disk IMG SCRIPT [FILES...] — a FAT32 disk with musl/<SCRIPT> and FILES.
runner_disk() {
  img=$1 script=$2
  shift 2
  rm -rf "$b/stage" && mkdir -p "$b/stage/musl"
  cp "$script" "$b/stage/musl/" && for f in "$@"; do cp "$f" "$b/stage/musl/"; done
  rm -f "$img" && truncate -s 40M "$img" && mkfs.vfat -F 32 -s 1 "$img" > /dev/null &&
    mcopy -s -i "$img" "$b/stage/musl" ::/
}

# ==== 1 and 2: the round trip and the name space, in one boot ====
d=$b/data.img
truncate -s 512M "$d" && mkfs.vfat -F 32 -s 8 -n STORAGE "$d" > /dev/null
head -c 64M /dev/urandom > "$b/big.bin"
mcopy -i "$d" "$b/big.bin" ::/big.bin
host_md5=$(md5sum < "$b/big.bin" | cut -c1-32)
rm -f "$b/big.bin"
cat > "$b/storage_testcode.sh" <<'EOF'
#!/bin/sh
# storage.sh's first boot: a 64 MiB round trip, then tree.sh.
say() { echo "STOR $*"; }
md5() { md5sum < "$1" | cut -c1-32; }
umount /mnt/vdb 2>/dev/null  # /init mounted it; unmounted, a remount reads the disk
mkdir -p /mnt/d
mount -t vfat /dev/vdb /mnt/d && say mount ok
say md5-in $(md5 /mnt/d/big.bin)
cp /mnt/d/big.bin /tmp/big.bin && say md5-tmp $(md5 /tmp/big.bin)
cp /tmp/big.bin /mnt/d/copy.bin && say copy-out ok
dd if=/dev/urandom of=/tmp/kite.bin bs=1M count=64 2> /dev/null
say md5-kite $(md5 /tmp/kite.bin)
cp /tmp/kite.bin /mnt/d/kite.bin && say kite-out ok
rm -f /tmp/big.bin /tmp/kite.bin
umount /mnt/d && mount -t vfat /dev/vdb /mnt/d && say remount ok
say md5-copy $(md5 /mnt/d/copy.bin)
say md5-kite-disk $(md5 /mnt/d/kite.bin)
sh ./tree.sh /mnt/d
say done
EOF
runner_disk "$b/run1.img" "$b/storage_testcode.sh" "$bin/tree.sh"
start=$(date +%s)
"$top/scripts/qemu-boot.sh" 600 "$b/out1.txt" KERNEL="$kernel" DISK="$b/run1.img" DISK2="$d"
st=$?
secs=$(($(date +%s) - start))
tr -d '\r' < "$b/out1.txt" > "$b/out1"
val() { sed -n "s/^STOR $1 //p" "$b/out1" | head -1; }
[ $st = 0 ] && grep -q '^STOR done' "$b/out1"
check $? "boot1/ran-and-powered-off" "QEMU status $st after $secs s"
[ "$(val mount)" = ok ]
check $? "boot1/mount"
[ "$(val md5-in)" = "$host_md5" ]
check $? "roundtrip/kite-reads-host-file" "md5 $(val md5-in), host $host_md5"
[ "$(val md5-tmp)" = "$host_md5" ]
check $? "roundtrip/copy-to-tmpfs" "md5 $(val md5-tmp)"
[ "$(val remount)" = ok ]
check $? "roundtrip/umount-and-mount"
[ "$(val md5-copy)" = "$host_md5" ]
check $? "roundtrip/copy-back-reads-after-remount" "md5 $(val md5-copy)"
kmd5=$(val md5-kite)
[ -n "$kmd5" ] && [ "$(val md5-kite-disk)" = "$kmd5" ]
check $? "roundtrip/kite-data-reads-after-remount" \
  "$kmd5, then $(val md5-kite-disk)"
m=$(mtype -i "$d" ::/copy.bin | md5sum | cut -c1-32)
[ "$m" = "$host_md5" ]
check $? "roundtrip/host-reads-kite-copy" "mtools md5 $m"
m=$(mtype -i "$d" ::/kite.bin | md5sum | cut -c1-32)
[ -n "$kmd5" ] && [ "$m" = "$kmd5" ]
check $? "roundtrip/host-reads-kite-data" "mtools md5 $m, Kite said $kmd5"
m=$(mtype -i "$d" ::/big.bin | md5sum | cut -c1-32)
[ "$m" = "$host_md5" ]
check $? "roundtrip/original-untouched" "mtools md5 $m"

# the tree: the same script on the host gives what to expect
mkdir -p "$b/expect" "$b/got"
sh "$bin/tree.sh" "$b/expect" > "$b/expect.log" 2>&1
want=$(sed -n 's/^TREE files //p' "$b/expect.log")
got=$(sed -n 's/^TREE files //p' "$b/out1")
[ -n "$want" ] && [ "$got" = "$want" ]
check $? "tree/kite-counts-survivors" "Kite counted '$got', host '$want'"
errs=$(grep -c '^TREE-ERROR' "$b/out1")
[ "$errs" = 0 ]
check $? "tree/every-operation-succeeded" "$(grep '^TREE-ERROR' "$b/out1" | head -3 | tr '\n' '|')"
if mcopy -s -n -i "$d" ::/tree "$b/got/" 2> "$b/mcopy.err"; then
  diff -r "$b/expect/tree" "$b/got/tree" > "$b/tree.diff" 2>&1
  check $? "tree/host-finds-exactly-the-survivors" "$(head -5 "$b/tree.diff" | tr '\n' '|')"
else
  failed "tree/host-finds-exactly-the-survivors (mcopy: $(head -3 "$b/mcopy.err" | tr '\n' '|'))"
fi
mdir -/ -b -i "$d" ::/tree > "$b/mdir.txt" 2>&1
nf=$(grep -v '/$' "$b/mdir.txt" | grep -c .)
nd=$(grep -c '/$' "$b/mdir.txt")
dirs=$(find "$b/expect/tree" -mindepth 1 -type d | wc -l)
[ "$nf" = "$want" ] && [ "$nd" = "$dirs" ]
check $? "tree/mdir-lists-files-and-dirs" \
  "mdir lists $nf files and $nd directories, want $want and $dirs"
fsck.fat -n "$d" > "$b/fsck1.txt" 2>&1
check $? "boot1/fsck-clean-after-poweroff" "$(grep -v '^fsck.fat' "$b/fsck1.txt" | head -6 | tr '\n' '|')"
f=$(fsck_findings "$b/fsck1.txt")
[ -z "$f" ]
check $? "boot1/fsck-finds-no-damage" "$f"

# ==== 3: power-off in the middle of writing ====
cat > "$b/crash_testcode.sh" <<'EOF'
#!/bin/sh
# storage.sh's power-off boot: fsync a dozen files, then write until killed.
mkdir -p /mnt/c
mount -t vfat /dev/vdb /mnt/c || echo "CRASH mount failed"
mkdir -p /mnt/c/data
./fsync_writer /mnt/c/data 12
echo "CRASH writer stopped"
EOF
runner_disk "$b/run2.img" "$b/crash_testcode.sh" "$bin/fsync_writer"
nsync=12
for k in $(seq 0 $((nsync - 1))); do
  qemu-riscv64 "$bin/fsync_writer" --expect "$k" > "$b/expect-synced-$k"
done

# crash_round NAME DELAY — boot, wait for WRITING, let it write DELAY s, kill.
crash_round() {
  name=$1 delay=$2
  img=$b/crash-$name.img
  truncate -s 512M "$img" && mkfs.vfat -F 32 -s 8 -n CRASH "$img" > /dev/null
  out=$b/crash-$name.txt
  KERNEL="$kernel" DISK="$b/run2.img" DISK2="$img" "$top/scripts/run-qemu.sh" < /dev/null > "$out" 2>&1 &
  qpid=$!
  waited=0
  while ! grep -q '^WRITING' "$out" && [ $waited -lt 1800 ] && kill -0 $qpid 2> /dev/null; do
    sleep 0.1
    waited=$((waited + 1))
  done
  if grep -q '^WRITING' "$out"; then
    sleep "$delay"
    if kill -0 $qpid 2> /dev/null; then
      kill -KILL $qpid
      wait $qpid 2> /dev/null
      pass "poweroff-$name/killed-while-writing"
    else
      wait $qpid
      failed "poweroff-$name/killed-while-writing (QEMU had stopped by itself: status $?)"
    fi
  else
    kill -KILL $qpid 2> /dev/null
    wait $qpid 2> /dev/null
    failed "poweroff-$name/writer-started (no WRITING line after $((waited / 10)) s: $(tr -d '\r' < "$out" | grep -v '^\[' | tail -3 | tr '\n' '|'))"
    return
  fi
  tr -d '\r' < "$out" > "$out.clean"
  synced=$(grep -c '^SYNCED ' "$out.clean")
  [ "$synced" = $nsync ]
  check $? "poweroff-$name/all-fsyncs-returned" "$synced of $nsync"
  # fsck: accepted as it is, or repaired by fsck.fat -a
  cp "$img" "$img.fixed"
  if fsck.fat -n "$img" > "$b/fsck-$name.txt" 2>&1; then
    pass "poweroff-$name/fsck-accepts-or-repairs (clean as it is)"
  else
    fsck.fat -a "$img.fixed" > "$b/fsck-a-$name.txt" 2>&1
    ast=$?
    if [ $ast -le 1 ] && fsck.fat -n "$img.fixed" > "$b/fsck-after-$name.txt" 2>&1; then
      found=$(fsck_findings "$b/fsck-$name.txt")
      pass "poweroff-$name/fsck-accepts-or-repairs (repaired; fsck.fat -n found: ${found:-only the dirty bit})"
    else
      failed "poweroff-$name/fsck-accepts-or-repairs (fsck.fat -a status $ast: $(tail -4 "$b/fsck-a-$name.txt" | tr '\n' '|'))"
    fi
  fi
  bad=
  for k in $(seq 0 $((nsync - 1))); do
    grep -q "^SYNCED synced-$k " "$out.clean" || continue
    mtype -i "$img.fixed" "::/data/synced-$k" > "$b/got-synced" 2> /dev/null
    cmp -s "$b/got-synced" "$b/expect-synced-$k" || bad="$bad synced-$k($(wc -c < "$b/got-synced") bytes)"
  done
  [ -z "$bad" ]
  check $? "poweroff-$name/fsynced-files-intact" "differ:$bad"
  echo "  (poweroff-$name: the image holds $(tail -1 "$b/fsck-$name.txt" | sed 's/.*: //'))"
}
crash_round early 2
crash_round late 8

[ $fail = 0 ] || { echo "--- first boot, console (last 20 lines):"; tail -20 "$b/out1" | sed 's/^/    /'; }
exit $fail
