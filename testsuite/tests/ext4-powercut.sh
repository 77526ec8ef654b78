#!/bin/sh
# ext4-powercut.sh — power lost in the middle of writing to ext4, and the
# journal that recovers it, in both directions:
#
#  1. Kite writes: testsuite/fs/fsync_writer writes a dozen files on an ext4
#     disk (mkfs.ext4 defaults), fsyncing each file and the directory
#     ("SYNCED <name>"), then keeps writing, creating, renaming and deleting
#     without syncing. The host kills QEMU (SIGKILL: no chance to flush)
#     2 s into that (before the 5 s write-back) and, on another disk, 8 s
#     into it. Then, on copies of each crashed image: e2fsck replays Kite's
#     journal and must find nothing else to fix; and Kite itself mounts it
#     (replaying) in a second boot, reads the synced files, writes, and
#     unmounts, after which e2fsck -fn is clean. Every SYNCED file holds
#     exactly what `fsync_writer --expect K` (qemu-riscv64) says, both ways.
#  2. Linux writes: the reference Linux (scripts/build-linux-ref.sh, ext4
#     and jbd2 built in) runs the same writer on a fresh ext4 disk and is
#     killed the same way; Kite replays the journal Linux left, and the same
#     checks follow.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
kernel=${KERNEL:-$top/kernel-rv}
b=$build/ext4-powercut
rm -rf "$b"
mkdir -p "$b"
export MTOOLS_SKIP_CHECK=1
PATH=$PATH:/usr/sbin:/sbin
fail=0
pass() { echo "PASS: ext4-powercut: $1"; }
failed() { echo "FAIL: ext4-powercut: $1"; fail=1; }
check() { if [ "$1" = 0 ]; then pass "$2"; else failed "$2${3:+ ($3)}"; fi; }

bin=$build/fs-tests
if ! "$top/testsuite/fs/build.sh" "$bin" > "$b/build.log" 2>&1; then
  echo "FAIL: ext4-powercut: testsuite/fs/build.sh failed"
  tail -20 "$b/build.log"
  exit 1
fi
nsync=12
for k in $(seq 0 $((nsync - 1))); do
  qemu-riscv64 "$bin/fsync_writer" --expect "$k" > "$b/expect-synced-$k"
done

# runner_disk IMG SCRIPT FILES... — a FAT32 disk with musl/<script> and files.
runner_disk() {
  r_img=$1 r_script=$2
  shift 2
  rm -rf "$b/rd" && mkdir -p "$b/rd/musl" "$b/rd/glibc"
  cp "$r_script" "$b/rd/musl/" && cp "$@" "$b/rd/musl/" 2>/dev/null
  echo true > "$b/rd/glibc/x_testcode.sh"
  truncate -s 40M "$r_img" && mkfs.vfat -F 32 -s 1 "$r_img" > /dev/null &&
    mcopy -s -i "$r_img" "$b/rd/musl" "$b/rd/glibc" ::/
}

cat > "$b/crash_testcode.sh" <<'EOF'
#!/bin/sh
# Write until the power goes (ext4-powercut.sh).
umount /mnt/vdb 2>/dev/null
mkdir -p /mnt/c
mount -t ext4 /dev/vdb /mnt/c || echo "CRASH mount failed"
mkdir -p /mnt/c/data
./fsync_writer /mnt/c/data 12
echo "CRASH writer stopped"
EOF
runner_disk "$b/run-crash.img" "$b/crash_testcode.sh" "$bin/fsync_writer"

cat > "$b/after_testcode.sh" <<'EOF'
#!/bin/sh
# After the power cut: /init has mounted (and so recovered) the disk at /mnt/vdb.
dmesg | grep 'journal: replayed' | sed 's/.*journal: /AFTER /'
cd /mnt/vdb/data 2>/dev/null || { echo "AFTER no data directory"; exit 0; }
for f in synced-*; do echo "AFTER md5 $f $(md5sum < $f | cut -c1-32)"; done
echo "written after recovery" > after.txt && sync && echo "AFTER write ok"
ls > /dev/null && echo "AFTER listed $(ls | wc -l)"
cd / && umount /mnt/vdb && echo "AFTER umount ok"
EOF
runner_disk "$b/run-after.img" "$b/after_testcode.sh"

# wait_and_kill OUT PID DELAY NAME — wait for WRITING, DELAY s more, SIGKILL.
wait_and_kill() {
  w_out=$1 qpid=$2 delay=$3 w_name=$4
  waited=0
  while ! grep -q '^WRITING' "$w_out" && [ $waited -lt 3000 ] && kill -0 "$qpid" 2> /dev/null; do
    sleep 0.1
    waited=$((waited + 1))
  done
  if ! grep -q '^WRITING' "$w_out"; then
    kill -KILL "$qpid" 2> /dev/null
    wait "$qpid" 2> /dev/null
    failed "$w_name/writer-started (no WRITING after $((waited / 10)) s: $(tr -d '\r' < "$w_out" | grep -v '^\[' | tail -3 | tr '\n' '|'))"
    return 1
  fi
  sleep "$delay"
  if kill -0 "$qpid" 2> /dev/null; then
    kill -KILL "$qpid"
    wait "$qpid" 2> /dev/null
    pass "$w_name/killed-while-writing"
  else
    wait "$qpid"
    failed "$w_name/killed-while-writing (QEMU had stopped by itself)"
    return 1
  fi
  tr -d '\r' < "$w_out" > "$w_out.clean"
  synced=$(grep -c '^SYNCED ' "$w_out.clean")
  [ "$synced" = $nsync ]
  check $? "$w_name/all-fsyncs-returned" "$synced of $nsync"
}

# synced_intact NAME IMG OUT — every SYNCED file of OUT holds its bytes in IMG (debugfs).
synced_intact() {
  s_what=$1 s_img=$2 s_out=$3 s_bad=
  for k in $(seq 0 $((nsync - 1))); do
    grep -q "^SYNCED synced-$k " "$s_out" || continue
    debugfs -R "cat /data/synced-$k" "$s_img" > "$b/got" 2> /dev/null
    cmp -s "$b/got" "$b/expect-synced-$k" || s_bad="$s_bad synced-$k($(wc -c < "$b/got") bytes)"
  done
  [ -z "$s_bad" ]
  check $? "$s_what" "differ:$s_bad"
}

# recover NAME IMG OUT — check a crashed image both ways: e2fsck's replay, Kite's.
recover() {
  name=$1 img=$2 out=$3
  dumpe2fs -h "$img" 2> /dev/null | grep -q needs_recovery
  check $? "$name/needs-recovery-after-the-cut"
  cp --sparse=always "$img" "$img.e2fsck"
  cp --sparse=always "$img" "$img.kite"
  e2fsck -E journal_only -y "$img.e2fsck" > "$b/$name-replay.txt" 2>&1
  e2fsck -fn "$img.e2fsck" > "$b/$name-fsck1.txt" 2>&1
  check $? "$name/e2fsck-replays-then-finds-nothing" "$(grep -v -e '^Pass' -e '^e2fsck' "$b/$name-fsck1.txt" | head -4 | tr '\n' '|')"
  synced_intact "$name/fsynced-files-intact-after-e2fsck-replay" "$img.e2fsck" "$out"
  "$top/scripts/qemu-boot.sh" 240 "$b/$name-after.txt" KERNEL="$kernel" DISK="$b/run-after.img" DISK2="$img.kite"
  tr -d '\r' < "$b/$name-after.txt" > "$b/$name-after.clean"
  grep -q '^AFTER umount ok' "$b/$name-after.clean"
  check $? "$name/kite-mounts-recovers-writes-unmounts" "$(grep -v '^\[' "$b/$name-after.clean" | grep -v '^ *$' | tail -3 | tr '\n' '|')"
  replayed=$(sed -n 's/^AFTER replayed \([0-9]*\) blocks.*/\1/p' "$b/$name-after.clean")
  [ "${replayed:-0}" -gt 0 ]
  check $? "$name/kite-replayed-the-journal (${replayed:-no} blocks)"
  bad=
  for k in $(seq 0 $((nsync - 1))); do
    grep -q "^SYNCED synced-$k " "$out" || continue
    want=$(md5sum < "$b/expect-synced-$k" | cut -c1-32)
    grep -q "^AFTER md5 synced-$k $want" "$b/$name-after.clean" || bad="$bad synced-$k"
  done
  [ -z "$bad" ]
  check $? "$name/kite-reads-every-fsynced-file" "differ:$bad"
  e2fsck -fn "$img.kite" > "$b/$name-fsck2.txt" 2>&1
  check $? "$name/e2fsck-clean-after-kites-recovery" "$(grep -v -e '^Pass' -e '^e2fsck' "$b/$name-fsck2.txt" | head -4 | tr '\n' '|')"
  synced_intact "$name/fsynced-files-intact-after-kites-recovery" "$img.kite" "$out"
  [ "$(debugfs -R 'cat /data/after.txt' "$img.kite" 2> /dev/null)" = "written after recovery" ]
  check $? "$name/kites-write-after-recovery-is-there"
}

# ---- 1. Kite writes, the power goes ----
kite_round() {
  name=$1 delay=$2 size=$3
  img=$b/$name.img
  truncate -s "$size" "$img" && mkfs.ext4 -q -F "$img"
  out=$b/$name.txt
  KERNEL="$kernel" DISK="$b/run-crash.img" DISK2="$img" "$top/scripts/run-qemu.sh" < /dev/null > "$out" 2>&1 &
  wait_and_kill "$out" $! "$delay" "$name" && recover "$name" "$img" "$out.clean"
}
kite_round kite-early 2 128M
kite_round kite-late 8 512M

# ---- 2. Linux writes, the power goes, Kite recovers ----
linux_round() {
  name=linux
  image=$("$top/scripts/build-linux-ref.sh" 2> "$b/linux-build.log") || {
    failed "$name/reference-linux-built ($(tail -2 "$b/linux-build.log" | tr '\n' '|'))"
    return
  }
  busybox=$(sed -n 's/^BUSYBOX_BIN *:= *//p' "$build/third-party.mk")
  root=$b/linux-root
  rm -rf "$root" && mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/mnt"
  cp "$busybox" "$root/bin/busybox"
  for a in sh mount mkdir poweroff echo; do ln -s busybox "$root/bin/$a"; done
  cp "$bin/fsync_writer" "$root/fsync_writer"
  cat > "$root/init" <<'EOF'
#!/bin/sh
mount -t proc proc /proc
mount -t devtmpfs dev /dev 2>/dev/null
mount -t ext4 /dev/vda /mnt || echo "LINUX mount failed"
mkdir -p /mnt/data
/fsync_writer /mnt/data 12
poweroff -f
EOF
  chmod +x "$root/init"
  (cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1 > "$b/linux-initramfs.cpio.gz")
  img=$b/$name.img
  truncate -s 128M "$img" && mkfs.ext4 -q -F "$img"
  out=$b/$name.txt
  qemu-system-riscv64 -machine virt -kernel "$image" -m 1G -nographic -smp 1 -bios default \
    -drive "file=$img,if=none,format=raw,id=x0" -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0 \
    -no-reboot -device virtio-net-device,netdev=net -netdev user,id=net,restrict=on -rtc base=utc \
    -initrd "$b/linux-initramfs.cpio.gz" -append "console=ttyS0 quiet" < /dev/null > "$out" 2>&1 &
  wait_and_kill "$out" $! 4 "$name" && recover "$name" "$img" "$out.clean"
}
linux_round

[ $fail = 0 ] || { echo "--- $b has the consoles and e2fsck outputs"; }
exit $fail
