#!/bin/sh
# blk.sh — raw disk I/O through /dev/vda (run as init by testsuite/tests/blk.sh).
# Reads the first MiB, writes it back at an unaligned offset, syncs, and
# reports checksums for the host to compare.
dd if=/dev/vda of=/tmp/first bs=4096 count=256 2>/dev/null
echo "BLK read $(md5sum < /tmp/first | cut -d' ' -f1)"
dd if=/tmp/first of=/dev/vda bs=1000 seek=5000 2>/dev/null
sync
dd if=/dev/vda bs=1000 skip=5000 count=1049 2>/dev/null | head -c 1048576 > /tmp/back
echo "BLK reread $(md5sum < /tmp/back | cut -d' ' -f1)"
echo "BLK done"
