#!/bin/sh
# kite-test: serial
# abi-ref.sh — process-ABI programs (testsuite/abi) whose answers
# qemu-riscv64 cannot give (it emulates mmap/mremap, signal frames and
# clone itself), run on the reference Linux (scripts/build-linux-ref.sh)
# in the same QEMU machine Kite runs in. Their lines become
# "PASS: linux-ref/...". abi-kite.sh runs the same programs on Kite.
#
# The programs are testsuite/abi/build.sh's; the initramfs is Kite's own
# (scripts/mkinitramfs.sh: busybox, musl's loader) with them in /abi and
# /abi/ref-init.sh as Linux's first process: it mounts /proc, /dev and a
# tmpfs /tmp, runs run.sh with ABI_PROGS (below) and powers off.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
b=$build/abi
r=$build/abi-ref
stage=$r/stage
mkdir -p "$b" "$r"
PROGS=${ABI_REF_PROGS:-"fpos hang orphan"}

if ! "$top/testsuite/abi/build.sh" "$b/bin" > "$b/build.log" 2>&1; then
  echo "FAIL: linux-ref/abi-build (testsuite/abi/build.sh failed)"
  tail -30 "$b/build.log"
  exit 1
fi
image=$("$top/scripts/build-linux-ref.sh" 2> "$r/linux-build.log") || image=
if [ -z "$image" ] || [ ! -f "$image" ]; then
  echo "FAIL: linux-ref/kernel (scripts/build-linux-ref.sh: $(tail -1 "$r/linux-build.log"))"
  exit 1
fi

# ---- the initramfs ----
rm -rf "$stage"
mkdir -p "$stage/abi"
cp -a "$b/bin/." "$stage/abi/"
rm -rf "$stage/abi/glibc" "$stage/abi/.build.lock" "$stage/abi/redis-"* "$stage/abi/lua"
cat > "$stage/abi/ref-init.sh" <<EOF
#!/bin/sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t devtmpfs dev /dev
mount -t tmpfs -o mode=1777 tmp /tmp
hostname kite-ref
ABI_PROGS="$PROGS" sh /abi/run.sh
poweroff -f
EOF
chmod 755 "$stage/abi/ref-init.sh"
tp=$build/third-party.mk
val() { sed -n "s/^$1 := //p" "$tp"; }
if ! BUSYBOX=$(val BUSYBOX_BIN) APPLETS=$(val BUSYBOX_APPLETS) MUSL=$(val MUSL_DIR) SMOKE= EXTRA="$stage" \
  "$top/scripts/mkinitramfs.sh" "$r/initramfs.cpio" > "$r/mkinitramfs.log" 2>&1; then
  echo "FAIL: linux-ref/initramfs ($(tail -1 "$r/mkinitramfs.log"))"
  exit 1
fi

# ---- boot ----
out=$r/console.out
start=$(date +%s)
/usr/bin/timeout -k 5 600 qemu-system-riscv64 -machine virt -m 1G -nographic -smp 1 -bios default -no-reboot \
  -kernel "$image" -initrd "$r/initramfs.cpio" -append "console=ttyS0 quiet rdinit=/abi/ref-init.sh" \
  < /dev/null > "$out" 2>&1
st=$?
secs=$(($(date +%s) - start))
tr -d '\r' < "$out" > "$out.txt"

# ---- results ----
sed -n 's/^\(PASS\|FAIL\|SKIP\): /\1: linux-ref\//p' "$out.txt"
grep '^PASS: ' "$out.txt" | sed 's/^PASS: //; s/ .*//' > "$b/linux-ref-checks.txt"
fail=0
grep -q '^FAIL: ' "$out.txt" && fail=1
if grep -q '^ABI-DONE' "$out.txt"; then
  echo "PASS: linux-ref/run-completed ($secs s)"
else
  echo "FAIL: linux-ref/run-completed (QEMU status $st after $secs s)"
  fail=1
fi
[ $fail -eq 0 ] || { echo "--- end of the console ---"; grep -v -E '^(PASS|SKIP):' "$out.txt" | tail -25 | sed 's/^/    /'; }
exit $fail
