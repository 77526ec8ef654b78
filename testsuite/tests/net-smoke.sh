#!/bin/sh
# net-smoke.sh — the network smoke flags (brief.md) in one boot:
# NET=1 EXPECT_NET=1 NET_LOOPBACK_TEST=1 TCP_ECHO_TEST=1 UDP_ECHO_TEST=1
# make test-qemu-smoke. Fails if the kernel was built without the
# network stack (`make WITH_NET=`).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
kernel=${KERNEL:-$top/kernel-rv}
if ! riscv64-linux-gnu-nm "$kernel" 2>/dev/null | grep -q ' T net_init$'; then
  echo "FAIL: net-smoke/kernel-has-network ($kernel was built without net/: WITH_NET is empty)"
  exit 1
fi
NET=1 EXPECT_NET=1 NET_LOOPBACK_TEST=1 TCP_ECHO_TEST=1 UDP_ECHO_TEST=1 \
  exec "$top/scripts/smoke.sh"
