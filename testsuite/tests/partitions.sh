#!/bin/sh
# partitions.sh — partition tables on virtio disks, Kite against the
# reference Linux (scripts/build-linux-ref.sh) on the same two images:
#   slot 0: a 96 MiB MBR disk — partition 1 a FAT32 file system holding
#           hello.txt, partition 2 an extended partition with logical
#           partitions 5 and 6 (a chain of two EBRs);
#   slot 1: a 32 MiB GPT disk with 20 partitions (16..20 get Linux's
#           extended device numbers, major 259) and an unused entry slot.
# The host writes "part <name>" at the start of every raw partition. Both
# kernels boot the same initramfs (Kite's) and run testsuite/smoke/partitions.sh,
# which prints /proc/partitions, each /dev/vd* node with its numbers and size,
# the markers, mounts vda1 and writes a file, and writes inside and past the
# end of vda5. Checks: Kite's /proc/partitions and nodes equal Linux's; the
# markers read back through every partition; the file written through vda1 is
# on the image (mtools at the partition's offset, fsck.vfat clean); the write
# inside vda5 landed at its offset and the one past its end was refused on
# both kernels, leaving vda6 intact.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
kernel=${KERNEL:-$top/kernel-rv}
b=$build/partitions-test
rm -rf "$b"
mkdir -p "$b"
fail=0
pass() { echo "PASS: partitions/$1"; }
failed() { echo "FAIL: partitions/$1"; fail=1; }

# ---- the images ----
mk_images() { # dir
  python3 - "$1" <<'PY'
import struct, sys, zlib
d = sys.argv[1]
S = 512
def entry(flag, typ, start, n):
    return struct.pack("<B3sB3sII", flag, b"\0\0\0", typ, b"\0\0\0", start, n)
def table(f, sector, entries):
    f.seek(sector * S + 446)
    f.write(b"".join(entries).ljust(64, b"\0") + b"\x55\xaa")
def mark(f, sector, name):
    f.seek(sector * S)
    f.write(("part " + name).encode().ljust(16, b"\0"))
# MBR disk: 96 MiB
with open(d + "/mbr.img", "wb") as f:
    f.truncate(96 << 20)
    table(f, 0, [entry(0x80, 0x0c, 2048, 81920), entry(0, 0x05, 86016, 110592)])
    table(f, 86016, [entry(0, 0x83, 2048, 40960), entry(0, 0x05, 43008, 67584)])
    mark(f, 88064, "vda5")
    table(f, 129024, [entry(0, 0x83, 2048, 65536 - 2048 - 1)])
    mark(f, 131072, "vda6")
# GPT disk: 32 MiB, 128 entry slots, entries 1..20 used, 22 unused
n = 65536
with open(d + "/gpt.img", "wb") as f:
    f.truncate(n * S)
    table(f, 0, [entry(0, 0xee, 1, n - 1)])
    ents = bytearray(128 * 128)
    for i in range(20):
        first = 2048 + 2048 * i
        struct.pack_into("<16s16sQQQ", ents, 128 * i, bytes(range(1, 17)), bytes([i + 1] * 16),
                         first, first + 2047, 0)
        mark(f, first, "vdb%d" % (i + 1))
    def header(my, alt, array):
        h = struct.pack("<8sIIIIQQQQ16sQIII", b"EFI PART", 0x10000, 92, 0, 0, my, alt, 34, n - 34,
                        bytes(range(16)), array, 128, 128, zlib.crc32(ents))
        h = h[:16] + struct.pack("<I", zlib.crc32(h)) + h[20:]
        return h
    f.seek(S); f.write(header(1, n - 1, 2))
    f.seek(2 * S); f.write(ents)
    f.seek((n - 33) * S); f.write(ents)
    f.seek((n - 1) * S); f.write(header(n - 1, 1, n - 33))
PY
}
if ! mk_images "$b" 2> "$b/mk.log"; then failed "images ($(tail -1 "$b/mk.log"))"; exit 1; fi
cp "$b/mbr.img" "$b/mbr.kite.img"; cp "$b/gpt.img" "$b/gpt.kite.img"
cp "$b/mbr.img" "$b/mbr.linux.img"; cp "$b/gpt.img" "$b/gpt.linux.img"
# FAT32 inside partition 1 (sector 2048; the size is in KiB), on each copy
for img in "$b/mbr.kite.img" "$b/mbr.linux.img"; do
  mkfs.vfat -F 32 -s 1 --offset 2048 "$img" 40960 > /dev/null 2>&1 || failed "mkfs.vfat --offset"
  printf 'hello from a partition\n' > "$b/hello.txt"
  MTOOLS_SKIP_CHECK=1 mcopy -i "$img@@1048576" "$b/hello.txt" ::/hello.txt || failed "mcopy into partition 1"
done

# ---- the boots ----
qemu_judge() { # kernel mbr gpt out [extra qemu args...]
  k=$1; m=$2; g=$3; o=$4; shift 4
  /usr/bin/timeout -k 5 180 qemu-system-riscv64 -machine virt -kernel "$k" -m 1G -nographic -smp 1 -bios default \
    -drive file="$m",if=none,format=raw,id=x0 -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0 \
    -drive file="$g",if=none,format=raw,id=x1 -device virtio-blk-device,drive=x1,bus=virtio-mmio-bus.1 \
    -no-reboot -device virtio-net-device,netdev=net -netdev user,id=net,restrict=on -rtc base=utc "$@" \
    < /dev/null 2>&1 | tr -d '\r' > "$o"
}
qemu_judge "$kernel" "$b/mbr.kite.img" "$b/gpt.kite.img" "$b/kite.out" -append init=/smoke/partitions.sh
# Linux probes the virtio-mmio slots from the highest address down, so with
# two disks it names slot 1 vda; Kite names disks in slot order (docs/block.md).
# The Linux boot gets the disks the other way round, so the names compare.
grep -aq '^PARTS-DONE' "$b/kite.out" && pass "kite-boot" || { failed "kite-boot"; tail -20 "$b/kite.out"; }

linux=$("$top/scripts/build-linux-ref.sh" 2> "$b/linux-build.log") || linux=
if [ -n "$linux" ] && [ -f "$linux" ]; then
  qemu_judge "$linux" "$b/gpt.linux.img" "$b/mbr.linux.img" "$b/linux.out" -initrd "$build/initramfs.cpio" \
    -append "console=ttyS0 quiet rdinit=/smoke/partitions.sh"
  grep -aq '^PARTS-DONE' "$b/linux.out" && pass "linux-boot" || { failed "linux-boot"; tail -20 "$b/linux.out"; }
else
  failed "linux-reference (scripts/build-linux-ref.sh: $(tail -1 "$b/linux-build.log"))"
fi

# ---- what each kernel saw ----
for k in kite linux; do
  [ -f "$b/$k.out" ] || continue
  sed -n '/^PARTS-BEGIN/,/^PARTS-END/p' "$b/$k.out" | grep -a ' vd' | awk '{print $1, $2, $3, $4}' > "$b/$k.parts"
  grep -a '^NODE ' "$b/$k.out" | sort > "$b/$k.nodes"
  grep -a -E '^(MARK vd[ab][0-9]|FAT1|WROTE|PASTEND)' "$b/$k.out" | sort > "$b/$k.io"
done
n=$(wc -l < "$b/kite.parts")
want="vda vda1 vda2 vda5 vda6 vdb vdb1 vdb2 vdb3 vdb4 vdb5 vdb6 vdb7 vdb8 vdb9 vdb10 vdb11 vdb12 vdb13 vdb14 vdb15 vdb16 vdb17 vdb18 vdb19 vdb20"
got=$(awk '{print $4}' "$b/kite.parts" | tr '\n' ' ' | sed 's/ $//')
[ "$got" = "$want" ] && pass "kite-proc-partitions-names ($n devices)" || failed "kite-proc-partitions-names (got: $got)"
grep -q '^ *254 *2 *1 vda2$' "$b/kite.parts" && pass "extended-partition-is-1KiB" || failed "extended-partition-is-1KiB ($(grep vda2 "$b/kite.parts"))"
grep -q '^ *259 *0 *1024 vdb16$' "$b/kite.parts" && pass "partition-16-is-259:0" || failed "partition-16-is-259:0 ($(grep vdb16 "$b/kite.parts"))"
if [ -s "$b/linux.parts" ]; then
  if cmp -s "$b/kite.parts" "$b/linux.parts"; then pass "proc-partitions-same-as-linux"
  else failed "proc-partitions-same-as-linux ($(diff "$b/kite.parts" "$b/linux.parts" | grep '^[<>]' | head -4 | tr '\n' '|'))"; fi
  if cmp -s "$b/kite.nodes" "$b/linux.nodes"; then pass "dev-nodes-same-as-linux"
  else failed "dev-nodes-same-as-linux ($(diff "$b/kite.nodes" "$b/linux.nodes" | grep '^[<>]' | head -4 | tr '\n' '|'))"; fi
  if cmp -s "$b/kite.io" "$b/linux.io"; then pass "partition-io-same-as-linux"
  else failed "partition-io-same-as-linux ($(diff "$b/kite.io" "$b/linux.io" | grep '^[<>]' | head -4 | tr '\n' '|'))"; fi
fi
bad=0
for p in vda5 vda6 $(seq 1 20 | sed 's/^/vdb/'); do
  grep -qx "MARK $p part $p" "$b/kite.io" || { bad=1; echo "  no marker through $p"; }
done
[ $bad = 0 ] && pass "markers-read-through-22-partitions" || failed "markers-read-through-22-partitions"
grep -qx 'FAT1 hello from a partition' "$b/kite.io" && pass "vfat-in-partition-1-mounts" || failed "vfat-in-partition-1-mounts"
got=$(MTOOLS_SKIP_CHECK=1 mtype -i "$b/mbr.kite.img@@1048576" ::/new.txt 2>&1)
[ "$got" = "written through vda1" ] && pass "write-through-vda1-on-image" || failed "write-through-vda1-on-image ($got)"
dd if="$b/mbr.kite.img" of="$b/p1.img" bs=512 skip=2048 count=81920 status=none
if fsck.vfat -n "$b/p1.img" > "$b/fsck.log" 2>&1; then pass "fsck.vfat-partition-1-clean"; else failed "fsck.vfat-partition-1-clean ($(tail -2 "$b/fsck.log" | tr '\n' '|'))"; fi
at=$(dd if="$b/mbr.kite.img" bs=512 skip=$((88064 + 1)) count=1 status=none | head -c 12)
[ "$at" = "logical five" ] && pass "write-inside-vda5-at-its-offset" || failed "write-inside-vda5-at-its-offset ($at)"
grep -qx 'PASTEND vda5 refused' "$b/kite.io" && pass "write-past-vda5-refused" || failed "write-past-vda5-refused"
next=$(dd if="$b/mbr.kite.img" bs=512 skip=$((88064 + 40960)) count=1 status=none | tr -d '\0' | head -c 5)
[ "$next" != "spill" ] && pass "nothing-spilled-past-vda5" || failed "nothing-spilled-past-vda5"
[ $fail = 0 ] || { echo "--- kite console (last 15 lines):"; tail -15 "$b/kite.out" | sed 's/^/    /'; }
exit $fail
