#!/bin/sh
# partitions.sh — init for testsuite/tests/partitions.sh, the same script on
# Kite and on the reference Linux. Prints what the kernel made of the disks'
# partition tables, reads the marker the host wrote at the start of each
# partition, writes through partitions, and powers off.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
[ -e /proc/partitions ] || mount -t proc proc /proc
[ -e /dev/null ] || mount -t devtmpfs devtmpfs /dev
echo "PARTS-BEGIN"
grep ' vd' /proc/partitions
echo "PARTS-END"
for d in /dev/vd*; do
  # the first 16 bytes: "part <name>" as the host wrote them
  echo "MARK $(basename "$d") $(dd if="$d" bs=512 count=1 2>/dev/null | head -c 16 | tr -d '\0')"
  echo "NODE $(basename "$d") $(stat -c '%F %t %T' "$d") $(blockdev --getsize64 "$d")"
done
mkdir -p /mnt/p
if mount -t vfat /dev/vda1 /mnt/p; then
  echo "FAT1 $(cat /mnt/p/hello.txt)"
  echo "written through vda1" > /mnt/p/new.txt
  umount /mnt/p && echo "FAT1 unmounted"
fi
# a write inside a logical partition, and one past its end (must not spill)
echo "logical five" | dd of=/dev/vda5 bs=512 seek=1 conv=notrunc 2>/dev/null && echo "WROTE vda5"
size=$(blockdev --getsize64 /dev/vda5)
if echo "spill" | dd of=/dev/vda5 bs=512 seek=$((size / 512)) conv=notrunc 2>/dev/null; then
  echo "PASTEND vda5 accepted"
else
  echo "PASTEND vda5 refused"
fi
sync
echo "PARTS-DONE"
poweroff -f
