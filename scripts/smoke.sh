#!/bin/sh
# smoke.sh — `make test-qemu-smoke`: boot the kernel non-interactively with
# the smoke runner as init, check each smoke program's report, power off.
# Feature flags (docs/lessons.md): NET=1 adds virtio-net; EXPECT_NET=1,
# NET_LOOPBACK_TEST=1, TCP_ECHO_TEST=1, UDP_ECHO_TEST=1 add network checks.
# QEMU_EXTRA: more QEMU options (e.g. the modern virtio transport).
# Prints PASS:/FAIL: lines; exits non-zero on any failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
out=$(mktemp "${TMPDIR:-/tmp}/kite-smoke.XXXXXX")
trap 'rm -f "$out"' EXIT
append="init=/smoke/run.sh"
# Network flags travel on the kernel command line; the runner reads /proc/cmdline.
netchecks=""
for f in EXPECT_NET NET_LOOPBACK_TEST TCP_ECHO_TEST UDP_ECHO_TEST; do
  eval "v=\${$f:-0}"
  if [ "$v" = 1 ]; then append="$append $f=1"; netchecks="$netchecks $f"; fi
done
"$here/qemu-boot.sh" "${SMOKE_TIMEOUT:-120}" "$out" APPEND="$append" NET="${NET:-0}" \
  KERNEL="${KERNEL:-$top/kernel-rv}" QEMU_EXTRA="${QEMU_EXTRA:-}"
status=$?
fail=0
pass() { echo "PASS: smoke: $1"; }
failed() { echo "FAIL: smoke: $1"; fail=1; }
if [ $status -eq 0 ]; then pass "QEMU powered off with status 0"; else failed "QEMU exit status $status"; fi
for name in hello_static hello_dynamic script pipe efault profile initramfs; do
  if grep -q "^SMOKE $name ok" "$out"; then
    pass "$name"
  else
    failed "$name: $(grep "^SMOKE $name" "$out" | head -1)"
  fi
done
for f in $netchecks; do
  case $f in
    EXPECT_NET) name=expect_net; what="virtio-net ready, the gateway answered the ARP probe" ;;
    NET_LOOPBACK_TEST) name=net_loopback; what="net: tcp loopback ok" ;;
    TCP_ECHO_TEST) name=tcp_echo; what="tcp-echo: ok" ;;
    UDP_ECHO_TEST) name=udp_echo; what="udp-echo: ok" ;;
  esac
  if grep -q "^SMOKE $name ok" "$out" && { [ $f != NET_LOOPBACK_TEST ] || grep -q "net: tcp loopback ok" "$out"; }; then
    pass "$f: $what"
  else
    failed "$f: $(grep "^SMOKE $name" "$out" | head -1)"
  fi
done
grep -q "^SMOKE done" "$out" && pass "runner finished" || failed "runner did not finish"
grep -q "kite: init exited with status 0" "$out" && pass "init exit reported" || failed "no init exit report"
# Console discipline: nothing from the kernel between the first and last smoke line.
if sed -n '/^SMOKE hello_static/,/^SMOKE done/p' "$out" | grep -q '^\['; then
  failed "kernel messages on the console while tests ran"
else
  pass "console quiet while tests ran"
fi
if [ $fail -ne 0 ]; then
  echo "--- console output ---"; cat "$out"; echo "--- end ---"
fi
exit $fail
