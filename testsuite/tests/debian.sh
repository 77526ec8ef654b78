#!/bin/sh
# kite-test: serial
# debian.sh — the Debian battery: a Debian 13 (trixie) riscv64 userland
# (testsuite/debian/fetch-root.sh: bash, coreutils, python3, sqlite3, git)
# runs ordinary tasks (testsuite/debian/battery.sh) on Kite and, as the
# reference, in the same root under qemu-riscv64 on this host's Linux;
# each task's output must be the same on both.
#
# Linux: a private user, mount, pid and network namespace (loopback only)
# where a binfmt_misc of its own hands riscv64 programs to
# qemu-riscv64-static (opened at registration, so it works in the chroot);
# the root is mounted read-only with tmpfs on /tmp, /root, /run, /var/tmp
# and /dev/shm, then `chroot ROOT /bin/bash /run/battery.sh`.
# Kite: the root goes under /debian in a cpio archive given to QEMU with
# -initrd (Kite unpacks it over its own initramfs), and /debian-init.sh
# (busybox) mounts /proc, /dev, /dev/shm, /tmp ... inside it and chroots
# the same way. One "PASS: debian/<task>" per task whose status and output
# match; a FAIL shows the difference.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
kernel=${KERNEL:-$top/kernel-rv}
b=$build/debian
mkdir -p "$b"
if [ "$(id -u)" != 0 ]; then
  echo "FAIL: debian/needs-root (namespaces, binfmt_misc: run make test as root)"
  exit 1
fi
if ! root=$("$top/testsuite/debian/fetch-root.sh" 2> "$b/fetch.log"); then
  echo "FAIL: debian/fetch-root (testsuite/debian/fetch-root.sh failed)"
  tail -20 "$b/fetch.log"
  exit 1
fi
qemu_static=/usr/bin/qemu-riscv64-static
if [ ! -x "$qemu_static" ]; then
  echo "FAIL: debian/qemu-user-static (scripts/setup-host.sh installs it)"
  exit 1
fi
battery=$top/testsuite/debian/battery.sh

# ---- Linux: the root under qemu-riscv64 ----
rule=':kite-debian-riscv64:M::\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xf3\x00:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:'$qemu_static':FP'
cat > "$b/linux-inside.sh" <<EOF
set -e
i=0
while [ "\$(wc -l < /proc/self/uid_map)" -lt 1 ] && [ \$i -lt 500 ]; do sleep 0.01; i=\$((i + 1)); done
mount -t proc proc /proc
mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
printf '%s' '$rule' > /proc/sys/fs/binfmt_misc/register
ip link set lo up
r=$b/mnt
mkdir -p \$r
mount --bind "$root" \$r
mount -o remount,bind,ro \$r
for d in tmp root run var/tmp; do mount -t tmpfs -o mode=1777 tmpfs \$r/\$d; done
mount --rbind /dev \$r/dev
mount -t tmpfs -o mode=1777 tmpfs \$r/dev/shm
mount -t proc proc \$r/proc
cp "$battery" \$r/run/battery.sh
set +e
exec chroot \$r /usr/bin/env -i PYTHONDONTWRITEBYTECODE=1 /bin/bash /run/battery.sh < /dev/null
EOF
lout=$b/linux.out
/usr/bin/timeout -k 10 600 unshare --user --mount --pid --net --fork --kill-child sh "$b/linux-inside.sh" > "$lout" 2>&1 &
waiter=$!
me=$(readlink /proc/self/ns/user)
u=
for i in $(seq 1 500); do
  u=$(pgrep -P "$waiter" -x unshare | head -1)
  if [ -n "$u" ] && [ "$(readlink /proc/$u/ns/user 2>/dev/null)" != "$me" ]; then break; fi
  u=
  sleep 0.01
done
if [ -n "$u" ]; then
  echo '0 0 1' > /proc/$u/uid_map
  echo '0 0 1' > /proc/$u/gid_map
fi
wait $waiter
lst=$?

# ---- Kite: the root as a second initramfs ----
key=$(printf '%s %s' "$root" "$(md5sum < "$battery")" | md5sum | cut -c1-12)
cpio=$b/debian-$key.cpio
if [ ! -f "$cpio" ]; then
  rm -rf "$b/stage" "$b"/debian-*.cpio
  mkdir -p "$b/stage"
  cp -a "$root" "$b/stage/debian"
  cp "$battery" "$b/stage/debian/run/battery.sh"
  cat > "$b/stage/debian-init.sh" <<'EOF'
#!/bin/sh
# /debian-init.sh — pid 1 for the Debian battery on Kite: what a Linux
# init and a chroot helper set up, then the battery in the Debian root.
r=/debian
mount -t proc proc $r/proc
mount --bind /dev $r/dev
mount -t tmpfs -o mode=1777 tmpfs $r/dev/shm
mount -t devpts devpts $r/dev/pts 2>/dev/null
for d in tmp root var/tmp; do mount -t tmpfs -o mode=1777 tmpfs $r/$d; done
chroot $r /usr/bin/env -i PYTHONDONTWRITEBYTECODE=1 /bin/bash /run/battery.sh < /dev/null
poweroff -f
EOF
  chmod 755 "$b/stage/debian-init.sh"
  (cd "$b/stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$cpio.tmp" && mv "$cpio.tmp" "$cpio"
  rm -rf "$b/stage"
fi
if [ ! -f "$kernel" ]; then
  make -s -C "$top" > "$b/make.log" 2>&1 || { echo "FAIL: debian/kernel-build"; tail -20 "$b/make.log"; exit 1; }
fi
kout=$b/kite.out
start=$(date +%s)
KERNEL=$kernel QEMU_EXTRA="-initrd $cpio" "$top/scripts/qemu-boot.sh" 900 "$kout" APPEND=init=/debian-init.sh
kst=$?
secs=$(($(date +%s) - start))
tr -d '\r' < "$kout" > "$kout.txt"

# ---- compare ----
fail=0
if ! grep -q '^BATTERY-DONE' "$lout"; then
  echo "FAIL: debian/linux-run (status $lst; last lines: $(tail -5 "$lout" | tr '\n' '|'))"
  fail=1
fi
if ! grep -q '^BATTERY-DONE' "$kout.txt"; then
  echo "FAIL: debian/kite-run (QEMU status $kst after $secs s; last lines: $(tail -5 "$kout.txt" | tr '\n' '|'))"
  fail=1
fi
for t in $(sed -n 's/^TASK \([a-z0-9_]*\) .*/\1/p' "$lout"); do
  l=$(grep "^TASK $t " "$lout" | head -1)
  k=$(grep "^TASK $t " "$kout.txt" | head -1)
  lrc=$(echo "$l" | cut -d' ' -f3)
  if [ "$lrc" != 0 ]; then
    echo "FAIL: debian/$t (fails on Linux too: status $lrc)"
    fail=1
  elif [ "$l" = "$k" ]; then
    echo "PASS: debian/$t"
  else
    echo "FAIL: debian/$t (Kite: ${k:-no result}; Linux: $l)"
    grep "^OUT $t| " "$lout" > "$b/$t.linux"
    grep "^OUT $t| " "$kout.txt" > "$b/$t.kite"
    diff "$b/$t.linux" "$b/$t.kite" | head -20 | sed 's/^/    /'
    fail=1
  fi
done
echo "debian: the battery took $secs s on Kite"
exit $fail
