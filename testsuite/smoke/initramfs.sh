#!/bin/sh
# initramfs.sh — a file the kernel unpacked in place (its whole pages are
# the archive's own, fs/initramfs.c) is read, written, truncated and freed
# like any other file. Prints "initramfs: ok" or what failed; the file is
# put back as it was either way (run.sh's later checks run it).
f=/smoke/udp_echo # 10 whole pages and a partial one
fail() { echo "initramfs: FAIL: $*"; rm -f "$f"; cp /tmp/ir.copy "$f"; rm -f /tmp/ir.copy; exit 0; }
dmesg | grep -q 'initramfs: .* [1-9][0-9]* KiB in place' || { echo "initramfs: FAIL: nothing in place: $(dmesg | grep 'initramfs:')"; exit 0; }
# The archive's times (scripts/mkinitramfs.sh makes them 0) on files and
# on symlinks themselves. (Not on directories: the entries made in one
# after it change its time; Linux's unpacker sets those at the end.)
for p in /bin/busybox /bin/ls /smoke/udp_echo; do
  t=$(stat -c %Y "$p") # (of the link itself: stat does not follow without -L)
  [ "$t" = 0 ] || { echo "initramfs: FAIL: $p mtime $t"; exit 0; }
done
[ -L /bin/ls ] || { echo "initramfs: FAIL: /bin/ls is not a symlink"; exit 0; }
cp "$f" /tmp/ir.copy || fail copy
cmp "$f" /tmp/ir.copy || fail "the copy differs"
size=$(wc -c < "$f")
[ "$size" -gt 8192 ] || fail "$f is $size bytes"
# A write into the second page shows, the rest of the file is unchanged.
dd if=/dev/zero of="$f" bs=4096 seek=1 count=1 conv=notrunc 2>/dev/null || fail dd
[ "$(dd if="$f" bs=4096 skip=1 count=1 2>/dev/null | tr -d '\000' | wc -c)" -eq 0 ] || fail "the write is not seen"
cmp -s "$f" /tmp/ir.copy && fail "the write is lost"
cmp -n 4096 "$f" /tmp/ir.copy || fail "the first page changed"
cmp "$f" /tmp/ir.copy 8192 8192 || fail "the pages after the second changed"
[ "$(wc -c < "$f")" -eq "$size" ] || fail "the size changed"
# Truncated, then removed: its pages go back to the allocator, and new
# files (which may get those very pages) hold what is written to them.
dd if=/dev/null of="$f" bs=1 seek=6000 2>/dev/null || fail truncate
[ "$(wc -c < "$f")" -eq 6000 ] || fail "truncate: $(wc -c < "$f") bytes"
cmp -n 4096 "$f" /tmp/ir.copy || fail "truncate: the first page changed"
rm "$f" || fail rm
for i in 1 2 3; do cp /tmp/ir.copy /tmp/ir.$i || fail "cp $i"; done
for i in 1 2 3; do cmp /tmp/ir.$i /tmp/ir.copy || fail "new file $i differs"; rm /tmp/ir.$i; done
cp /tmp/ir.copy "$f" && chmod 755 "$f" && rm /tmp/ir.copy || fail "putting $f back"
echo "initramfs: ok"
