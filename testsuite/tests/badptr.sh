#!/bin/sh
# kite-test: serial
# badptr.sh — the bad-pointer matrix (testsuite/abi/badptr.c) on Kite and
# on the reference Linux (scripts/build-linux-ref.sh) in the same QEMU,
# compared case by case: "PASS: badptr/<call>/<argument>/<kind>" when both
# kernels answer the same, FAIL otherwise — unless docs/hostile.md lists
# the case among the differences that remain (with its reason): SKIP.
# Also FAIL: a uaddr_t argument of an implemented call in kern/syscall.tbl
# that the matrix has no row for.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
b=$build/abi
m=$build/badptr
stage=$m/stage
mkdir -p "$b" "$m"

if ! "$top/testsuite/abi/build.sh" "$b/bin" > "$b/build.log" 2>&1; then
  echo "FAIL: badptr/abi-build (testsuite/abi/build.sh failed)"
  tail -30 "$b/build.log"
  exit 1
fi
image=$("$top/scripts/build-linux-ref.sh" 2> "$m/linux-build.log") || image=
if [ -z "$image" ] || [ ! -f "$image" ]; then
  echo "FAIL: badptr/linux-reference (scripts/build-linux-ref.sh: $(tail -1 "$m/linux-build.log"))"
  exit 1
fi

# ---- one initramfs stage for both: /abi/badptr, /abi/lowexec, an init ----
rm -rf "$stage"
mkdir -p "$stage/abi"
cp "$b/bin/badptr" "$b/bin/lowexec" "$stage/abi/"
cat > "$stage/abi/badptr-init.sh" <<'EOF'
#!/bin/sh
# Kite has /proc, /dev and /tmp mounted already; Linux does not.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
grep -q ' /proc ' /proc/mounts 2>/dev/null || mount -t proc proc /proc
grep -q ' /dev ' /proc/mounts || mount -t devtmpfs dev /dev
grep -q ' /tmp ' /proc/mounts || mount -t tmpfs -o mode=1777 tmp /tmp
grep -q ' /dev/pts ' /proc/mounts || { mkdir -p /dev/pts; mount -t devpts devpts /dev/pts; }
ip link set lo up 2>/dev/null
mkdir -p /tmp/abi
cd /tmp/abi
echo MATRIX-START
ABI_DIR=/abi ABI_TMP=/tmp/abi /abi/badptr
poweroff -f
EOF
chmod 755 "$stage/abi/badptr-init.sh"

# ---- Kite ----
kb=$m/kernel
if ! make -s -C "$top" BUILD="$kb" KERNEL_OUT="$kb/kernel-rv" EXTRA="$stage" all > "$m/make.log" 2>&1; then
  echo "FAIL: badptr/kite-kernel-build (make failed)"
  tail -30 "$m/make.log"
  exit 1
fi
KERNEL="$kb/kernel-rv" "$top/scripts/qemu-boot.sh" 600 "$m/kite.out" APPEND=init=/abi/badptr-init.sh

# ---- Linux, with Kite's initramfs (the same busybox and files) ----
/usr/bin/timeout -k 5 600 qemu-system-riscv64 -machine virt -m 1G -nographic -smp 1 -bios default -no-reboot \
  -kernel "$image" -initrd "$kb/initramfs.cpio" -append "console=ttyS0 quiet rdinit=/abi/badptr-init.sh" \
  < /dev/null > "$m/linux.out" 2>&1

fail=0
for k in kite linux; do
  tr -d '\r' < "$m/$k.out" | sed -n 's/^MATRIX \([^ ]*\) \(.*\)$/\1\t\2/p' | LC_ALL=C sort -t "$(printf '\t')" -k1,1 > "$m/$k.txt"
  if ! tr -d '\r' < "$m/$k.out" | grep -q '^MATRIX-DONE'; then
    echo "FAIL: badptr/$k-run-completed (last lines: $(tr -d '\r' < "$m/$k.out" | tail -4 | tr '\n' '|'))"
    fail=1
  fi
done

# ---- compare, case by case ----
known=$m/known.txt
sed -n 's/^| `\([^`]*\)` .*/\1/p' "$top/docs/hostile.md" > "$known" 2>/dev/null
LC_ALL=C join -t "$(printf '\t')" -a 1 -a 2 -e MISSING -o 0,1.2,2.2 "$m/kite.txt" "$m/linux.txt" > "$m/both.txt"
while IFS="$(printf '\t')" read -r name kite linux; do
  if [ "$kite" = "$linux" ]; then
    echo "PASS: badptr/$name ($kite)"
  elif grep -qxF "$name" "$known"; then
    echo "SKIP: badptr/$name (known difference, docs/hostile.md: kite $kite, linux $linux)"
  else
    echo "FAIL: badptr/$name (kite: $kite, linux: $linux)"
    fail=1
  fi
done < "$m/both.txt"

# ---- coverage: every pointer argument of every implemented call ----
awk -F'\t' '!/^#/ && NF >= 4 && ($3 == "impl" || $3 ~ /^partial/) {
  n = split($4, a, ", ")
  for (i = 1; i <= n; i++) if (a[i] ~ /^uaddr_t /) { sub(/^uaddr_t /, "", a[i]); print $2 "/" a[i] }
}' "$top/kern/syscall.tbl" | sort -u > "$m/wanted.txt"
cut -f1 "$m/kite.txt" | sed 's|/[a-z]*$||; s|@.*||' | sort -u > "$m/covered.txt"
missing=$(comm -23 "$m/wanted.txt" "$m/covered.txt" | tr '\n' ' ')
if [ -n "$missing" ]; then
  echo "FAIL: badptr/covers-every-pointer-argument (no row for: $missing)"
  fail=1
else
  echo "PASS: badptr/covers-every-pointer-argument ($(wc -l < "$m/wanted.txt") arguments)"
fi
exit $fail
