#!/bin/sh
# abi-linux.sh — the process-ABI tests (testsuite/abi) on Linux: every
# program and script under qemu-riscv64, which passes system calls to this
# host's Linux. A check that fails here encodes a guess, not Linux.
#
# Builds everything (testsuite/abi/build.sh) into $KITE_BUILD/abi/bin, then
# runs testsuite/abi/run.sh — the same script Kite runs as init — with
# busybox sh under qemu-riscv64, as pid 1 of private namespaces:
#   user    every uid and gid inside is the same one outside (identity
#           map): root, nobody for the RLIMIT_NPROC check (Linux exempts
#           root from that limit), the users the credential tests become
#   mount   a private binfmt_misc (Linux >= 6.7 mounts one per user
#           namespace) where riscv64 ELF files are handed to
#           qemu-riscv64, so that execve of riscv64 programs works and
#           nothing is registered on the host; a private /proc; a tmpfs
#           for scratch files
#   pid     orphans go to our pid 1 (run.sh), as they go to init on Kite
#   net     no network at all
#   uts     a host name of our own (sethostname is tried, with bad pointers)
#   ipc     System V IPC objects and limits of our own
# On an older kernel (no binfmt_misc per user namespace) the handler is
# registered on the host under a name of our own and removed afterwards.
# Dynamic programs find their loaders through QEMU_LD_PREFIX (a small root
# holding musl's and glibc's). Result lines become "PASS: linux/...".
set -u
ABI_PROGRAMS=${ABI_PROGRAMS:-}
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
b=$build/abi
mkdir -p "$b"
if [ "$(id -u)" != 0 ]; then
  echo "FAIL: linux/needs-root (namespaces with a mapping for nobody, binfmt_misc: run make test as root)"
  exit 1
fi

# ---- build ----
if ! "$top/testsuite/abi/build.sh" "$b/bin" > "$b/build.log" 2>&1; then
  echo "FAIL: linux/abi-build (testsuite/abi/build.sh failed)"
  tail -30 "$b/build.log"
  exit 1
fi
musl=$(sed -n 's/^MUSL_DIR := //p' "$build/third-party.mk" 2>/dev/null)
[ -n "$musl" ] || musl=$("$top/scripts/build-musl.sh")
busybox=$(sed -n 's/^BUSYBOX_BIN := //p' "$build/third-party.mk" 2>/dev/null)
[ -n "$busybox" ] || busybox=$("$top/scripts/build-busybox.sh")

# ---- a root for qemu: loaders in lib/, busybox and its applets in bin/ ----
root=$b/linux-root
rm -rf "$root"
mkdir -p "$root/lib" "$root/bin"
ln -s "$musl/lib/libc.so" "$root/lib/ld-musl-riscv64.so.1"
for f in "$b/bin/glibc"/*; do ln -s "$f" "$root/lib/"; done
ln -s "$busybox" "$root/bin/busybox"
for a in $(qemu-riscv64 "$busybox" --list); do
  [ -e "$root/bin/$a" ] || ln -s "$busybox" "$root/bin/$a"
done
mkdir -p "$b/linux-tmp"

# The binfmt_misc rule: riscv64 ELF executables and shared objects (e_type
# 2 or 3) go to qemu-riscv64; P keeps argv[0] (QEMU reads AT_FLAGS).
rule_for() { # name
  printf ':%s:M::\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xf3\\x00:\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:/usr/bin/qemu-riscv64:P' "$1"
}

# The script pid 1 of the sandbox runs (host sh), then run.sh (busybox sh).
cat > "$b/linux-init.sh" <<EOF
set -e
# (user namespace) wait until the parent has written our uid/gid maps
i=0
while [ "\$(wc -l < /proc/self/uid_map)" -lt 1 ] && [ \$i -lt 500 ]; do sleep 0.01; i=\$((i + 1)); done
mount -t proc proc /proc
if [ "\$ABI_BINFMT" = private ]; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  echo '$(rule_for kite-abi-riscv64)' > /proc/sys/fs/binfmt_misc/register
fi
mount -t tmpfs -o size=512m tmpfs "$b/linux-tmp"
set +e
exec env -i PATH="$root/bin" ABI_DIR="$b/bin" ABI_TMP="$b/linux-tmp" ABI_QEMU_USER=1 ABI_PROGRAMS="$ABI_PROGRAMS" ABI_ONLY="${ABI_ONLY:-}" \\
  QEMU_LD_PREFIX="$root" HOME=/ "$root/bin/busybox" sh "$b/bin/run.sh"
EOF

# ---- choose how to give riscv64 programs to qemu ----
if unshare --user --map-root-user --mount sh -c \
  'mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc' 2>/dev/null; then
  mode=private
else
  mode=host
fi

out=$b/linux.out
if [ $mode = private ]; then
  ABI_BINFMT=private /usr/bin/timeout -k 10 900 \
    unshare --user --mount --pid --net --uts --ipc --fork --kill-child sh "$b/linux-init.sh" > "$out" 2>&1 &
  waiter=$!
  # Find unshare (our timeout's child), then give its namespace root and nobody.
  me=$(readlink /proc/self/ns/user)
  u=
  for i in $(seq 1 500); do
    u=$(pgrep -P "$waiter" -x unshare | head -1)
    if [ -n "$u" ] && [ "$(readlink /proc/$u/ns/user 2>/dev/null)" != "$me" ]; then break; fi
    u=
    sleep 0.01
  done
  if [ -n "$u" ]; then
    printf '0 0 4294967295\n' > /proc/$u/uid_map
    printf '0 0 4294967295\n' > /proc/$u/gid_map
  else
    echo "abi-linux: could not find the sandbox to map its user ids" >> "$out"
  fi
  wait $waiter
  st=$?
else
  # Host registration, under a name of our own, removed on the way out.
  name=kite-abi-$$
  mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  rule_for "$name" > /proc/sys/fs/binfmt_misc/register
  trap 'echo -1 > /proc/sys/fs/binfmt_misc/'"$name"' 2>/dev/null' EXIT INT TERM
  ABI_BINFMT=host /usr/bin/timeout -k 10 900 \
    unshare --mount --pid --net --uts --ipc --fork --kill-child sh "$b/linux-init.sh" > "$out" 2>&1
  st=$?
fi

# ---- results ----
tr -d '\r' < "$out" | sed -n 's/^\(PASS\|FAIL\|SKIP\): /\1: linux\//p'
grep '^PASS: ' "$out" | sed 's/^PASS: //; s/ .*//' > "$b/linux-checks.txt"
fail=0
grep -q '^FAIL: ' "$out" && fail=1
if ! grep -q '^ABI-DONE' "$out"; then
  echo "FAIL: linux/run-completed (status $st ($mode binfmt), last lines: $(tail -5 "$out" | tr '\n' '|'))"
  fail=1
fi
[ $fail -eq 0 ] || { echo "--- last lines of $out ---"; grep -v -E '^(PASS|SKIP):' "$out" | tail -20 | sed 's/^/    /'; }
exit $fail
