#!/bin/sh
# run.sh — the fuzzer's run as Kite's init (testsuite/tests/fuzz.sh boots
# it with APPEND='init=/fuzz/run.sh FUZZ_SECONDS=n FUZZ_SEED=s'): note free
# memory, open files and processes, fuzz, clean up, note them again.
# Lines: FUZZ-* from fuzz itself, then FUZZ-BEFORE/FUZZ-AFTER counters,
# FUZZ-ALIVE (a shell still runs commands), FUZZ-END.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
cd /
# Workers may signal init (kill(1, sig), a terminal's ^C): Linux drops
# what init has no handler for, but the shell would catch some. As an init
# should, ignore them (the fuzzer sets its workers' back to the default).
trap '' HUP INT QUIT PIPE ALRM TERM USR1 USR2 TSTP TTIN TTOU VTALRM PROF XCPU XFSZ
counters() { # tag: MemFree kB, open files, processes, per-cause memory
  mem=$(sed -n 's/^MemFree: *\([0-9]*\).*/\1/p' /proc/meminfo)
  files=$(cut -f1 /proc/sys/fs/file-nr 2>/dev/null)
  procs=$(ls -d /proc/[0-9]* | wc -l)
  causes=$(grep -E '^(Cached|AnonPages|PageTables|Slab|KernelStack|KitePipes|KiteKernel):' /proc/meminfo |
    sed 's/: */=/; s/ kB//' | tr '\n' ' ')
  inodes=$(cut -f1 /proc/sys/fs/inode-nr 2>/dev/null)
  dentries=$(cut -f1 /proc/sys/fs/dentry-state 2>/dev/null)
  kmalloc=$(sed -n 's/^kmalloc-\([0-9]*\) *\([0-9]*\).*/k\1=\2/p' /proc/slabinfo 2>/dev/null | tr '\n' ' ')
  zombies=$(grep -l '^State:.Z' /proc/[0-9]*/status 2>/dev/null | wc -l)
  forks=$(sed -n 's/^processes //p' /proc/stat) # processes and threads made since boot
  # processes outside init's session: what the fuzzer left (every worker
  # has a session of its own; this script's own helpers are in init's)
  tag=$1 left=0
  for d in /proc/[0-9]*; do
    st=$(cat "$d/stat" 2>/dev/null) || continue
    set -- ${st##*) } # state ppid pgrp session ... (after the name, which may hold anything)
    [ "${4:-1}" = 1 ] || left=$((left + 1))
  done
  echo "$tag mem=$mem files=${files:-?} procs=$procs left=$left zombies=$zombies forks=$forks inodes=$inodes dentries=$dentries $causes$kmalloc"
  # every process: pid (name) state ppid pgrp
  echo "$tag-PS $(for d in /proc/[0-9]*; do cut -d' ' -f1-5 "$d/stat" 2>/dev/null; done | tr '\n' ';')"
}
settle() { i=0; while [ $i -lt 10 ]; do sleep 1; i=$((i + 1)); done; }
cleanup() {
  rm -rf /tmp/fuzz
  # POSIX message queues outlive their creators on purpose too (the raw
  # mq_open takes a name without the slash: workers make "f0", "d0" ...),
  # with the messages queued and what an mq_notify registration holds (a
  # process, a netlink socket's file): remove them before counting.
  n=0
  for q in /dev/mqueue/* /dev/mqueue/.[!.]*; do
    [ -e "$q" ] && rm -f "$q" && n=$((n + 1))
  done
  echo "FUZZ-CLEANUP $n message queues"
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
# The workers are root and name /dev/null and /dev/zero among their paths:
# they may have unlinked or replaced them (Linux would let them too).
for n in null:3 zero:5; do
  [ -c "/dev/${n%:*}" ] || { rm -rf "/dev/${n%:*}"; mknod -m 666 "/dev/${n%:*}" c 1 "${n#*:}"; echo "FUZZ-RESTORED /dev/${n%:*}"; }
done
cleanup
settle
counters FUZZ-AFTER
case "$files" in ''|*[!0-9]*) # the counters could not be read: say why
  echo "FUZZ-DIAG $(cat /proc/sys/fs/file-nr 2>&1) rc=$? limits: $(ulimit -a 2>&1 | tr '\n' ';')"
  echo "FUZZ-DIAG init: $(tr '\n' ';' < /proc/1/status 2>&1)"
  echo "FUZZ-DIAG mounts: $(tr '\n' ';' < /proc/mounts 2>&1)"
  echo "FUZZ-DIAG $(ls -l /bin/cut /dev/null 2>&1 | tr '\n' ';')" ;;
esac
[ "$(echo ok)" = ok ] && echo FUZZ-ALIVE
echo FUZZ-END
poweroff -f
