#!/bin/sh
# run-qemu.sh — boot kernel-rv in QEMU (used by `make run` and `make debug`).
#
# Environment: APPEND (kernel command line), DISK / DISK2 (disk images for
# virtio-mmio slots 0 and 1), NET=1 (virtio-net with QEMU user networking,
# restrict=on, host ports forwarded on 127.0.0.1: see HOSTFWD), MEM (default
# 1G), SMP (harts, QEMU's -smp: default 1), BIOS (default: QEMU's OpenSBI),
# DEBUG=1 (wait for gdb on :1234), QEMU_EXTRA (more QEMU options).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
kernel=${KERNEL:-$top/kernel-rv}
set -- -machine virt -kernel "$kernel" -m "${MEM:-1G}" -nographic -smp "${SMP:-1}" -bios "${BIOS:-default}" -no-reboot
[ -n "${APPEND:-}" ] && set -- "$@" -append "$APPEND"
if [ -n "${DISK:-}" ]; then
  set -- "$@" -drive "file=$DISK,if=none,format=raw,id=x0" -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0
fi
if [ -n "${DISK2:-}" ]; then
  set -- "$@" -drive "file=$DISK2,if=none,format=raw,id=x1" -device virtio-blk-device,drive=x1,bus=virtio-mmio-bus.1
fi
if [ "${NET:-0}" = 1 ]; then
  # HOSTFWD unset: make run's forwards; set but empty: none (tests, which
  # must not collide on fixed host ports).
  fwd=${HOSTFWD-hostfwd=tcp:127.0.0.1:15201-:5201,hostfwd=tcp:127.0.0.1:16379-:6379,hostfwd=tcp:127.0.0.1:18080-:80}
  set -- "$@" -device virtio-net-device,netdev=net -netdev "user,id=net,restrict=on${fwd:+,$fwd}"
fi
[ "${DEBUG:-0}" = 1 ] && { set -- "$@" -s -S; echo "run-qemu: waiting for gdb: gdb-multiarch $top/build/kernel.elf -ex 'target remote :1234'" >&2; }
# shellcheck disable=SC2086
exec qemu-system-riscv64 "$@" ${QEMU_EXTRA:-}
