#!/bin/sh
# run.sh — run every process-ABI test (testsuite/abi) and print their
# PASS:/FAIL: lines. The same script runs on Kite (as init:
# APPEND='init=/abi/run.sh', see testsuite/tests/abi-kite.sh) and on Linux
# (busybox sh under qemu-riscv64, see testsuite/tests/abi-linux.sh).
#
# Environment: ABI_DIR (the programs; default /abi), ABI_TMP (scratch;
# default /tmp/abi), PATH (busybox applets), ABI_PROGRAMS (run only these
# names, e.g. "devfs ptimer" or, on a kernel command line, "devfs,ptimer";
# default all). Each program runs with a time
# limit; one that crashes, hangs, or exits non-zero without a FAIL line
# gets a FAIL line of its own. "ABI-RUN: name" lines say what is running
# (on a kernel crash the console's last one names the culprit); the last
# line is "ABI-DONE".

# As Kite's init we get no PATH: busybox's applets live in /bin and friends.
[ -n "${ABI_DIR:-}" ] || export PATH=/bin:/sbin:/usr/bin:/usr/sbin
A=${ABI_DIR:-/abi}
export ABI_DIR=$A
export ABI_TMP=${ABI_TMP:-/tmp/abi}
mkdir -p "$ABI_TMP"
cd "$ABI_TMP" || exit 1

# run NAME SECONDS COMMAND... — one program, output captured to a file
# (so that children a killed program leaves behind cannot hold us up).
# want NAME — is NAME among the programs to run?
want() {
  [ -z "${ABI_PROGRAMS:-}" ] && return 0
  case " $(echo "$ABI_PROGRAMS" | tr , ' ') " in *" $1 "*) return 0 ;; esac
  return 1
}

run() {
  name=$1
  secs=$2
  shift 2
  want "$name" || return 0
  echo "ABI-RUN: $name"
  out=$ABI_TMP/$name.out
  timeout -s KILL "$secs" "$@" > "$out" 2>&1
  st=$?
  cat "$out"
  if [ $st -eq 137 ]; then
    echo "FAIL: $name/finished (killed after $secs s: hung)"
  elif [ $st -ne 0 ] && ! grep -q '^FAIL:' "$out"; then
    echo "FAIL: $name/finished (exit status $st: crashed or stopped early)"
  fi
}

run proc 120 "$A/proc"
run thread 60 "$A/thread"
run mm 60 "$A/mm"
run signal 120 "$A/signal"
run futex 60 "$A/futex"
run time 60 "$A/time"
run fd 60 "$A/fd"
run fdtimer 60 "$A/fdtimer"
run pty 120 "$A/pty"
run devfs 60 "$A/devfs"
run ptimer 120 "$A/ptimer"
run sched 60 "$A/sched"
run xattr 60 "$A/xattr"
run splice 60 "$A/splice"
run newcalls 60 "$A/newcalls"
run procnew 120 "$A/procnew"
run mqueue 60 "$A/mqueue"
run openat2 60 "$A/openat2"
run procmisc 60 "$A/procmisc"
run namespaces 60 "$A/namespaces"
run ipcns 60 "$A/ipcns"
run pidns 150 "$A/pidns"
run userns 60 "$A/userns"
run usernscap 60 "$A/usernscap"
run usernsmnt 60 "$A/usernsmnt"
run ucounts 60 "$A/ucounts"
run propagation 60 "$A/propagation"
run ptrace 120 "$A/ptrace"
run inotify 120 "$A/inotify"
run hostile 240 "$A/hostile"
run fpos 60 "$A/fpos"
run hang 60 "$A/hang"
run orphan 120 "$A/orphan"
run edges 60 "$A/edges"
run leaks 120 "$A/leaks"
run exhaust 420 "$A/exhaust"
run cred 120 "$A/cred"
run ipc 180 "$A/ipc"
run locks 180 "$A/locks"
run extras 120 "$A/extras"
run loop 120 "$A/loop"
run mountapi 60 "$A/mountapi"
run tcpdisc 60 "$A/tcpdisc"
run dyn-musl 30 "$A/dyn_musl"
run dyn-glibc 30 "$A/dyn_glibc"
run pthread8 60 "$A/pthread8" -v
run smp 120 "$A/smp"
run smp-stress $((${SMP_STRESS_SECONDS:-10} + 120)) "$A/smp_stress"

# pthread8, 100 times in a row
want pthread8-x100 && {
echo "ABI-RUN: pthread8-x100"
i=0
bad=0
first=
while [ $i -lt 100 ]; do
  timeout -s KILL 60 "$A/pthread8" > /dev/null 2>&1
  st=$?
  if [ $st -ne 0 ]; then
    bad=$((bad + 1))
    [ -n "$first" ] || first="run $((i + 1)): status $st"
  fi
  i=$((i + 1))
done
if [ $bad -eq 0 ]; then echo "PASS: pthread8/100-runs"; else echo "FAIL: pthread8/100-runs ($bad of 100 failed; first: $first)"; fi
}

run ash 180 sh "$A/ash.sh"
run lua 120 "$A/lua" "$A/lua-tests/main.lua"
run redis 180 sh "$A/redis.sh"
run lmbench 300 sh "$A/lmbench.sh"
echo "ABI-DONE"
