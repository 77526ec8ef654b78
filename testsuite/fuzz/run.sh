#!/bin/sh
# run.sh — the fuzzer's run as Kite's init (testsuite/tests/fuzz.sh boots
# it with APPEND='init=/fuzz/run.sh FUZZ_SECONDS=n FUZZ_SEED=s'): note free
# memory, open files and processes, fuzz, clean up, note them again.
# Lines: FUZZ-* from fuzz itself, then FUZZ-BEFORE/FUZZ-AFTER counters,
# FUZZ-ALIVE (a shell still runs commands), FUZZ-END.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
cd /
counters() { # tag: MemFree kB, open files, processes, per-cause memory
  mem=$(sed -n 's/^MemFree: *\([0-9]*\).*/\1/p' /proc/meminfo)
  files=$(cut -f1 /proc/sys/fs/file-nr 2>/dev/null)
  procs=$(ls -d /proc/[0-9]* | wc -l)
  causes=$(grep -E '^(Cached|AnonPages|PageTables|Slab|KernelStack|KitePipes|KiteKernel):' /proc/meminfo |
    sed 's/: */=/; s/ kB//' | tr '\n' ' ')
  inodes=$(cut -f1 /proc/sys/fs/inode-nr 2>/dev/null)
  dentries=$(cut -f1 /proc/sys/fs/dentry-state 2>/dev/null)
  kmalloc=$(sed -n 's/^kmalloc-\([0-9]*\) *\([0-9]*\).*/k\1=\2/p' /proc/slabinfo 2>/dev/null | tr '\n' ' ')
  echo "$1 mem=$mem files=${files:-?} procs=$procs inodes=$inodes dentries=$dentries $causes$kmalloc"
}
settle() { i=0; while [ $i -lt 10 ]; do sleep 1; i=$((i + 1)); done; }
cleanup() {
  rm -rf /tmp/fuzz
  # System V IPC objects outlive their creators on purpose (Linux's too):
  # remove what the workers made before counting.
  for kind in shm:m sem:s msg:q; do
    for id in $(awk 'NR > 1 { print $2 }' "/proc/sysvipc/${kind%:*}" 2>/dev/null); do
      ipcrm "-${kind#*:}" "$id" 2>/dev/null
    done
  done
}
# A short warm-up first: what the kernel sets up once, on first use (tables,
# caches), is not a leak.
mkdir -p /tmp/fuzz
/fuzz/fuzz -t 5 -s 1 -w "${FUZZ_WORKERS:-6}" -d /tmp/fuzz > /dev/null
cleanup
settle
counters FUZZ-BEFORE
/fuzz/fuzz -t "${FUZZ_SECONDS:-60}" ${FUZZ_SEED:+-s "$FUZZ_SEED"} -w "${FUZZ_WORKERS:-6}" -d /tmp/fuzz
echo "FUZZ-STATUS $?"
cleanup
settle
counters FUZZ-AFTER
[ "$(echo ok)" = ok ] && echo FUZZ-ALIVE
echo FUZZ-END
poweroff -f
