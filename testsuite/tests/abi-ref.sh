#!/bin/sh
# kite-test: serial
# abi-ref.sh — the system-call surface tests of testsuite/abi on the
# reference Linux (scripts/build-linux-ref.sh: Debian's linux-source-6.1,
# in the same QEMU as Kite), for the calls qemu-riscv64 cannot stand in
# for: QEMU 7.2's linux-user lacks or fakes many of them (clone3, openat2,
# pidfds, riscv_hwprobe, timer ids, SIGEV_THREAD ...). Every check there
# must pass here, on a real Linux kernel.
#
# The same /abi stage as abi-kite.sh, packed by Kite's own initramfs
# build, is booted as Linux's initramfs with rdinit=/abi/ref-init.sh,
# which mounts what Kite's kernel mounts (and a Linux init adds) and runs
# run.sh for the programs in REF_PROGRAMS. Result lines become
# "PASS: ref/...".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
b=$build/abi
rb=$build/abi-ref
stage=$rb/stage
surface_programs=splice,newcalls,procnew,mqueue,openat2,procmisc,namespaces,ipcns,pidns,userns,usernscap,usernsmnt,ucounts,propagation,ptrace  # the syscall-surface programs, a line of their own
programs=${REF_PROGRAMS:-devfs,ptimer,xattr,inotify,fpos,hang,orphan,edges,leaks,exhaust,cred,ipc,locks,extras,loop,mountapi,tcpdisc,lmbench,$surface_programs}
mkdir -p "$b" "$rb"

if ! "$top/testsuite/abi/build.sh" "$b/bin" > "$b/build-ref.log" 2>&1; then
  echo "FAIL: ref/abi-build (testsuite/abi/build.sh failed)"
  tail -30 "$b/build-ref.log"
  exit 1
fi
if ! image=$("$top/scripts/build-linux-ref.sh" 2> "$rb/linux-build.log"); then
  echo "FAIL: ref/linux-build (scripts/build-linux-ref.sh failed)"
  tail -30 "$rb/linux-build.log"
  exit 1
fi

# ---- the initramfs: /abi/*, /lib/<glibc>, packed by Kite's build ----
rm -rf "$stage"
mkdir -p "$stage/abi" "$stage/lib"
cp -a "$b/bin/." "$stage/abi/"
rm -rf "$stage/abi/glibc" "$stage/abi/.build.lock"
cp "$b/bin/glibc"/* "$stage/lib/"
if ! make -s -C "$top" BUILD="$rb/kbuild" KERNEL_OUT="$rb/kbuild/kernel-rv" EXTRA="$stage" all > "$rb/make.log" 2>&1; then
  echo "FAIL: ref/initramfs-build (make failed)"
  tail -30 "$rb/make.log"
  exit 1
fi

# ---- boot Linux ----
out=$rb/console.out
start=$(date +%s)
/usr/bin/timeout -k 5 600 qemu-system-riscv64 -machine virt -m 1G -smp 1 -nographic -bios default \
  -kernel "$image" -initrd "$rb/kbuild/initramfs.cpio" -no-reboot \
  -append "console=ttyS0 quiet rdinit=/abi/ref-init.sh ABI_PROGRAMS=$programs" \
  < /dev/null > "$out" 2>&1
st=$?
secs=$(($(date +%s) - start))
tr -d '\r' < "$out" > "$out.txt"

# ---- results ----
sed -n 's/^\(PASS\|FAIL\|SKIP\): /\1: ref\//p' "$out.txt"
fail=0
grep -q '^FAIL: ' "$out.txt" && fail=1
if grep -q '^ABI-DONE' "$out.txt"; then
  echo "PASS: ref/run-completed ($secs s, $(grep -c '^PASS: ' "$out.txt") checks passed)"
else
  echo "FAIL: ref/run-completed (QEMU status $st after $secs s; last lines: $(tail -5 "$out.txt" | tr '\n' '|'))"
  fail=1
fi
[ $fail -eq 0 ] || { echo "--- other console lines (last 20) ---"; grep -v -E '^(PASS|SKIP):' "$out.txt" | tail -20 | sed 's/^/    /'; }
exit $fail
