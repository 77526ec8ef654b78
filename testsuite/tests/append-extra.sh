#!/bin/sh
# kite-test: serial
# append-extra.sh — `make run APPEND='init=...' EXTRA=<dir>`: the command line
# reaches the kernel, EXTRA's files land in the initramfs, init may be a #!
# script or an ELF, and init's exit status is reported before power-off.
# Rebuilds kernel-rv with EXTRA and restores the plain one afterwards.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
kernel=${KERNEL:-$top/kernel-rv}
b=$build/append-test
rm -rf "$b"; mkdir -p "$b/extra/opt"
fail=0
pass() { echo "PASS: append/$1"; }
failed() { echo "FAIL: append/$1"; fail=1; }
cat > "$b/extra/t.sh" <<'SH'
#!/bin/sh
echo "t.sh: args=$# marker=$(cat /opt/marker) cmdline=$(tr '\0' ' ' < /proc/$$/cmdline)"
exit 3
SH
chmod +x "$b/extra/t.sh"
echo "extra-$$" > "$b/extra/opt/marker"
cd "$top"
make -s run BUILD="$build" KERNEL_OUT="$kernel" APPEND='init=/t.sh' EXTRA="$b/extra" < /dev/null > "$b/script.out" 2>&1
st=$?
if grep -q "t.sh: args=0 marker=extra-$$ cmdline=/bin/sh /t.sh" "$b/script.out"; then
  pass "a #! script from EXTRA runs as init"
else
  failed "script init: $(tail -5 "$b/script.out")"
fi
grep -q "kite: init exited with status 3" "$b/script.out" && pass "init exit status 3 reported" \
  || failed "exit status not reported"
# make reports the failed recipe's status: QEMU's, which is init's.
[ $st -ne 0 ] && grep -q "Error 3" "$b/script.out" && pass "QEMU exits with init's status (3)" \
  || failed "QEMU status not passed on (make status $st)"
grep -q "cmdline: init=/t.sh" "$b/script.out" && pass "APPEND reaches /chosen/bootargs" || failed "no cmdline"

make -s run BUILD="$build" KERNEL_OUT="$kernel" APPEND='init=/smoke/hello loglevel=7' EXTRA="$b/extra" < /dev/null > "$b/elf.out" 2>&1
st=$?
if [ $st -eq 0 ] && grep -q "^hello, world" "$b/elf.out" && grep -q "kite: init exited with status 0" "$b/elf.out"; then
  pass "an ELF runs as init and exits 0"
else
  failed "ELF init: status $st: $(tail -5 "$b/elf.out")"
fi
make -s all BUILD="$build" KERNEL_OUT="$kernel" >/dev/null 2>&1 || failed "could not rebuild the plain kernel"
exit $fail
